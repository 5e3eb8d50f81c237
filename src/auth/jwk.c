/* jwk.c: JWK members (n, e; crv, x, y) to EVP_PKEYs with OpenSSL 3
 * (OSSL_PARAM_BLD + EVP_PKEY_fromdata), and the fitness check of a public key. */
#include "auth/jwk.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "core/base64.h"

/* Returns the string member name of o, or NULL: absent, or (*bad set) not a string
 * or holding a NUL byte. */
static const char *
member(json_object *o, const char *name, bool *bad)
{
    json_object *v;
    const char *s;

    if (!json_object_object_get_ex(o, name, &v))
        return NULL;
    if (!json_object_is_type(v, json_type_string)) {
        *bad = true;
        return NULL;
    }
    s = json_object_get_string(v);
    if (strlen(s) != (size_t)json_object_get_string_len(v)) {
        *bad = true;
        return NULL;
    }
    return s;
}

/* Decodes the base64url member name into scratch memory; NULL when absent or bad. */
static const unsigned char *
number(json_object *jwk, const char *name, od_arena *a, size_t *len)
{
    bool bad = false;
    const char *s = member(jwk, name, &bad);

    return s != NULL ? od_b64url_decode(a, s, strlen(s), len) : NULL;
}

static bool
has_verify_op(json_object *jwk)
{
    json_object *ops;

    if (!json_object_object_get_ex(jwk, "key_ops", &ops))
        return true;  /* absent: no restriction */
    if (!json_object_is_type(ops, json_type_array))
        return false;
    for (size_t i = 0; i < json_object_array_length(ops); i++) {
        json_object *op = json_object_array_get_idx(ops, i);

        if (json_object_is_type(op, json_type_string) &&
            strcmp(json_object_get_string(op), "verify") == 0)
            return true;
    }
    return false;
}

/* Builds a public key of type ("RSA", "EC") from the parameters in bld. */
static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pk = NULL;

    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pk = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

static EVP_PKEY *
rsa_key(json_object *jwk, od_arena *a, const char **why)
{
    size_t nlen = 0, elen = 0;
    const unsigned char *n = number(jwk, "n", a, &nlen);
    const unsigned char *e = number(jwk, "e", a, &elen);
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    EVP_PKEY *pk = NULL;

    *why = "n or e is missing or not base64url, or out of range";
    if (n == NULL || e == NULL || nlen == 0 || nlen > 1024 || elen == 0 || elen > 8)
        return NULL;
    bn_n = BN_bin2bn(n, (int)nlen, NULL);
    bn_e = BN_bin2bn(e, (int)elen, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn_n != NULL && bn_e != NULL && bld != NULL &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1)
        pk = from_params("RSA", bld);
    if (pk == NULL)
        *why = "OpenSSL refused n and e";
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    return pk;
}

static EVP_PKEY *
ec_key(json_object *jwk, od_arena *a, const char **why)
{
    size_t xlen = 0, ylen = 0;
    const unsigned char *x = number(jwk, "x", a, &xlen);
    const unsigned char *y = number(jwk, "y", a, &ylen);
    unsigned char point[65];
    OSSL_PARAM_BLD *bld;
    EVP_PKEY *pk = NULL;

    *why = "x or y is missing, not base64url or not 32 bytes";
    if (x == NULL || y == NULL || xlen != 32 || ylen != 32)
        return NULL;
    point[0] = 0x04;  /* uncompressed: 04 || x || y */
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);
    bld = OSSL_PARAM_BLD_new();
    if (bld != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                         sizeof(point)) == 1)
        pk = from_params("EC", bld);
    if (pk == NULL)
        *why = "x and y are not a point on P-256";
    OSSL_PARAM_BLD_free(bld);
    return pk;
}

bool
od_jwk_to_pkey(json_object *jwk, od_arena *scratch, const char **kid, od_keyset_alg *alg,
               EVP_PKEY **out, const char **why)
{
    bool bad = false;
    const char *use, *kty, *crv, *name;
    od_keyset_alg want;

    *out = NULL;
    *kid = NULL;
    if (!json_object_is_type(jwk, json_type_object)) {
        *why = "not a JSON object";
        return false;
    }
    *kid = member(jwk, "kid", &bad);
    if (*kid == NULL || **kid == '\0' || strlen(*kid) > OD_KEYSET_KID_MAX) {
        *why = "no usable kid (a non-empty string of at most 256 bytes)";
        return false;
    }
    use = member(jwk, "use", &bad);
    if (bad || (use != NULL && strcmp(use, "sig") != 0)) {
        *why = "its use is not \"sig\"";
        return false;
    }
    if (!has_verify_op(jwk)) {
        *why = "its key_ops do not include \"verify\"";
        return false;
    }
    kty = member(jwk, "kty", &bad);
    crv = member(jwk, "crv", &bad);
    if (kty != NULL && strcmp(kty, "RSA") == 0) {
        want = OD_KEYSET_RS256;
    } else if (kty != NULL && strcmp(kty, "EC") == 0) {
        if (crv == NULL || strcmp(crv, "P-256") != 0) {
            *why = "EC keys are supported on crv P-256 only";
            return false;
        }
        want = OD_KEYSET_ES256;
    } else {
        *why = "kty is not RSA or EC";
        return false;
    }
    bad = false;
    name = member(jwk, "alg", &bad);
    if (bad || (name != NULL && (od_keyset_alg_parse(name, alg) != 0 || *alg != want))) {
        *why = want == OD_KEYSET_RS256 ? "alg is not RS256 for this RSA key"
                                       : "alg is not ES256 for this P-256 key";
        return false;
    }
    *alg = want;
    *out = want == OD_KEYSET_RS256 ? rsa_key(jwk, scratch, why) : ec_key(jwk, scratch, why);
    if (*out != NULL && !od_jwk_pkey_fits(*out, want, why)) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    if (*out == NULL)
        ERR_clear_error();  /* the reason is in *why; keep the queue clean */
    return *out != NULL;
}

bool
od_jwk_pkey_fits(EVP_PKEY *pk, od_keyset_alg alg, const char **why)
{
    char group[64];
    size_t glen = 0;
    EVP_PKEY_CTX *ctx;
    bool ok;

    if (alg == OD_KEYSET_RS256) {
        if (!EVP_PKEY_is_a(pk, "RSA")) {
            *why = "it is not an RSA key";
            return false;
        }
        if (EVP_PKEY_get_bits(pk) < 2048 || EVP_PKEY_get_bits(pk) > 8192) {
            *why = "RSA keys must have 2048 to 8192 bits";
            return false;
        }
    } else if (alg == OD_KEYSET_ES256) {
        if (!EVP_PKEY_is_a(pk, "EC") ||
            EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) != 1 ||
            strcmp(group, "prime256v1") != 0) {
            *why = "it is not an EC key on P-256";
            return false;
        }
    } else {
        *why = "HS256 takes a secret, not a public key";
        return false;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        *why = "it fails OpenSSL's public key check";
        ERR_clear_error();
    }
    return ok;
}
