/* test_keyset.c: key sets from the secret, a PEM file and a JWKS file: kid
 * selection, skipped JWKs, rotation by reload, a broken new file keeping the old
 * keys, errors that name the setting, and the settings' validation. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "auth/jwt.h"
#include "auth/keyset.h"
#include "core/config.h"
#include "keykit.h"
#include "unit.h"

#define NOW ((time_t)1800000000)
#define CLAIMS "{\"sub\":\"u\",\"exp\":1800000600}"

static const od_jwt_checks checks = { "", "", 60 };

static od_jwt_status
verify(const od_keyset *ks, const char *token)
{
    od_arena *a = od_arena_create(0);
    od_jwt_claims claims;
    od_jwt_status st = od_jwt_verify(ks, &checks, token, NOW, a, &claims);

    od_arena_destroy(a);
    return st;
}

/* Writes {"keys":[jwk1, jwk2, ...]} (NULL-terminated list) to path. */
static void
write_jwks(const char *path, const char *const *jwks)
{
    char text[32768] = "{\"keys\":[";
    size_t n = strlen(text);

    for (size_t i = 0; jwks[i] != NULL; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? "," : "", jwks[i]);
    snprintf(text + n, sizeof(text) - n, "]}");
    CU_ASSERT_EQUAL(od_kit_write(path, text), 0);
}

static od_keyset *
open_jwks(const char *path, int interval)
{
    od_keyset_settings s = { .jwks_file = path, .jwks_reload_interval = interval };
    od_keyset *ks = NULL;
    char err[256];

    CU_ASSERT_EQUAL(od_keyset_open(&s, &ks, err, sizeof(err)), OD_OK);
    return ks;
}

static void
test_kid_selection(void)
{
    char *dir = od_kit_mkdtemp(), *path = od_kit_path(dir, "jwks.json");
    EVP_PKEY *rsa = od_kit_rsa(0), *ec = od_kit_ec("P-256");
    char *j1 = od_kit_jwk(rsa, "r1", "\"use\":\"sig\",\"alg\":\"RS256\"");
    char *j2 = od_kit_jwk(ec, "e1", NULL);
    const char *set[] = { j1, j2, NULL };
    od_keyset *ks;
    char *t_r1, *t_e1, *t_cross, *t_unknown, *t_nokid, *t_swap;

    write_jwks(path, set);
    ks = open_jwks(path, 60);
    CU_ASSERT_EQUAL_FATAL(od_keyset_count(ks), 2);
    t_r1 = od_kit_sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", CLAIMS);
    t_e1 = od_kit_sign(ec, "{\"alg\":\"ES256\",\"kid\":\"e1\"}", CLAIMS);
    t_cross = od_kit_sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"e1\"}", CLAIMS);
    t_unknown = od_kit_sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"r9\"}", CLAIMS);
    t_nokid = od_kit_sign(rsa, "{\"alg\":\"RS256\"}", CLAIMS);
    t_swap = od_kit_sign(ec, "{\"alg\":\"ES256\",\"kid\":\"r1\"}", CLAIMS);
    CU_ASSERT_EQUAL(verify(ks, t_r1), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(ks, t_e1), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(ks, t_cross), OD_JWT_BAD_ALG);     /* e1 is ES256 */
    CU_ASSERT_EQUAL(verify(ks, t_swap), OD_JWT_BAD_ALG);      /* r1 is RS256 */
    CU_ASSERT_EQUAL(verify(ks, t_unknown), OD_JWT_UNKNOWN_KEY);
    CU_ASSERT_EQUAL(verify(ks, t_nokid), OD_JWT_BAD_ALG);     /* no key without kid */
    free(t_r1);
    free(t_e1);
    free(t_cross);
    free(t_unknown);
    free(t_nokid);
    free(t_swap);
    free(j1);
    free(j2);
    od_keyset_free(ks);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    free(path);
    od_kit_rmdir(dir);
}

