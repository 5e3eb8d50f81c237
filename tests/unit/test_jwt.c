/* test_jwt.c: HS256 verification: the header's alg is enforced before libjwt
 * sees the token; exp/nbf/iss/aud/sub are checked here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>

#include "auth/jwt.h"
#include "unit.h"

#define SECRET "test-secret-0123456789abcdef0123456789"
#define NOW ((time_t)1800000000)

static od_jwt_config cfg = { SECRET, "", "", 60 };

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
verify(const char *token, od_jwt_config *c, const char **user)
{
    od_arena *a = od_arena_create(0);
    od_jwt_claims claims;
    od_jwt_status st = od_jwt_verify(c, token, NOW, a, &claims);
    static char keep[256];

    keep[0] = '\0';
    if (st == OD_JWT_OK)
        snprintf(keep, sizeof(keep), "%s", claims.user_id);
    if (user)
        *user = keep;
    od_arena_destroy(a);
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
    od_jwt_config strict = { SECRET, "https://id.example", "odyssey", 60 };
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
    od_jwt_config off = { "", "", "", 60 };
    char *t = mint("{\"sub\":\"u\",\"exp\":1800000600}", SECRET);

    CU_ASSERT_EQUAL(verify(t, &off, NULL), OD_JWT_BAD_ALG);
    free(t);
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
};

OD_UNIT_MAIN("jwt", cases)
