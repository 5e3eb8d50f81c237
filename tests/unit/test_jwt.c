/* test_jwt.c: verification: the header's alg is checked before any key, the key's
 * own algorithm enforced (HS256, RS256, ES256; no HS/RS confusion), signatures with
 * OpenSSL, then exp/nbf/iss/aud/sub. Keys are generated at test time. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>
#include <openssl/evp.h>

#include "auth/jwt.h"
#include "auth/keyset.h"
#include "keykit.h"
#include "unit.h"

#define SECRET "test-secret-0123456789abcdef0123456789"
#define NOW ((time_t)1800000000)
#define CLAIMS "{\"sub\":\"u\",\"exp\":1800000600}"

static const od_jwt_checks cfg = { "", "", 60 };

/* Returns a key set holding only the HS256 secret (NULL or "": none). */
static od_keyset *
hs_keys(const char *secret)
{
    od_keyset_settings s = { .hs256_secret = secret };
    od_keyset *ks = NULL;
    char err[256];

    CU_ASSERT_EQUAL(od_keyset_open(&s, &ks, err, sizeof(err)), OD_OK);
    return ks;
}

/* Returns a key set from a PEM file holding pk's public half, bound to alg with
 * kid, plus the HS256 secret when secret is not NULL. */
static od_keyset *
pem_keys(EVP_PKEY *pk, const char *alg, const char *kid, const char *secret)
{
    char *dir = od_kit_mkdtemp(), *path = od_kit_path(dir, "key.pem");
    char *pem = od_kit_pem(pk);
    od_keyset_settings s = { .hs256_secret = secret, .public_key_file = path,
                             .public_key_alg = alg, .public_key_kid = kid };
    od_keyset *ks = NULL;
    char err[256] = "";

    CU_ASSERT_EQUAL(od_kit_write(path, pem), 0);
    CU_ASSERT_EQUAL(od_keyset_open(&s, &ks, err, sizeof(err)), OD_OK);
    if (err[0] != '\0' && ks == NULL)
        fprintf(stderr, "pem_keys: %s\n", err);
    free(pem);
    free(path);
    od_kit_rmdir(dir);
    return ks;
}

/* Mints a token with the given JSON claims (alg HS256 unless alg_none). */
static char *
mint(const char *claims_json, const char *secret)
{
    jwt_t *jwt;
    char *out;

    jwt_new(&jwt);
    jwt_add_grants_json(jwt, claims_json);
    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret, (int)strlen(secret));
    out = jwt_encode_str(jwt);
    jwt_free(jwt);
    return out;
}

static od_jwt_status
verify_with(const od_keyset *ks, const char *token, const od_jwt_checks *c,
            const char **user)
{
    od_arena *a = od_arena_create(0);
    od_jwt_claims claims;
    od_jwt_status st = od_jwt_verify(ks, c, token, NOW, a, &claims);
    static char keep[256];

    keep[0] = '\0';
    if (st == OD_JWT_OK)
        snprintf(keep, sizeof(keep), "%s", claims.user_id);
    if (user)
        *user = keep;
    od_arena_destroy(a);
    return st;
}

/* Verifies with a key set holding only SECRET, as the HS256 cases need. */
static od_jwt_status
verify(const char *token, const od_jwt_checks *c, const char **user)
{
    od_keyset *ks = hs_keys(SECRET);
    od_jwt_status st = verify_with(ks, token, c, user);

    od_keyset_free(ks);
    return st;
}

static void
test_valid_and_minted(void)
{
    char *t = NULL;
    const char *user;

    CU_ASSERT_EQUAL_FATAL(od_jwt_mint_hs256(SECRET, "user-1", "", "", 600, NOW, &t), OD_OK);
    CU_ASSERT_EQUAL(verify(t, &cfg, &user), OD_JWT_OK);
    CU_ASSERT_STRING_EQUAL(user, "user-1");
    free(t);
    CU_ASSERT_EQUAL(od_jwt_mint_hs256("", "user-1", "", "", 600, NOW, &t), OD_EINVAL);
}