static void
test_skipped_jwks(void)
{
    char *dir = od_kit_mkdtemp(), *path = od_kit_path(dir, "jwks.json");
    EVP_PKEY *rsa = od_kit_rsa(0), *ec = od_kit_ec("P-256"), *p384 = od_kit_ec("P-384");
    EVP_PKEY *small = od_kit_rsa(1024);
    char *ok = od_kit_jwk(rsa, "ok", NULL);
    char *enc = od_kit_jwk(rsa, "enc", "\"use\":\"enc\"");
    char *ops = od_kit_jwk(rsa, "ops", "\"key_ops\":[\"encrypt\"]");
    char *nokid = od_kit_jwk(rsa, NULL, NULL);
    char *wrong_alg = od_kit_jwk(rsa, "walg", "\"alg\":\"ES256\"");
    char *rs512 = od_kit_jwk(rsa, "rs512", "\"alg\":\"RS512\"");
    char *curve = od_kit_jwk(p384, "p384", NULL);
    char *tiny = od_kit_jwk(small, "tiny", NULL);
    char *dup = od_kit_jwk(ec, "ok", NULL);
    char *ec_ok = od_kit_jwk(ec, "ec", "\"use\":\"sig\",\"key_ops\":[\"verify\"]");
    char *off_curve = strdup(ec_ok);
    const char *oct = "{\"kty\":\"oct\",\"kid\":\"oct\",\"k\":\"c2VjcmV0\"}";
    const char *bad_n = "{\"kty\":\"RSA\",\"kid\":\"badn\",\"n\":\"!!\",\"e\":\"AQAB\"}";
    const char *set[] = { ok, enc, ops, nokid, wrong_alg, rs512, curve, tiny, dup, ec_ok,
                          off_curve, oct, bad_n, "[]", NULL };
    char *t_enc;
    od_keyset *ks;
    char *y;

    /* move the point off the curve: change y's first character */
    y = strstr(off_curve, "\"y\":\"") + 5;
    *y = *y == 'A' ? 'B' : 'A';
    memcpy(strstr(off_curve, "\"ec\""), "\"ex\"", 4);
    write_jwks(path, set);
    ks = open_jwks(path, 60);
    /* only "ok" (RSA) and "ec" (P-256) are usable */
    CU_ASSERT_EQUAL(od_keyset_count(ks), 2);
    t_enc = od_kit_sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"enc\"}", CLAIMS);
    CU_ASSERT_EQUAL(verify(ks, t_enc), OD_JWT_UNKNOWN_KEY);
    free(t_enc);
    t_enc = od_kit_sign(rsa, "{\"alg\":\"RS256\",\"kid\":\"ok\"}", CLAIMS);
    CU_ASSERT_EQUAL(verify(ks, t_enc), OD_JWT_OK);
    free(t_enc);
    od_keyset_free(ks);
    free(ok);
    free(enc);
    free(ops);
    free(nokid);
    free(wrong_alg);
    free(rs512);
    free(curve);
    free(tiny);
    free(dup);
    free(ec_ok);
    free(off_curve);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(small);
    free(path);
    od_kit_rmdir(dir);
}

