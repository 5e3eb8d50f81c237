/* jwt.c: JWT verification (header first, one algorithm per key) and minting. */
#include "auth/jwt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <jwt.h>

#include "core/base64.h"

const char *
od_jwt_status_detail(od_jwt_status s)
{
    switch (s) {
    case OD_JWT_OK:            return "ok";
    case OD_JWT_MISSING:       return "an Authorization: Bearer token is required";
    case OD_JWT_TOO_LONG:      return "the token is too long";
    case OD_JWT_MALFORMED:     return "the token is not a well-formed JWT";
    case OD_JWT_BAD_ALG:       return "the token's algorithm is not accepted";
    case OD_JWT_BAD_SIGNATURE: return "the token's signature does not verify";
    case OD_JWT_NO_EXP:        return "the token has no usable exp claim";
    case OD_JWT_EXPIRED:       return "the token has expired";
    case OD_JWT_NOT_YET_VALID: return "the token is not valid yet (nbf)";
    case OD_JWT_BAD_ISSUER:    return "the token's issuer is not accepted";
    case OD_JWT_BAD_AUDIENCE:  return "the token's audience is not accepted";
    case OD_JWT_NO_SUBJECT:    return "the token names no user (sub or userId)";
    }
    return "invalid token";
}

const char *
od_jwt_from_header(const char *h)
{
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h != '\0' ? h : NULL;
}

/* Reads the JOSE header (the first part) and returns its "alg", arena-owned. */
static const char *
header_alg(const char *token, od_arena *a)
{
    const char *dot = strchr(token, '.');
    unsigned char *json;
    size_t len;
    json_object *hdr, *alg;
    const char *result = NULL;

    if (dot == NULL)
        return NULL;
    json = od_b64url_decode(a, token, (size_t)(dot - token), &len);
    if (json == NULL)
        return NULL;
    hdr = json_tokener_parse((const char *)json);
    if (hdr != NULL && json_object_is_type(hdr, json_type_object) &&
        json_object_object_get_ex(hdr, "alg", &alg) &&
        json_object_is_type(alg, json_type_string))
        result = od_arena_strdup(a, json_object_get_string(alg));
    json_object_put(hdr);
    return result;
}

static bool
well_formed(const char *token)
{
    int dots = 0;

    for (const char *p = token; *p; p++) {
        if (*p == '.')
            dots++;
        else if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                   (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return false;
    }
    return dots == 2;
}

/* Reads a NumericDate claim. Returns 1 found, 0 absent, -1 present but unusable. */
static int
date_claim(jwt_t *jwt, const char *name, long *out)
{
    char *json = jwt_get_grants_json(jwt, name);
    json_object *o;
    int rc = -1;

    if (json == NULL)
        return 0;
    o = json_tokener_parse(json);
    if (o != NULL && json_object_is_type(o, json_type_int)) {
        *out = (long)json_object_get_int64(o);
        rc = 1;
    }
    json_object_put(o);
    free(json);
    return rc;
}

static bool
audience_ok(jwt_t *jwt, const char *want)
{
    char *json = jwt_get_grants_json(jwt, "aud");
    json_object *o;
    bool ok = false;

    if (json == NULL)
        return false;
    o = json_tokener_parse(json);
    if (o != NULL && json_object_is_type(o, json_type_string)) {
        ok = strcmp(json_object_get_string(o), want) == 0;
    } else if (o != NULL && json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o) && !ok; i++) {
            json_object *e = json_object_array_get_idx(o, i);

            ok = json_object_is_type(e, json_type_string) &&
                 strcmp(json_object_get_string(e), want) == 0;
        }
    }
    json_object_put(o);
    free(json);
    return ok;
}