static void
test_wrong_secret(void)
{
    char *t = mint("{\"sub\":\"u\",\"exp\":1800000600}", "another-secret");

    CU_ASSERT_EQUAL(verify(t, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
    free(t);
}

static void
test_alg_none_and_others_refused(void)
{
    /* {"alg":"none","typ":"JWT"} . {"sub":"u","exp":1800000600} . (empty) */
    const char *none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
                       "eyJzdWIiOiJ1IiwiZXhwIjoxODAwMDAwNjAwfQ.";
    /* {"alg":"RS256"} with the same claims and a junk signature */
    const char *rs = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1IiwiZXhwIjoxODAwMDAwNjAwfQ.c2ln";
    /* {"alg":"HS512"} */
    const char *hs512 = "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJ1IiwiZXhwIjoxODAwMDAwNjAwfQ.c2ln";

    CU_ASSERT_EQUAL(verify(none, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify(rs, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify(hs512, &cfg, NULL), OD_JWT_BAD_ALG);
}

static void
test_alg_none_with_signature_part(void)
{
    const char *none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1IiwiZXhwIjoxODAwMDAwNjAwfQ.eA";

    CU_ASSERT_EQUAL(verify(none, &cfg, NULL), OD_JWT_BAD_ALG);
}

static void
test_time_claims(void)
{
    char *expired = mint("{\"sub\":\"u\",\"exp\":1799999000}", SECRET);
    char *in_leeway = mint("{\"sub\":\"u\",\"exp\":1799999970}", SECRET);
    char *no_exp = mint("{\"sub\":\"u\"}", SECRET);
    char *str_exp = mint("{\"sub\":\"u\",\"exp\":\"1800000600\"}", SECRET);
    char *future = mint("{\"sub\":\"u\",\"exp\":1800000600,\"nbf\":1800000500}", SECRET);

    CU_ASSERT_EQUAL(verify(expired, &cfg, NULL), OD_JWT_EXPIRED);
    CU_ASSERT_EQUAL(verify(in_leeway, &cfg, NULL), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(no_exp, &cfg, NULL), OD_JWT_NO_EXP);
    CU_ASSERT_EQUAL(verify(str_exp, &cfg, NULL), OD_JWT_NO_EXP);
    CU_ASSERT_EQUAL(verify(future, &cfg, NULL), OD_JWT_NOT_YET_VALID);
    free(expired);
    free(in_leeway);
    free(no_exp);
    free(str_exp);
    free(future);
}

static void
test_issuer_audience(void)
{
    od_jwt_checks strict = { "https://id.example", "odyssey", 60 };
    char *good = mint("{\"sub\":\"u\",\"exp\":1800000600,\"iss\":\"https://id.example\","
                      "\"aud\":[\"other\",\"odyssey\"]}", SECRET);
    char *bad_iss = mint("{\"sub\":\"u\",\"exp\":1800000600,\"iss\":\"https://evil\","
                         "\"aud\":\"odyssey\"}", SECRET);
    char *bad_aud = mint("{\"sub\":\"u\",\"exp\":1800000600,\"iss\":\"https://id.example\","
                         "\"aud\":\"other\"}", SECRET);
    char *no_aud = mint("{\"sub\":\"u\",\"exp\":1800000600,\"iss\":\"https://id.example\"}",
                        SECRET);

    CU_ASSERT_EQUAL(verify(good, &strict, NULL), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(bad_iss, &strict, NULL), OD_JWT_BAD_ISSUER);
    CU_ASSERT_EQUAL(verify(bad_aud, &strict, NULL), OD_JWT_BAD_AUDIENCE);
    CU_ASSERT_EQUAL(verify(no_aud, &strict, NULL), OD_JWT_BAD_AUDIENCE);
    free(good);
    free(bad_iss);
    free(bad_aud);
    free(no_aud);
}

static void
test_subject(void)
{
    char *appwrite = mint("{\"userId\":\"aw-7\",\"exp\":1800000600}", SECRET);
    char *none = mint("{\"exp\":1800000600}", SECRET);
    const char *user;

    CU_ASSERT_EQUAL(verify(appwrite, &cfg, &user), OD_JWT_OK);
    CU_ASSERT_STRING_EQUAL(user, "aw-7");
    CU_ASSERT_EQUAL(verify(none, &cfg, NULL), OD_JWT_NO_SUBJECT);
    free(appwrite);
    free(none);
}

static void
test_malformed_and_size(void)
{
    char *huge = malloc(OD_JWT_MAX_LEN + 10);

    CU_ASSERT_EQUAL(verify("", &cfg, NULL), OD_JWT_MISSING);
    CU_ASSERT_EQUAL(verify("abc", &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify("a.b.c.d", &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify("e30.e30.e30 ", &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify("!!!.e30.e30", &cfg, NULL), OD_JWT_MALFORMED);
    memset(huge, 'a', OD_JWT_MAX_LEN + 9);
    huge[OD_JWT_MAX_LEN + 9] = '\0';
    CU_ASSERT_EQUAL(verify(huge, &cfg, NULL), OD_JWT_TOO_LONG);
    free(huge);
}

static void
test_bearer_header(void)
{
    CU_ASSERT_STRING_EQUAL(od_jwt_from_header("Bearer abc"), "abc");
    CU_ASSERT_STRING_EQUAL(od_jwt_from_header("bearer   abc"), "abc");
    CU_ASSERT_PTR_NULL(od_jwt_from_header("Basic abc"));
    CU_ASSERT_PTR_NULL(od_jwt_from_header("Bearer "));
    CU_ASSERT_PTR_NULL(od_jwt_from_header(NULL));
}

static void
test_disabled_secret(void)
{
    od_keyset *off = hs_keys("");
    char *t = mint(CLAIMS, SECRET);

    CU_ASSERT_EQUAL(od_keyset_count(off), 0);
    CU_ASSERT_EQUAL(verify_with(off, t, &cfg, NULL), OD_JWT_BAD_ALG);
    free(t);
    od_keyset_free(off);
}

static void
test_rs256(void)
{
    EVP_PKEY *key = od_kit_rsa(0), *other = od_kit_rsa(0);
    od_keyset *ks = pem_keys(key, "RS256", "", NULL);
    char *good = od_kit_sign(key, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", CLAIMS);
    char *wrong = od_kit_sign(other, "{\"alg\":\"RS256\"}", CLAIMS);
    char *late = od_kit_sign(key, "{\"alg\":\"RS256\"}", "{\"sub\":\"u\",\"exp\":1}");
    char *tampered = strdup(good);
    const char *user;

    CU_ASSERT_EQUAL(verify_with(ks, good, &cfg, &user), OD_JWT_OK);
    CU_ASSERT_STRING_EQUAL(user, "u");
    CU_ASSERT_EQUAL(verify_with(ks, wrong, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(verify_with(ks, late, &cfg, NULL), OD_JWT_EXPIRED);
    /* flip one character of the claims part */
    tampered[strchr(tampered, '.') - tampered + 5] ^= 1;
    CU_ASSERT_EQUAL(verify_with(ks, tampered, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
    /* a signature one byte short */
    good[strlen(good) - 2] = '\0';
    CU_ASSERT_NOT_EQUAL(verify_with(ks, good, &cfg, NULL), OD_JWT_OK);
    free(good);
    free(wrong);
    free(late);
    free(tampered);
    od_keyset_free(ks);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

static void
test_es256(void)
{
    EVP_PKEY *key = od_kit_ec("P-256"), *other = od_kit_ec("P-256");
    od_keyset *ks = pem_keys(key, "ES256", "", NULL);
    char *good = od_kit_sign(key, "{\"alg\":\"ES256\"}", "{\"userId\":\"aw\",\"exp\":1800000600}");
    char *wrong = od_kit_sign(other, "{\"alg\":\"ES256\"}", CLAIMS);
    char *rs = od_kit_sign(key, "{\"alg\":\"RS256\"}", CLAIMS);
    char *der, *head;
    unsigned char sig[72];
    const char *user;

    CU_ASSERT_EQUAL(verify_with(ks, good, &cfg, &user), OD_JWT_OK);
    CU_ASSERT_STRING_EQUAL(user, "aw");
    CU_ASSERT_EQUAL(verify_with(ks, wrong, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
    /* the header says RS256: the key is ES256 only */
    CU_ASSERT_EQUAL(verify_with(ks, rs, &cfg, NULL), OD_JWT_BAD_ALG);
    /* a 63-, 65- and 72-byte signature (DER-sized) are refused before OpenSSL */
    head = strdup(good);
    *strrchr(head, '.') = '\0';
    memset(sig, 0x30, sizeof(sig));
    for (size_t n = 63; n <= 72; n += n == 63 ? 2 : 7) {
        char *s = od_kit_b64url(sig, n);
        size_t len = strlen(head) + strlen(s) + 2;

        der = malloc(len);
        snprintf(der, len, "%s.%s", head, s);
        CU_ASSERT_EQUAL(verify_with(ks, der, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
        free(der);
        free(s);
    }
    /* r = s = 0 */
    memset(sig, 0, sizeof(sig));
    {
        char *s = od_kit_b64url(sig, 64);
        size_t len = strlen(head) + strlen(s) + 2;

        der = malloc(len);
        snprintf(der, len, "%s.%s", head, s);
        CU_ASSERT_EQUAL(verify_with(ks, der, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
        free(der);
        free(s);
    }
    free(head);
    free(good);
    free(wrong);
    free(rs);
    od_keyset_free(ks);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

/* An HS256 token whose "secret" is the RSA public key PEM, the classic confusion. */
static void
test_hs_rs_confusion(void)
{
    EVP_PKEY *key = od_kit_rsa(0);
    char *pem = od_kit_pem(key);
    od_keyset *only_rsa = pem_keys(key, "RS256", "", NULL);
    od_keyset *rsa_kid = pem_keys(key, "RS256", "rsa-1", NULL);
    od_keyset *both = pem_keys(key, "RS256", "", SECRET);
    char *forged = od_kit_hs256(pem, strlen(pem), "{\"alg\":\"HS256\"}", CLAIMS);
    char *forged_kid = od_kit_hs256(pem, strlen(pem),
                                    "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", CLAIMS);
    char *honest = mint(CLAIMS, SECRET);

    CU_ASSERT_EQUAL(verify_with(only_rsa, forged, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify_with(rsa_kid, forged_kid, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify_with(rsa_kid, forged, &cfg, NULL), OD_JWT_BAD_ALG);
    /* with a real HS256 secret too: the HS256 key is the secret, never the PEM */
    CU_ASSERT_EQUAL(verify_with(both, forged, &cfg, NULL), OD_JWT_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(verify_with(both, honest, &cfg, NULL), OD_JWT_OK);
    free(pem);
    free(forged);
    free(forged_kid);
    free(honest);
    od_keyset_free(only_rsa);
    od_keyset_free(rsa_kid);
    od_keyset_free(both);
    EVP_PKEY_free(key);
}

static void
test_header_rules(void)
{
    EVP_PKEY *key = od_kit_rsa(0);
    od_keyset *ks = pem_keys(key, "RS256", "k1", NULL);
    char *none = od_kit_sign(key, "{\"alg\":\"none\",\"kid\":\"k1\"}", CLAIMS);
    char *ps = od_kit_sign(key, "{\"alg\":\"PS256\",\"kid\":\"k1\"}", CLAIMS);
    char *no_alg = od_kit_sign(key, "{\"kid\":\"k1\"}", CLAIMS);
    char *kid_num = od_kit_sign(key, "{\"alg\":\"RS256\",\"kid\":1}", CLAIMS);
    char *crit = od_kit_sign(key, "{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":[\"b64\"]}",
                             CLAIMS);
    char *unknown = od_kit_sign(key, "{\"alg\":\"RS256\",\"kid\":\"k2\"}", CLAIMS);
    char *no_kid = od_kit_sign(key, "{\"alg\":\"RS256\"}", CLAIMS);
    char *good = od_kit_sign(key, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", CLAIMS);
    char *array = od_kit_sign(key, "[\"RS256\"]", CLAIMS);
    char *not_json = od_kit_sign(key, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"sub\":");

    CU_ASSERT_EQUAL(verify_with(ks, none, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify_with(ks, ps, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify_with(ks, no_alg, &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify_with(ks, kid_num, &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify_with(ks, crit, &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify_with(ks, unknown, &cfg, NULL), OD_JWT_UNKNOWN_KEY);
    CU_ASSERT_EQUAL(verify_with(ks, no_kid, &cfg, NULL), OD_JWT_BAD_ALG);
    CU_ASSERT_EQUAL(verify_with(ks, good, &cfg, NULL), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify_with(ks, array, &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_EQUAL(verify_with(ks, not_json, &cfg, NULL), OD_JWT_MALFORMED);
    CU_ASSERT_STRING_EQUAL(od_jwt_status_detail(OD_JWT_UNKNOWN_KEY),
                           "the token's key (kid) is not known");
    free(none);
    free(ps);
    free(no_alg);
    free(kid_num);
    free(crit);
    free(unknown);
    free(no_kid);
    free(good);
    free(array);
    free(not_json);
    od_keyset_free(ks);
    EVP_PKEY_free(key);
}

static const od_unit_case cases[] = {
    { "valid token and minting", test_valid_and_minted },
    { "wrong secret", test_wrong_secret },
    { "alg none and foreign algorithms", test_alg_none_and_others_refused },
    { "alg none with a signature part", test_alg_none_with_signature_part },
    { "exp, nbf and leeway", test_time_claims },
    { "issuer and audience", test_issuer_audience },
    { "sub or userId", test_subject },
    { "malformed and oversized", test_malformed_and_size },
    { "bearer header parsing", test_bearer_header },
    { "HS256 disabled without a secret", test_disabled_secret },
    { "RS256: valid, wrong key, tampered", test_rs256 },
    { "ES256: valid, wrong key, signature lengths", test_es256 },
    { "HS/RS confusion refused", test_hs_rs_confusion },
    { "header: alg, kid, crit", test_header_rules },
};

OD_UNIT_MAIN("jwt", cases)
