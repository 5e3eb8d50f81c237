/* jwt.c: JWT verification (header first, one algorithm per key, signatures with
 * OpenSSL, claims with json-c) and HS256 minting with libjwt. */
#include "auth/jwt.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/base64.h"
#include "core/json.h"

const char *
od_jwt_status_detail(od_jwt_status s)
{
    switch (s) {
    case OD_JWT_OK:            return "ok";
    case OD_JWT_MISSING:       return "an Authorization: Bearer token is required";
    case OD_JWT_TOO_LONG:      return "the token is too long";
    case OD_JWT_MALFORMED:     return "the token is not a well-formed JWT";
    case OD_JWT_BAD_ALG:       return "the token's algorithm is not accepted";
    case OD_JWT_UNKNOWN_KEY:   return "the token's key (kid) is not known";
    case OD_JWT_BAD_SIGNATURE: return "the token's signature does not verify";
    case OD_JWT_NO_EXP:        return "the token has no usable exp claim";
    case OD_JWT_EXPIRED:       return "the token has expired";
    case OD_JWT_NOT_YET_VALID: return "the token is not valid yet (nbf)";
    case OD_JWT_BAD_ISSUER:    return "the token's issuer is not accepted";
    case OD_JWT_BAD_AUDIENCE:  return "the token's audience is not accepted";
    case OD_JWT_NO_SUBJECT:    return "the token names no user (sub or userId)";
    case OD_JWT_NO_KEYS:       return "the server's token keys could not be loaded";
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

/* Decodes one base64url part holding a JSON object; returns it arena-owned, or NULL. */
static json_object *
json_part(od_arena *a, const char *b64, size_t len)
{
    unsigned char *text;
    json_object *o;
    const char *why;
    size_t n, off;

    text = od_b64url_decode(a, b64, len, &n);
    if (text == NULL || od_json_parse((const char *)text, n, &o, &off, &why) != OD_OK)
        return NULL;
    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    return od_json_own(a, o);
}

/* Returns the string member name of o (borrowed from o), or NULL when absent, not
 * a string, or holding a NUL byte. Sets *present when the member exists. */
static const char *
str_member(json_object *o, const char *name, bool *present)
{
    json_object *v;
    const char *s;

    *present = json_object_object_get_ex(o, name, &v);
    if (!*present || !json_object_is_type(v, json_type_string))
        return NULL;
    s = json_object_get_string(v);
    return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

/* Reads a NumericDate claim. Returns 1 found, 0 absent, -1 present but unusable. */
static int
date_claim(json_object *claims, const char *name, int64_t *out)
{
    json_object *v;

    if (!json_object_object_get_ex(claims, name, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int64(v);
    return 1;
}

static bool
audience_ok(json_object *claims, const char *want)
{
    json_object *o;
    bool ok = false;

    if (!json_object_object_get_ex(claims, "aud", &o))
        return false;
    if (json_object_is_type(o, json_type_string))
        return strcmp(json_object_get_string(o), want) == 0;
    if (!json_object_is_type(o, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(o) && !ok; i++) {
        json_object *e = json_object_array_get_idx(o, i);

        ok = json_object_is_type(e, json_type_string) &&
             strcmp(json_object_get_string(e), want) == 0;
    }
    return ok;
}

/* HS256 with OpenSSL's HMAC and a constant-time comparison. */
static bool
hs256_ok(const od_keyset_key *k, const unsigned char *input, size_t len,
         const unsigned char *sig, size_t siglen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    size_t klen;
    const unsigned char *key = od_keyset_key_secret(k, &klen);
    bool ok;

    if (key == NULL || klen == 0 || klen > INT_MAX || siglen != 32)
        return false;
    ok = HMAC(EVP_sha256(), key, (int)klen, input, len, mac, &maclen) != NULL &&
         maclen == 32 && CRYPTO_memcmp(mac, sig, 32) == 0;
    OPENSSL_cleanse(mac, sizeof(mac));
    return ok;
}

/* Turns a JWS ES256 signature (raw r || s, 32 bytes each) into DER for OpenSSL.
 * Returns the length and *der (free with OPENSSL_free), or -1. */
static int
es256_der(const unsigned char *raw, unsigned char **der)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL);
    BIGNUM *s = BN_bin2bn(raw + 32, 32, NULL);
    int len = -1;

    *der = NULL;
    if (sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1) {
        r = s = NULL;  /* owned by sig now */
        len = i2d_ECDSA_SIG(sig, der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return len;
}

/* RS256 (PKCS #1 v1.5) or ES256 with EVP_DigestVerify over SHA-256. */
static bool
pkey_ok(const od_keyset_key *k, const unsigned char *input, size_t len,
        const unsigned char *sig, size_t siglen)
{
    EVP_PKEY *pk = od_keyset_key_pkey(k);
    unsigned char *der = NULL;
    EVP_MD_CTX *md = NULL;
    bool ok = false;

    if (pk == NULL)
        return false;
    if (od_keyset_key_alg(k) == OD_KEYSET_ES256) {
        int n;

        if (siglen != 64 || (n = es256_der(sig, &der)) <= 0)
            goto cleanup;
        sig = der;
        siglen = (size_t)n;
    } else if (siglen != (size_t)EVP_PKEY_get_size(pk)) {
        goto cleanup;
    }
    md = EVP_MD_CTX_new();
    ok = md != NULL &&
         EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, pk, NULL) == 1 &&
         EVP_DigestVerify(md, sig, siglen, input, len) == 1;
cleanup:
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok;
}

/* Checks the header: a known alg, then the key (by kid) and its one algorithm. */
static od_jwt_status
choose_key(const od_keyset *ks, json_object *hdr, const od_keyset_key **key)
{
    const char *name, *kid;
    od_keyset_alg alg;
    bool present;

    name = str_member(hdr, "alg", &present);
    if (name == NULL)
        return OD_JWT_MALFORMED;
    /* "none" and everything but HS256/RS256/ES256 go before any key is touched. */
    if (od_keyset_alg_parse(name, &alg) != 0 || ks == NULL)
        return OD_JWT_BAD_ALG;
    kid = str_member(hdr, "kid", &present);
    if (present && (kid == NULL || strlen(kid) > OD_KEYSET_KID_MAX))
        return OD_JWT_MALFORMED;
    /* No extension is understood here, so a critical one cannot be honoured. */
    if (json_object_object_get_ex(hdr, "crit", NULL))
        return OD_JWT_MALFORMED;
    switch (od_keyset_find(ks, kid, alg, key)) {
    case OD_KEYSET_MATCH:
        break;
    case OD_KEYSET_NO_KEY:
        return OD_JWT_UNKNOWN_KEY;
    case OD_KEYSET_WRONG_ALG:
        return OD_JWT_BAD_ALG;
    }
    /* Belt and braces: the key, not the token, decides the algorithm. */
    return *key != NULL && od_keyset_key_alg(*key) == alg ? OD_JWT_OK : OD_JWT_BAD_ALG;
}

static od_jwt_status
check_claims(json_object *claims, const od_jwt_checks *c, time_t now, od_arena *a,
             od_jwt_claims *out)
{
    const char *iss, *sub;
    int64_t exp = 0, nbf = 0;
    bool present;
    int found;

    if (date_claim(claims, "exp", &exp) != 1)
        return OD_JWT_NO_EXP;
    if (exp < (int64_t)now - c->leeway)
        return OD_JWT_EXPIRED;
    found = date_claim(claims, "nbf", &nbf);
    if (found < 0)
        return OD_JWT_MALFORMED;
    if (found == 1 && (int64_t)now + c->leeway < nbf)
        return OD_JWT_NOT_YET_VALID;
    if (c->issuer != NULL && c->issuer[0] != '\0') {
        iss = str_member(claims, "iss", &present);
        if (iss == NULL || strcmp(iss, c->issuer) != 0)
            return OD_JWT_BAD_ISSUER;
    }
    if (c->audience != NULL && c->audience[0] != '\0' && !audience_ok(claims, c->audience))
        return OD_JWT_BAD_AUDIENCE;
    sub = str_member(claims, "sub", &present);
    if (sub == NULL || *sub == '\0')
        sub = str_member(claims, "userId", &present);
    if (sub == NULL || *sub == '\0' || strlen(sub) > 255)
        return OD_JWT_NO_SUBJECT;
    out->user_id = od_arena_strdup(a, sub);
    return out->user_id != NULL ? OD_JWT_OK : OD_JWT_MALFORMED;
}

od_jwt_status
od_jwt_verify(const od_keyset *ks, const od_jwt_checks *checks, const char *token,
              time_t now, od_arena *a, od_jwt_claims *out)
{
    const od_keyset_key *key = NULL;
    const char *dot1, *dot2;
    json_object *hdr, *claims;
    unsigned char *sig;
    size_t siglen, signed_len;
    od_jwt_status st;
    bool ok;

    memset(out, 0, sizeof(*out));
    if (token == NULL || *token == '\0')
        return OD_JWT_MISSING;
    if (strlen(token) > OD_JWT_MAX_LEN)
        return OD_JWT_TOO_LONG;
    if (!well_formed(token))
        return OD_JWT_MALFORMED;
    dot1 = strchr(token, '.');
    dot2 = strchr(dot1 + 1, '.');
    hdr = json_part(a, token, (size_t)(dot1 - token));
    if (hdr == NULL)
        return OD_JWT_MALFORMED;
    st = choose_key(ks, hdr, &key);
    if (st != OD_JWT_OK)
        return st;
    sig = od_b64url_decode(a, dot2 + 1, strlen(dot2 + 1), &siglen);
    if (sig == NULL)
        return OD_JWT_MALFORMED;
    signed_len = (size_t)(dot2 - token);  /* base64url(header) "." base64url(claims) */
    ok = od_keyset_key_alg(key) == OD_KEYSET_HS256
             ? hs256_ok(key, (const unsigned char *)token, signed_len, sig, siglen)
             : pkey_ok(key, (const unsigned char *)token, signed_len, sig, siglen);
    if (!ok)
        return OD_JWT_BAD_SIGNATURE;
    claims = json_part(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (claims == NULL)
        return OD_JWT_MALFORMED;
    return check_claims(claims, checks, now, a, out);
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
