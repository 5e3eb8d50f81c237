/* jwt.h: JWT verification and minting (pure: no I/O). The header is read first, the
 * key chosen by kid from a key set, the key's one algorithm enforced, the signature
 * checked with OpenSSL (HS256, RS256, ES256) and exp/nbf/iss/aud checked here;
 * libjwt 1.10, which trusts the token's own "alg", only mints. */
#ifndef OD_JWT_H
#define OD_JWT_H

#include <stddef.h>
#include <time.h>

#include "auth/keyset.h"
#include "core/arena.h"
#include "core/status.h"

#define OD_JWT_MAX_LEN 4096  /* under nginx's 8k header buffers, so the app decides */

/* The claim checks besides the signature (strings borrowed). */
typedef struct od_jwt_checks {
    const char *issuer;        /* expected iss, or "" / NULL: not checked */
    const char *audience;      /* expected aud (string or member of the array), or "" */
    int leeway;                /* seconds of skew allowed on exp and nbf */
} od_jwt_checks;

typedef enum od_jwt_status {
    OD_JWT_OK = 0,
    OD_JWT_MISSING,       /* no bearer token */
    OD_JWT_TOO_LONG,
    OD_JWT_MALFORMED,     /* not three base64url parts with JSON header and claims */
    OD_JWT_BAD_ALG,       /* "none", unsupported, or not the algorithm of the key */
    OD_JWT_UNKNOWN_KEY,   /* the header's kid names no key of the set */
    OD_JWT_BAD_SIGNATURE,
    OD_JWT_NO_EXP,
    OD_JWT_EXPIRED,
    OD_JWT_NOT_YET_VALID,
    OD_JWT_BAD_ISSUER,
    OD_JWT_BAD_AUDIENCE,
    OD_JWT_NO_SUBJECT,
    OD_JWT_NO_KEYS        /* the server's key set could not be loaded (not the token's fault) */
} od_jwt_status;

typedef struct od_jwt_claims {
    const char *user_id;  /* sub, or userId (Appwrite); arena-owned */
} od_jwt_claims;

/* Verifies token at time now with a key of ks (borrowed) and the claim checks:
 * header (alg, optional kid) first, "none" and unknown algorithms refused before
 * any key is looked at, the key's own algorithm required, then the signature, then
 * exp (required), nbf, iss, aud and sub/userId. On OD_JWT_OK fills out (arena-owned
 * strings). Pure: no I/O, no logging. */
od_jwt_status od_jwt_verify(const od_keyset *ks, const od_jwt_checks *checks,
                            const char *token, time_t now, od_arena *a,
                            od_jwt_claims *out);

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