static void
test_rotation_and_broken_reload(void)
{
    char *dir = od_kit_mkdtemp(), *path = od_kit_path(dir, "jwks.json");
    EVP_PKEY *old = od_kit_rsa(0), *fresh = od_kit_ec("P-256");
    char *j_old = od_kit_jwk(old, "2024", NULL), *j_new = od_kit_jwk(fresh, "2025", NULL);
    const char *set_old[] = { j_old, NULL }, *set_new[] = { j_new, NULL };
    char *t_old = od_kit_sign(old, "{\"alg\":\"RS256\",\"kid\":\"2024\"}", CLAIMS);
    char *t_new = od_kit_sign(fresh, "{\"alg\":\"ES256\",\"kid\":\"2025\"}", CLAIMS);
    time_t t = 1000;
    od_keyset *ks;

    write_jwks(path, set_old);
    ks = open_jwks(path, 60);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t), OD_OK);  /* unchanged: nothing */
    CU_ASSERT_EQUAL(verify(ks, t_old), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(ks, t_new), OD_JWT_UNKNOWN_KEY);
    /* the identity provider rotates */
    write_jwks(path, set_new);
    CU_ASSERT_EQUAL(od_kit_touch(path, 10), 0);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 30), OD_OK);  /* interval not over */
    CU_ASSERT_EQUAL(verify(ks, t_old), OD_JWT_OK);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 60), OD_OK);
    CU_ASSERT_EQUAL(verify(ks, t_old), OD_JWT_UNKNOWN_KEY);
    CU_ASSERT_EQUAL(verify(ks, t_new), OD_JWT_OK);
    /* a broken new file keeps the keys loaded before */
    CU_ASSERT_EQUAL(od_kit_write(path, "{\"keys\":[{\"kty\":"), 0);
    CU_ASSERT_EQUAL(od_kit_touch(path, 20), 0);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 120), OD_EINVAL);
    CU_ASSERT_EQUAL(verify(ks, t_new), OD_JWT_OK);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 180), OD_OK);  /* same bad file: quiet */
    CU_ASSERT_EQUAL(od_kit_write(path, "{\"not\":\"a set\"}"), 0);
    CU_ASSERT_EQUAL(od_kit_touch(path, 30), 0);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 240), OD_EINVAL);
    CU_ASSERT_EQUAL(verify(ks, t_new), OD_JWT_OK);
    /* a vanished file too */
    CU_ASSERT_EQUAL(unlink(path), 0);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 300), OD_EINVAL);
    CU_ASSERT_EQUAL(verify(ks, t_new), OD_JWT_OK);
    /* and it comes back with both keys */
    {
        const char *both[] = { j_old, j_new, NULL };

        write_jwks(path, both);
    }
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, t + 360), OD_OK);
    CU_ASSERT_EQUAL(verify(ks, t_old), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(ks, t_new), OD_JWT_OK);
    od_keyset_free(ks);
    free(j_old);
    free(j_new);
    free(t_old);
    free(t_new);
    EVP_PKEY_free(old);
    EVP_PKEY_free(fresh);
    free(path);
    od_kit_rmdir(dir);
}

static void
test_interval_zero_and_forced_reload(void)
{
    char *dir = od_kit_mkdtemp(), *path = od_kit_path(dir, "jwks.json");
    EVP_PKEY *a = od_kit_ec("P-256"), *b = od_kit_ec("P-256");
    char *ja = od_kit_jwk(a, "a", NULL), *jb = od_kit_jwk(b, "b", NULL);
    const char *set_a[] = { ja, NULL }, *set_b[] = { jb, NULL };
    char *tb = od_kit_sign(b, "{\"alg\":\"ES256\",\"kid\":\"b\"}", CLAIMS);
    od_keyset *ks;

    write_jwks(path, set_a);
    ks = open_jwks(path, 0);
    write_jwks(path, set_b);
    CU_ASSERT_EQUAL(od_kit_touch(path, 10), 0);
    CU_ASSERT_EQUAL(od_keyset_maybe_reload(ks, time(NULL) + 100000), OD_OK);
    CU_ASSERT_EQUAL(verify(ks, tb), OD_JWT_UNKNOWN_KEY);
    CU_ASSERT_EQUAL(od_keyset_reload(ks), OD_OK);
    CU_ASSERT_EQUAL(verify(ks, tb), OD_JWT_OK);
    od_keyset_free(ks);
    free(ja);
    free(jb);
    free(tb);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    free(path);
    od_kit_rmdir(dir);
}

/* Opens with s and expects failure with needle in the message. */
static void
expect_error(const od_keyset_settings *s, const char *needle)
{
    od_keyset *ks = NULL;
    char err[512] = "";

    CU_ASSERT_NOT_EQUAL(od_keyset_open(s, &ks, err, sizeof(err)), OD_OK);
    CU_ASSERT_PTR_NULL(ks);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
    if (strstr(err, needle) == NULL)
        fprintf(stderr, "expected \"%s\" in \"%s\"\n", needle, err);
}

