/* authn.c: bearer-token authentication of a request with the worker's key set. */
#include "auth/authn.h"

#include <time.h>

#include "auth/jwt.h"
#include "auth/keyset.h"
#include "core/log.h"
#include "http/problem.h"

static od_keyset *authn_keys;  /* the process's key set (a worker's is inherited from the
                                * pool's master); NULL until loaded */

od_rc
od_authn_init(const od_config *cfg)
{
    od_keyset_settings s = {
        .hs256_secret = cfg->jwt_secret,
        .public_key_file = cfg->jwt_public_key_file,
        .public_key_alg = cfg->jwt_public_key_alg,
        .public_key_kid = cfg->jwt_public_key_kid,
        .jwks_file = cfg->jwks_file,
        .jwks_reload_interval = cfg->jwks_reload_interval,
    };
    od_keyset *ks;
    char err[512];
    od_rc rc = od_keyset_open(&s, &ks, err, sizeof(err));

    if (rc != OD_OK) {
        od_log_error("authn: %s", err);
        return rc;
    }
    if (od_keyset_count(ks) > 0)
        od_log_info("authn: %zu token key(s) loaded", od_keyset_count(ks));
    else
        od_log_warn("authn: no JWT key is configured (ODYSSEY_JWT_SECRET, "
                    "ODYSSEY_JWT_PUBLIC_KEY_FILE, ODYSSEY_JWKS_FILE): every token is "
                    "refused");
    od_keyset_free(authn_keys);
    authn_keys = ks;
    return OD_OK;
}

void
od_authn_refresh(time_t now)
{
    if (authn_keys != NULL)
        od_keyset_maybe_reload(authn_keys, now);  /* logs, and keeps the old keys */
}

void
od_authn_shutdown(void)
{
    od_keyset_free(authn_keys);
    authn_keys = NULL;
}

od_jwt_status
od_authn_check(od_request *r)
{
    od_jwt_checks checks = {
        .issuer = r->cfg->jwt_issuer,
        .audience = r->cfg->jwt_audience,
        .leeway = r->cfg->jwt_leeway,
    };
    const char *header = od_req_env(r, "HTTP_AUTHORIZATION");
    const char *token = od_jwt_from_header(header);
    time_t now = time(NULL);
    od_jwt_claims claims;
    od_jwt_status st;

    /* A program that did not load the keys at start (a test) loads them now. */
    if (authn_keys == NULL && od_authn_init(r->cfg) != OD_OK)
        return OD_JWT_NO_KEYS;
    od_keyset_maybe_reload(authn_keys, now);  /* logs, and keeps the old keys, on failure */
    st = token ? od_jwt_verify(authn_keys, &checks, token, now, r->arena, &claims)
               : (header ? OD_JWT_MALFORMED : OD_JWT_MISSING);
    if (st == OD_JWT_OK)
        r->user_id = claims.user_id;
    return st;
}

bool
od_authn(od_request *r)
{
    od_jwt_status st = od_authn_check(r);

    if (st == OD_JWT_OK)
        return true;
    if (st == OD_JWT_NO_KEYS) {
        od_resp_problem(r, 500, NULL, "the server's token keys could not be loaded");
        return false;
    }
    /* Every refusal, a missing token included, names invalid_token, so clients
     * have one thing to handle. */
    od_resp_problem_doc(r, od_problem_for(r, 401, OD_PT_INVALID_TOKEN, od_jwt_status_detail(st)),
                        "WWW-Authenticate: Bearer realm=\"odyssey\", error=\"invalid_token\"\r\n");
    return false;
}