od_jwt_status
od_jwt_verify(const od_jwt_config *cfg, const char *token, time_t now, od_arena *a,
              od_jwt_claims *out)
{
    jwt_t *jwt = NULL;
    const char *alg, *sub, *iss;
    od_jwt_status st = OD_JWT_OK;
    long exp = 0, nbf = 0;
    int found;

    memset(out, 0, sizeof(*out));
    if (token == NULL || *token == '\0')
        return OD_JWT_MISSING;
    if (strlen(token) > OD_JWT_MAX_LEN)
        return OD_JWT_TOO_LONG;
    if (!well_formed(token))
        return OD_JWT_MALFORMED;
    alg = header_alg(token, a);
    if (alg == NULL)
        return OD_JWT_MALFORMED;
    /* One algorithm per key: only HS256 is configured in this build's key set. */
    if (strcmp(alg, "HS256") != 0 || cfg->hs256_secret == NULL || cfg->hs256_secret[0] == '\0')
        return OD_JWT_BAD_ALG;
    if (jwt_decode(&jwt, token, (const unsigned char *)cfg->hs256_secret,
                   (int)strlen(cfg->hs256_secret)) != 0 || jwt == NULL)
        return OD_JWT_BAD_SIGNATURE;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        st = OD_JWT_BAD_ALG;
        goto cleanup;
    }
    found = date_claim(jwt, "exp", &exp);
    if (found != 1) {
        st = OD_JWT_NO_EXP;
        goto cleanup;
    }
    if (exp < (long)now - cfg->leeway) {
        st = OD_JWT_EXPIRED;
        goto cleanup;
    }
    found = date_claim(jwt, "nbf", &nbf);
    if (found < 0 || (found == 1 && now + cfg->leeway < nbf)) {
        st = found < 0 ? OD_JWT_MALFORMED : OD_JWT_NOT_YET_VALID;
        goto cleanup;
    }
    if (cfg->issuer != NULL && cfg->issuer[0] != '\0') {
        iss = jwt_get_grant(jwt, "iss");
        if (iss == NULL || strcmp(iss, cfg->issuer) != 0) {
            st = OD_JWT_BAD_ISSUER;
            goto cleanup;
        }
    }
    if (cfg->audience != NULL && cfg->audience[0] != '\0' && !audience_ok(jwt, cfg->audience)) {
        st = OD_JWT_BAD_AUDIENCE;
        goto cleanup;
    }
    sub = jwt_get_grant(jwt, "sub");
    if (sub == NULL || *sub == '\0')
        sub = jwt_get_grant(jwt, "userId");
    if (sub == NULL || *sub == '\0' || strlen(sub) > 255) {
        st = OD_JWT_NO_SUBJECT;
        goto cleanup;
    }
    out->user_id = od_arena_strdup(a, sub);
    if (out->user_id == NULL)
        st = OD_JWT_MALFORMED;
cleanup:
    jwt_free(jwt);
    return st;
}

od_rc
od_jwt_mint_hs256(const char *secret, const char *sub, const char *iss, const char *aud,
                  long ttl, time_t now, char **out)
{
    jwt_t *jwt = NULL;
    od_rc rc = OD_EINVAL;

    *out = NULL;
    if (secret == NULL || *secret == '\0' || sub == NULL || *sub == '\0' || ttl <= 0)
        return OD_EINVAL;
    if (jwt_new(&jwt) != 0)
        return OD_ENOMEM;
    if (jwt_add_grant(jwt, "sub", sub) != 0 ||
        jwt_add_grant_int(jwt, "iat", (long)now) != 0 ||
        jwt_add_grant_int(jwt, "exp", (long)now + ttl) != 0)
        goto cleanup;
    if (iss != NULL && *iss != '\0' && jwt_add_grant(jwt, "iss", iss) != 0)
        goto cleanup;
    if (aud != NULL && *aud != '\0' && jwt_add_grant(jwt, "aud", aud) != 0)
        goto cleanup;
    if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret,
                    (int)strlen(secret)) != 0)
        goto cleanup;
    *out = jwt_encode_str(jwt);
    rc = *out != NULL ? OD_OK : OD_ENOMEM;
cleanup:
    jwt_free(jwt);
    return rc;
}
