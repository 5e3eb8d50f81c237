/* jwt.h: JWT verification and minting (pure: no I/O). libjwt 1.10 trusts the
 * token's own "alg", so the header is parsed and the algorithm enforced here before
 * libjwt checks the signature; exp/nbf/iss/aud are checked here too. */
#ifndef OD_JWT_H
#define OD_JWT_H

#include <stddef.h>
#include <time.h>

#include "core/arena.h"
#include "core/status.h"

#define OD_JWT_MAX_LEN 4096  /* under nginx's 8k header buffers, so the app decides */

typedef struct od_jwt_config {
    const char *hs256_secret;  /* borrowed; "" or NULL disables HS256 */
    const char *issuer;        /* expected iss, or "" */
    const char *audience;      /* expected aud (string or member of the array), or "" */
    int leeway;                /* seconds of skew allowed on exp and nbf */
} od_jwt_config;

typedef enum od_jwt_status {
    OD_JWT_OK = 0,
    OD_JWT_MISSING,       /* no bearer token */
    OD_JWT_TOO_LONG,
    OD_JWT_MALFORMED,     /* not three base64url parts with JSON header and claims */
    OD_JWT_BAD_ALG,       /* "none", or not the algorithm configured */
    OD_JWT_BAD_SIGNATURE,
    OD_JWT_NO_EXP,
    OD_JWT_EXPIRED,
    OD_JWT_NOT_YET_VALID,
    OD_JWT_BAD_ISSUER,
    OD_JWT_BAD_AUDIENCE,
    OD_JWT_NO_SUBJECT
} od_jwt_status;

typedef struct od_jwt_claims {
    const char *user_id;  /* sub, or userId (Appwrite); arena-owned */
} od_jwt_claims;

/* Verifies token at time now. On OD_JWT_OK fills out (arena-owned strings). */
od_jwt_status od_jwt_verify(const od_jwt_config *cfg, const char *token, time_t now,
                            od_arena *a, od_jwt_claims *out);

/* Returns a short detail for a 401 that helps a developer without helping an
 * attacker (static). */
const char *od_jwt_status_detail(od_jwt_status s);

/* Extracts the token from an Authorization header value ("Bearer <token>").
 * Returns a pointer into header (borrowed), or NULL. */
const char *od_jwt_from_header(const char *header);

/* Mints an HS256 token for sub, valid from now for ttl seconds, with iss and aud
 * when non-empty. Returns OD_OK and *out (caller frees with free), or OD_EINVAL. */
od_rc od_jwt_mint_hs256(const char *secret, const char *sub, const char *iss,
                        const char *aud, long ttl, time_t now, char **out);

#endif