static void
test_open_errors(void)
{
    char *dir = od_kit_mkdtemp();
    char *pem = od_kit_path(dir, "k.pem"), *jwks = od_kit_path(dir, "jwks.json");
    char *missing = od_kit_path(dir, "missing");
    EVP_PKEY *ec = od_kit_ec("P-256"), *rsa = od_kit_rsa(0);
    char *ec_pem = od_kit_pem(ec), *rsa_pem = od_kit_pem(rsa);
    od_keyset_settings s;

    s = (od_keyset_settings){ .jwks_file = missing };
    expect_error(&s, "ODYSSEY_JWKS_FILE");
    CU_ASSERT_EQUAL(od_kit_write(jwks, "not json"), 0);
    s = (od_keyset_settings){ .jwks_file = jwks };
    expect_error(&s, "is not JSON");
    CU_ASSERT_EQUAL(od_kit_write(jwks, "{\"keys\":{}}"), 0);
    expect_error(&s, "is not a JWK set");
    s = (od_keyset_settings){ .jwks_file = dir };
    expect_error(&s, "not a regular file");
    s = (od_keyset_settings){ .public_key_file = missing };
    expect_error(&s, "ODYSSEY_JWT_PUBLIC_KEY_FILE");
    CU_ASSERT_EQUAL(od_kit_write(pem, "-----BEGIN PRIVATE KEY-----\nAAAA\n"), 0);
    s = (od_keyset_settings){ .public_key_file = pem };
    expect_error(&s, "holds no PEM public key");
    CU_ASSERT_EQUAL(od_kit_write(pem, ec_pem), 0);
    s = (od_keyset_settings){ .public_key_file = pem, .public_key_alg = "RS256" };
    expect_error(&s, "cannot verify RS256");
    s = (od_keyset_settings){ .public_key_file = pem, .public_key_alg = "HS256" };
    expect_error(&s, "ODYSSEY_JWT_PUBLIC_KEY_ALG");
    CU_ASSERT_EQUAL(od_kit_write(pem, rsa_pem), 0);
    s = (od_keyset_settings){ .public_key_file = pem, .public_key_alg = "ES256" };
    expect_error(&s, "cannot verify ES256");
    free(ec_pem);
    free(rsa_pem);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(rsa);
    free(pem);
    free(jwks);
    free(missing);
    od_kit_rmdir(dir);
}

