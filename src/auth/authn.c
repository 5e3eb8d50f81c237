/* authn.c: bearer-token authentication of a request. */
#include "auth/authn.h"

#include <time.h>

#include "auth/jwt.h"
#include "http/problem.h"

bool
od_authn(od_request *r)
{
    od_jwt_config jc = {
        .hs256_secret = r->cfg->jwt_secret,
        .issuer = r->cfg->jwt_issuer,
        .audience = r->cfg->jwt_audience,
        .leeway = r->cfg->jwt_leeway,
    };
    const char *header = od_req_env(r, "HTTP_AUTHORIZATION");
    const char *token = od_jwt_from_header(header);
    od_jwt_claims claims;
    od_jwt_status st;

    st = token ? od_jwt_verify(&jc, token, time(NULL), r->arena, &claims)
               : (header ? OD_JWT_MALFORMED : OD_JWT_MISSING);
    if (st == OD_JWT_OK) {
        r->user_id = claims.user_id;
        return true;
    }
    /* Every refusal, a missing token included, names invalid_token, so clients
     * have one thing to handle. */
    od_resp_problem_doc(r, od_problem_for(r, 401, OD_PT_INVALID_TOKEN, od_jwt_status_detail(st)),
                        "WWW-Authenticate: Bearer realm=\"odyssey\", error=\"invalid_token\"\r\n");
    return false;
}