static void
test_pem_kid_and_jwks_together(void)
{
    char *dir = od_kit_mkdtemp();
    char *pem = od_kit_path(dir, "k.pem"), *jwks = od_kit_path(dir, "jwks.json");
    EVP_PKEY *pk = od_kit_rsa(0), *other = od_kit_rsa(0);
    char *text = od_kit_pem(pk), *j = od_kit_jwk(other, "main", NULL);
    const char *set[] = { j, NULL };
    od_keyset_settings s = { .hs256_secret = "s3cret", .public_key_file = pem,
                             .public_key_kid = "main", .jwks_file = jwks };
    od_keyset *ks = NULL;
    char err[256];
    char *t_pem = od_kit_sign(pk, "{\"alg\":\"RS256\",\"kid\":\"main\"}", CLAIMS);
    char *t_jwks = od_kit_sign(other, "{\"alg\":\"RS256\",\"kid\":\"main\"}", CLAIMS);
    char *t_hs = od_kit_hs256("s3cret", 6, "{\"alg\":\"HS256\"}", CLAIMS);
    od_keyset_alg alg;

    CU_ASSERT_EQUAL(od_kit_write(pem, text), 0);
    write_jwks(jwks, set);
    CU_ASSERT_EQUAL_FATAL(od_keyset_open(&s, &ks, err, sizeof(err)), OD_OK);
    /* the JWK whose kid the PEM key holds already is skipped */
    CU_ASSERT_EQUAL(od_keyset_count(ks), 2);
    CU_ASSERT_EQUAL(verify(ks, t_pem), OD_JWT_OK);
    CU_ASSERT_EQUAL(verify(ks, t_jwks), OD_JWT_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(verify(ks, t_hs), OD_JWT_OK);
    CU_ASSERT_EQUAL(od_keyset_alg_parse("none", &alg), -1);
    CU_ASSERT_EQUAL(od_keyset_alg_parse("ES256", &alg), 0);
    CU_ASSERT_STRING_EQUAL(od_keyset_alg_name(alg), "ES256");
    od_keyset_free(ks);
    free(t_pem);
    free(t_jwks);
    free(t_hs);
    free(text);
    free(j);
    EVP_PKEY_free(pk);
    EVP_PKEY_free(other);
    free(pem);
    free(jwks);
    od_kit_rmdir(dir);
}

static void
test_config_keys(void)
{
    char *good[] = { "ODYSSEY_JWT_PUBLIC_KEY_FILE=/etc/odyssey/idp.pem",
                     "ODYSSEY_JWT_PUBLIC_KEY_ALG=ES256", "ODYSSEY_JWT_PUBLIC_KEY_KID=k1",
                     "ODYSSEY_JWKS_FILE=/etc/odyssey/jwks.json",
                     "ODYSSEY_JWKS_RELOAD_INTERVAL=0", NULL };
    char *defaults[] = { NULL };
    char *bad_alg[] = { "ODYSSEY_JWT_PUBLIC_KEY_ALG=HS256", NULL };
    char *bad_alg2[] = { "ODYSSEY_JWT_PUBLIC_KEY_ALG=RS", NULL };
    char *relative[] = { "ODYSSEY_JWKS_FILE=jwks.json", NULL };
    char *bad_interval[] = { "ODYSSEY_JWKS_RELOAD_INTERVAL=-1", NULL };
    od_config c;
    char err[256] = "";

    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, defaults, err, sizeof(err)), OD_OK);
    CU_ASSERT_STRING_EQUAL(c.jwt_public_key_file, "");
    CU_ASSERT_STRING_EQUAL(c.jwt_public_key_alg, "RS256");
    CU_ASSERT_STRING_EQUAL(c.jwks_file, "");
    CU_ASSERT_EQUAL(c.jwks_reload_interval, 60);
    od_config_free(&c);
    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, good, err, sizeof(err)), OD_OK);
    CU_ASSERT_STRING_EQUAL(c.jwt_public_key_alg, "ES256");
    CU_ASSERT_STRING_EQUAL(c.jwt_public_key_kid, "k1");
    CU_ASSERT_STRING_EQUAL(c.jwks_file, "/etc/odyssey/jwks.json");
    CU_ASSERT_EQUAL(c.jwks_reload_interval, 0);
    od_config_free(&c);
    CU_ASSERT_EQUAL(od_config_load(&c, bad_alg, err, sizeof(err)), OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ODYSSEY_JWT_PUBLIC_KEY_ALG"));
    CU_ASSERT_EQUAL(od_config_load(&c, bad_alg2, err, sizeof(err)), OD_EINVAL);
    CU_ASSERT_EQUAL(od_config_load(&c, relative, err, sizeof(err)), OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ODYSSEY_JWKS_FILE"));
    CU_ASSERT_EQUAL(od_config_load(&c, bad_interval, err, sizeof(err)), OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ODYSSEY_JWKS_RELOAD_INTERVAL"));
}

static const od_unit_case cases[] = {
    { "kid selects among JWKS keys", test_kid_selection },
    { "unusable JWKs are skipped", test_skipped_jwks },
    { "rotation, and a broken file keeps the old keys", test_rotation_and_broken_reload },
    { "interval 0 and forced reload", test_interval_zero_and_forced_reload },
    { "open errors name the setting", test_open_errors },
    { "PEM kid, JWKS and secret together", test_pem_kid_and_jwks_together },
    { "config keys and their validation", test_config_keys },
};

OD_UNIT_MAIN("keyset", cases)
