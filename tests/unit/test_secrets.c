/* test_secrets.c: envelope encryption (round trip, tampering, context binding),
 * the master key file and ODYSSEY_MASTER_KEY, rotation by re-wrapping, a KMS of
 * another kind plugged in, and no key or value in any log line. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/arena.h"
#include "core/log.h"
#include "crypto/masterkey.h"
#include "crypto/secrets.h"
#include "unit.h"

static const char value[] = "whsec_5f1e9c0b-the-webhook-secret";
static const char aad[] = "vendor:0b7a4c1e-1111-4222-8333-944455556666/webhook:42";

/* Base64 of 32 bytes all equal to fill, for building key lines. */
static void
key_b64(unsigned char fill, char *out)
{
    unsigned char key[32];

    memset(key, fill, sizeof(key));
    EVP_EncodeBlock((unsigned char *)out, key, (int)sizeof(key));
}

/* Parses text into a key set, asserting success. */
static od_masterkeys *
keys_from(const char *text)
{
    od_masterkeys *mk = NULL;
    char err[512];

    CU_ASSERT_EQUAL(od_masterkey_parse(text, strlen(text), "test", &mk, err, sizeof(err)),
                    OD_OK);
    if (mk == NULL)
        fprintf(stderr, "unexpected parse error: %s\n", err);
    return mk;
}

/* "A <key of 0xAA>" style line. */
static void
key_line(char *out, size_t n, const char *id, unsigned char fill)
{
    char b64[64];

    key_b64(fill, b64);
    snprintf(out, n, "%s %s\n", id, b64);
}

/* Expects parsing to fail with a message that contains want and not the key text. */
static void
parse_fails(const char *text, const char *want, const char *must_not)
{
    od_masterkeys *mk = (od_masterkeys *)1;
    char err[512];

    CU_ASSERT_EQUAL(od_masterkey_parse(text, strlen(text), "keys.txt", &mk, err, sizeof(err)),
                    OD_EINVAL);
    CU_ASSERT_PTR_NULL(mk);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    if (strstr(err, want) == NULL)
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, want);
    if (must_not != NULL)
        CU_ASSERT_PTR_NULL(strstr(err, must_not));
}

static void
test_round_trip(void)
{
    char line[128];
    od_masterkeys *mk;
    od_arena *a = od_arena_create(0);
    od_envelope env;
    od_kms kms;
    unsigned char *pt, bin[300];
    size_t n;
    const char *why = NULL;

    key_line(line, sizeof(line), "k1", 0xAA);
    mk = keys_from(line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    od_masterkey_kms(mk, &kms);
    CU_ASSERT_STRING_EQUAL(kms.active_key_id(kms.ctx), "k1");
    CU_ASSERT_EQUAL_FATAL(od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value),
                                         &env, &why), OD_OK);
    CU_ASSERT_STRING_EQUAL(env.key.key_id, "k1");
    CU_ASSERT_EQUAL(env.key.len, 12 + 32 + 16);
    CU_ASSERT_EQUAL(env.ctlen, strlen(value));
    CU_ASSERT(memcmp(env.ciphertext, value, env.ctlen) != 0);
    CU_ASSERT_EQUAL_FATAL(od_secret_open(&kms, a, aad, strlen(aad), &env, &pt, &n, &why),
                          OD_OK);
    CU_ASSERT_EQUAL(n, strlen(value));
    CU_ASSERT_STRING_EQUAL((char *)pt, value);

    /* binary values with NULs, the empty value, and the size cap */
    for (size_t i = 0; i < sizeof(bin); i++)
        bin[i] = (unsigned char)i;
    CU_ASSERT_EQUAL(od_secret_seal(&kms, a, NULL, 0, bin, sizeof(bin), &env, NULL), OD_OK);
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, NULL, 0, &env, &pt, &n, NULL), OD_OK);
    CU_ASSERT(n == sizeof(bin) && memcmp(pt, bin, n) == 0);
    CU_ASSERT_EQUAL(od_secret_seal(&kms, a, aad, strlen(aad), "", 0, &env, NULL), OD_OK);
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &env, &pt, &n, NULL), OD_OK);
    CU_ASSERT(n == 0 && pt[0] == '\0');
    {
        unsigned char *big = calloc(1, OD_SECRET_VALUE_MAX + 1);

        CU_ASSERT_EQUAL(od_secret_seal(&kms, a, NULL, 0, big, OD_SECRET_VALUE_MAX + 1, &env,
                                       &why), OD_ETOOBIG);
        CU_ASSERT_EQUAL(od_secret_seal(&kms, a, NULL, 0, big, OD_SECRET_VALUE_MAX, &env,
                                       NULL), OD_OK);
        free(big);
    }
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static void
test_plaintext_wiped_at_reset(void)
{
    char line[128];
    od_masterkeys *mk;
    od_arena *a = od_arena_create(0);
    od_envelope env;
    od_kms kms;
    unsigned char *pt;
    size_t n;
    bool zero = true;

    key_line(line, sizeof(line), "k1", 0xAA);
    mk = keys_from(line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    od_masterkey_kms(mk, &kms);
    CU_ASSERT_EQUAL_FATAL(od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value),
                                         &env, NULL), OD_OK);
    CU_ASSERT_EQUAL_FATAL(od_secret_open(&kms, a, aad, strlen(aad), &env, &pt, &n, NULL),
                          OD_OK);
    od_arena_reset(a);  /* the first block stays allocated: its bytes can be inspected */
    for (size_t i = 0; i < n; i++)
        zero = zero && pt[i] == 0;
    CU_ASSERT(zero);
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static void
test_tampering_is_an_error(void)
{
    char line[128];
    od_masterkeys *mk;
    od_arena *a = od_arena_create(0);
    od_envelope env, bad;
    od_kms kms;
    unsigned char *pt = (unsigned char *)"x";
    size_t n = 99;
    const char *why = NULL;

    key_line(line, sizeof(line), "k1", 0xAA);
    mk = keys_from(line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    od_masterkey_kms(mk, &kms);
    CU_ASSERT_EQUAL_FATAL(od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value),
                                         &env, NULL), OD_OK);

    /* every byte of the ciphertext */
    for (size_t i = 0; i < env.ctlen; i++) {
        bad = env;
        bad.ciphertext = od_arena_alloc(a, env.ctlen);
        memcpy(bad.ciphertext, env.ciphertext, env.ctlen);
        bad.ciphertext[i] ^= 0x01;
        CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, &why),
                        OD_EINVAL);
        CU_ASSERT_PTR_NULL(pt);
        CU_ASSERT_EQUAL(n, 0);
    }
    CU_ASSERT_STRING_EQUAL(why, "decrypt the value");
    /* the value's tag and nonce */
    for (size_t i = 0; i < OD_SECRET_TAG_LEN; i++) {
        bad = env;
        bad.tag[i] ^= 0x80;
        CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, NULL),
                        OD_EINVAL);
    }
    for (size_t i = 0; i < OD_SECRET_NONCE_LEN; i++) {
        bad = env;
        bad.nonce[i] ^= 0x01;
        CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, NULL),
                        OD_EINVAL);
    }
    /* every byte of the wrapped data key: its nonce, the key, its tag */
    for (size_t i = 0; i < env.key.len; i++) {
        bad = env;
        bad.key.blob[i] ^= 0x01;
        CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, &why),
                        OD_EINVAL);
    }
    CU_ASSERT_STRING_EQUAL(why, "unwrap the data key");
    /* a truncated wrapped key or ciphertext */
    bad = env;
    bad.key.len--;
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, NULL), OD_EINVAL);
    bad = env;
    bad.ctlen--;
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, NULL), OD_EINVAL);
    /* a key id that is not in the set, and an impossible one */
    bad = env;
    snprintf(bad.key.key_id, sizeof(bad.key.key_id), "k2");
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, &why),
                    OD_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(why, "unwrap the data key");
    bad = env;
    snprintf(bad.key.key_id, sizeof(bad.key.key_id), "k 1");
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, NULL), OD_EINVAL);
    /* the untouched envelope still opens */
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad), &env, &pt, &n, NULL), OD_OK);
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static void
test_wrong_context_is_an_error(void)
{
    static const char other[] = "vendor:0b7a4c1e-1111-4222-8333-944455556666/webhook:43";
    char text[256];
    od_masterkeys *mk, *same_key_other_id;
    od_arena *a = od_arena_create(0);
    od_envelope env;
    od_kms kms, kms2;
    unsigned char *pt;
    size_t n;

    key_line(text, sizeof(text), "k1", 0xAA);
    mk = keys_from(text);
    key_line(text, sizeof(text), "k9", 0xAA);
    same_key_other_id = keys_from(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    CU_ASSERT_PTR_NOT_NULL_FATAL(same_key_other_id);
    od_masterkey_kms(mk, &kms);
    CU_ASSERT_EQUAL_FATAL(od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value),
                                         &env, NULL), OD_OK);
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, other, strlen(other), &env, &pt, &n, NULL),
                    OD_EINVAL);
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, aad, strlen(aad) - 1, &env, &pt, &n, NULL),
                    OD_EINVAL);
    CU_ASSERT_EQUAL(od_secret_open(&kms, a, NULL, 0, &env, &pt, &n, NULL), OD_EINVAL);
    /* the key id is bound to the wrapped key: same key bytes under another id fail */
    od_masterkey_kms(same_key_other_id, &kms2);
    snprintf(env.key.key_id, sizeof(env.key.key_id), "k9");
    CU_ASSERT_EQUAL(od_secret_open(&kms2, a, aad, strlen(aad), &env, &pt, &n, NULL),
                    OD_EINVAL);
    od_masterkey_free(same_key_other_id);
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static void
test_two_encryptions_differ(void)
{
    char line[128];
    od_masterkeys *mk;
    od_arena *a = od_arena_create(0);
    od_envelope e1, e2;
    od_kms kms;

    key_line(line, sizeof(line), "k1", 0xAA);
    mk = keys_from(line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    od_masterkey_kms(mk, &kms);
    CU_ASSERT_EQUAL(od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value), &e1,
                                   NULL), OD_OK);
    CU_ASSERT_EQUAL(od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value), &e2,
                                   NULL), OD_OK);
    CU_ASSERT(memcmp(e1.ciphertext, e2.ciphertext, e1.ctlen) != 0);
    CU_ASSERT(memcmp(e1.nonce, e2.nonce, sizeof(e1.nonce)) != 0);
    CU_ASSERT(memcmp(e1.tag, e2.tag, sizeof(e1.tag)) != 0);
    CU_ASSERT(memcmp(e1.key.blob, e2.key.blob, e1.key.len) != 0);
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static void
test_key_file_parsing(void)
{
    char a_b64[64], b_b64[64], text[1024], short_b64[64], long_b64[96];
    unsigned char raw[48];
    od_masterkeys *mk;

    key_b64(0xAA, a_b64);
    key_b64(0xBB, b_b64);
    memset(raw, 0x11, sizeof(raw));
    EVP_EncodeBlock((unsigned char *)short_b64, raw, 16);
    EVP_EncodeBlock((unsigned char *)long_b64, raw, 48);

    /* comments, blank lines, CRLF, tabs, a trailing comment; the first key is active */
    snprintf(text, sizeof(text), "# Odyssey master keys\r\n\n   \n"
             "k2\t%s   # added 2025-06\r\n# the old one:\nk1 %s\n", b_b64, a_b64);
    mk = keys_from(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    CU_ASSERT_EQUAL(od_masterkey_count(mk), 2);
    CU_ASSERT_STRING_EQUAL(od_masterkey_active_id(mk), "k2");
    CU_ASSERT_STRING_EQUAL(od_masterkey_id(mk, 1), "k1");
    CU_ASSERT_PTR_NULL(od_masterkey_id(mk, 2));
    CU_ASSERT(od_masterkey_has(mk, "k1") && od_masterkey_has(mk, "k2"));
    CU_ASSERT(!od_masterkey_has(mk, "k3"));
    CU_ASSERT_STRING_EQUAL(od_masterkey_source(mk), "test");
    od_masterkey_free(mk);

    /* a lone base64 key (openssl rand -base64 32) gets a stable derived id */
    snprintf(text, sizeof(text), "%s\n", a_b64);
    mk = keys_from(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    CU_ASSERT_EQUAL(strncmp(od_masterkey_active_id(mk), "fp-", 3), 0);
    CU_ASSERT_EQUAL(strlen(od_masterkey_active_id(mk)), 15);
    {
        od_masterkeys *again = keys_from(text);

        CU_ASSERT_PTR_NOT_NULL_FATAL(again);
        CU_ASSERT_STRING_EQUAL(od_masterkey_active_id(mk), od_masterkey_active_id(again));
        od_masterkey_free(again);
    }
    od_masterkey_free(mk);

    /* errors name the line and never echo the key */
    snprintf(text, sizeof(text), "# keys\nk1 %s\nk2 %.43s!\n", a_b64, b_b64);
    parse_fails(text, "keys.txt line 3: the key is not valid base64", b_b64 + 4);
    snprintf(text, sizeof(text), "k1 %.43s\n", a_b64);  /* no padding */
    parse_fails(text, "line 1: the key is not valid base64", NULL);
    snprintf(text, sizeof(text), "k1 %s\n\nk2 %s\n", a_b64, short_b64);
    parse_fails(text, "line 3: the key must be 32 bytes, got 16", short_b64);
    snprintf(text, sizeof(text), "k1 %s\n", long_b64);
    parse_fails(text, "line 1: the key must be 32 bytes, got 48", long_b64);
    snprintf(text, sizeof(text), "k1 %s\n# x\nk1 %s\n", a_b64, b_b64);
    parse_fails(text, "line 3: duplicate key id \"k1\" (first on line 1)", b_b64);
    snprintf(text, sizeof(text), "k/1 %s\n", a_b64);
    parse_fails(text, "line 1: bad key id", a_b64);
    snprintf(text, sizeof(text), "k1 %s extra\n", a_b64);
    parse_fails(text, "line 1: expected \"KEY_ID BASE64_KEY\"", a_b64);
    snprintf(text, sizeof(text), "%s %s\n", a_b64, b_b64);  /* a key where the id goes */
    parse_fails(text, "line 1: bad key id", a_b64);
    parse_fails("k1\n", "line 1: expected \"KEY_ID BASE64_KEY\"", NULL);
    parse_fails("# nothing here\n\n", "keys.txt: no master key", NULL);
    parse_fails("", "no master key", NULL);
}

/* Writes text to a new file in dir with mode; returns the path (static buffer). */
static const char *
write_key_file(const char *dir, const void *text, size_t n, mode_t mode)
{
    static char path[512];
    int fd;

    snprintf(path, sizeof(path), "%s/master.key", dir);
    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, text, n) == (ssize_t)n);
    close(fd);
    chmod(path, mode);
    return path;
}

static void
test_key_file_loading(void)
{
    char dir[] = "/tmp/od_secrets_XXXXXX", line[128], err[512], warn[512];
    unsigned char raw[32];
    od_masterkeys *mk;
    const char *path;
    char *big;

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    key_line(line, sizeof(line), "k1", 0xAA);
    path = write_key_file(dir, line, strlen(line), 0600);
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL(warn, "");
    CU_ASSERT_STRING_EQUAL(od_masterkey_source(mk), path);
    od_masterkey_free(mk);

    path = write_key_file(dir, line, strlen(line), 0640);  /* root:odyssey */
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL(warn, "");
    od_masterkey_free(mk);

    path = write_key_file(dir, line, strlen(line), 0660);  /* group-writable: a warning */
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(warn, "mode 0660"));
    od_masterkey_free(mk);

    path = write_key_file(dir, line, strlen(line), 0644);  /* world-readable: refused */
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EINVAL);
    CU_ASSERT_PTR_NULL(mk);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0644"));

    /* 32 raw bytes (head -c 32 /dev/urandom) are one key */
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = (unsigned char)(i * 37 + 200);
    path = write_key_file(dir, raw, sizeof(raw), 0600);
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_OK);
    CU_ASSERT_EQUAL(od_masterkey_count(mk), 1);
    CU_ASSERT_EQUAL(strncmp(od_masterkey_active_id(mk), "fp-", 3), 0);
    od_masterkey_free(mk);

    /* a bad line in a file names the path and the line */
    path = write_key_file(dir, "k1 bm9wZQ==\n", 12, 0600);
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 1: the key must be 32 bytes, got 4"));
    CU_ASSERT_PTR_NULL(strstr(err, "bm9wZQ"));

    /* too large, a directory, a missing file */
    big = malloc(OD_MASTERKEY_FILE_MAX + 10);
    memset(big, '#', OD_MASTERKEY_FILE_MAX + 10);
    path = write_key_file(dir, big, OD_MASTERKEY_FILE_MAX + 10, 0600);
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than"));
    free(big);
    unlink(path);
    CU_ASSERT_EQUAL(od_masterkey_load_file(dir, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
    CU_ASSERT_EQUAL(od_masterkey_load_file(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot open"));
    CU_ASSERT_EQUAL(od_masterkey_load_file("", &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EINVAL);
    rmdir(dir);
}

static void
test_env_variable(void)
{
    char a_line[128], b_line[128], env[300], err[512], warn[512], dir[] = "/tmp/od_secrets_XXXXXX";
    od_masterkeys *mk;
    const char *path;

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    key_line(a_line, sizeof(a_line), "k1", 0xAA);
    key_line(b_line, sizeof(b_line), "k2", 0xBB);
    path = write_key_file(dir, a_line, strlen(a_line), 0600);

    /* unset or empty: the file */
    unsetenv(OD_MASTERKEY_ENV);
    CU_ASSERT_EQUAL(od_masterkey_load(path, &mk, err, sizeof(err), warn, sizeof(warn)), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_masterkey_active_id(mk), "k1");
    od_masterkey_free(mk);
    setenv(OD_MASTERKEY_ENV, "", 1);
    CU_ASSERT_EQUAL(od_masterkey_load(path, &mk, err, sizeof(err), warn, sizeof(warn)), OD_OK);
    od_masterkey_free(mk);

    /* set: it wins over the file; one line, or several joined by ';' */
    b_line[strlen(b_line) - 1] = '\0';
    setenv(OD_MASTERKEY_ENV, b_line, 1);
    CU_ASSERT_EQUAL(od_masterkey_load("/nonexistent/master.key", &mk, err, sizeof(err), warn,
                                      sizeof(warn)), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_masterkey_active_id(mk), "k2");
    CU_ASSERT_STRING_EQUAL(od_masterkey_source(mk), OD_MASTERKEY_ENV);
    CU_ASSERT_EQUAL(od_masterkey_count(mk), 1);
    od_masterkey_free(mk);
    a_line[strlen(a_line) - 1] = '\0';
    snprintf(env, sizeof(env), "%s;%s", b_line, a_line);
    setenv(OD_MASTERKEY_ENV, env, 1);
    CU_ASSERT_EQUAL(od_masterkey_load(path, &mk, err, sizeof(err), warn, sizeof(warn)), OD_OK);
    CU_ASSERT_EQUAL(od_masterkey_count(mk), 2);
    CU_ASSERT_STRING_EQUAL(od_masterkey_active_id(mk), "k2");
    od_masterkey_free(mk);

    /* a bad value names the variable, not its content */
    setenv(OD_MASTERKEY_ENV, "k1 c2VjcmV0LWJ1dC1zaG9ydA==", 1);
    CU_ASSERT_EQUAL(od_masterkey_load(path, &mk, err, sizeof(err), warn, sizeof(warn)),
                    OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ODYSSEY_MASTER_KEY line 1: the key must be 32 bytes"));
    CU_ASSERT_PTR_NULL(strstr(err, "c2VjcmV0"));
    unsetenv(OD_MASTERKEY_ENV);
    unlink(path);
    rmdir(dir);
}

static void
test_rotation(void)
{
    char a_line[128], b_line[128], text[300];
    od_masterkeys *old_set, *new_set, *without_a;
    od_arena *a = od_arena_create(0);
    od_envelope env, rotated;
    od_wrapped again;
    od_kms old_kms, new_kms, bare_kms;
    unsigned char *pt;
    size_t n;
    const char *why = NULL;

    key_line(a_line, sizeof(a_line), "A", 0xAA);
    key_line(b_line, sizeof(b_line), "B", 0xBB);
    old_set = keys_from(a_line);
    snprintf(text, sizeof(text), "%s%s", b_line, a_line);
    new_set = keys_from(text);
    without_a = keys_from(b_line);
    CU_ASSERT_FATAL(old_set != NULL && new_set != NULL && without_a != NULL);
    od_masterkey_kms(old_set, &old_kms);
    od_masterkey_kms(new_set, &new_kms);
    od_masterkey_kms(without_a, &bare_kms);

    CU_ASSERT_EQUAL_FATAL(od_secret_seal(&old_kms, a, aad, strlen(aad), value, strlen(value),
                                         &env, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL(env.key.key_id, "A");
    /* after B is prepended, A still opens it, and new secrets go under B */
    CU_ASSERT_EQUAL(od_secret_open(&new_kms, a, aad, strlen(aad), &env, &pt, &n, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL(new_kms.active_key_id(new_kms.ctx), "B");
    /* re-wrap: only the wrapped key changes */
    rotated = env;
    CU_ASSERT_EQUAL_FATAL(od_secret_rewrap(&new_kms, &new_kms, &env.key, &rotated.key, &why),
                          OD_OK);
    CU_ASSERT_STRING_EQUAL(rotated.key.key_id, "B");
    CU_ASSERT_PTR_EQUAL(rotated.ciphertext, env.ciphertext);
    CU_ASSERT_EQUAL(od_secret_open(&new_kms, a, aad, strlen(aad), &rotated, &pt, &n, NULL),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL((char *)pt, value);
    /* without A: the old envelope is lost, the re-wrapped one is fine */
    CU_ASSERT_EQUAL(od_secret_open(&bare_kms, a, aad, strlen(aad), &env, &pt, &n, &why),
                    OD_ENOTFOUND);
    CU_ASSERT_EQUAL(od_secret_rewrap(&bare_kms, &bare_kms, &env.key, &again, &why),
                    OD_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(why, "unwrap the data key");
    CU_ASSERT_EQUAL(od_secret_open(&bare_kms, a, aad, strlen(aad), &rotated, &pt, &n, NULL),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL((char *)pt, value);
    /* re-wrapping again stays under B (idempotent in effect) */
    CU_ASSERT_EQUAL(od_secret_rewrap(&new_kms, &new_kms, &rotated.key, &again, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL(again.key_id, "B");
    CU_ASSERT_EQUAL(od_secret_rewrap(&new_kms, &new_kms, &again, &again, NULL), OD_EINVAL);

    od_masterkey_free(without_a);
    od_masterkey_free(new_set);
    od_masterkey_free(old_set);
    od_arena_destroy(a);
}

/* Another od_kms implementation, as a cloud KMS client would be: here a fixed key
 * under the id "cloud:test", with a 4-byte header to prove the blob is opaque. */
static const unsigned char cloud_key[32] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                             7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 9 };

static od_rc
cloud_wrap(void *ctx, const unsigned char *dek, size_t n, od_wrapped *out)
{
    (void)ctx;
    memset(out, 0, sizeof(*out));
    memcpy(out->blob, "CKMS", 4);
    memset(out->blob + 4, 0x42, 12);  /* a test double: a fixed nonce is fine here */
    snprintf(out->key_id, sizeof(out->key_id), "cloud:test");
    out->len = 4 + 12 + n + 16;
    return od_secret_gcm_seal(cloud_key, out->blob + 4, "cloud", 5, dek, n, out->blob + 16,
                              out->blob + 16 + n);
}

static od_rc
cloud_unwrap(void *ctx, const od_wrapped *in, unsigned char *dek, size_t *n)
{
    size_t dl;

    (void)ctx;
    if (strcmp(in->key_id, "cloud:test") != 0)
        return OD_ENOTFOUND;
    if (in->len < 4 + 12 + 16 + 1 || memcmp(in->blob, "CKMS", 4) != 0)
        return OD_EINVAL;
    dl = in->len - 32;
    if (dl > *n)
        return OD_EINVAL;
    *n = dl;
    return od_secret_gcm_open(cloud_key, in->blob + 4, "cloud", 5, in->blob + 16, dl,
                              in->blob + 16 + dl, dek);
}

static const char *
cloud_active(void *ctx)
{
    (void)ctx;
    return "cloud:test";
}

static od_rc
broken_wrap(void *ctx, const unsigned char *dek, size_t n, od_wrapped *out)
{
    (void)ctx;
    (void)dek;
    (void)n;
    memset(out, 0, sizeof(*out));  /* "succeeds" with nothing: must not be accepted */
    return OD_OK;
}

static void
test_other_kms_plugs_in(void)
{
    char line[128];
    od_kms cloud = { cloud_wrap, cloud_unwrap, cloud_active, NULL };
    od_kms broken = { broken_wrap, cloud_unwrap, cloud_active, NULL };
    od_kms local;
    od_masterkeys *mk;
    od_arena *a = od_arena_create(0);
    od_envelope env, moved;
    unsigned char *pt;
    size_t n;
    const char *why = NULL;

    CU_ASSERT_EQUAL_FATAL(od_secret_seal(&cloud, a, aad, strlen(aad), value, strlen(value),
                                         &env, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL(env.key.key_id, "cloud:test");
    CU_ASSERT_EQUAL(od_secret_open(&cloud, a, aad, strlen(aad), &env, &pt, &n, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL((char *)pt, value);
    /* moving from one KMS to another is a re-wrap too */
    key_line(line, sizeof(line), "k1", 0xAA);
    mk = keys_from(line);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mk);
    od_masterkey_kms(mk, &local);
    moved = env;
    CU_ASSERT_EQUAL(od_secret_rewrap(&cloud, &local, &env.key, &moved.key, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL(moved.key.key_id, "k1");
    CU_ASSERT_EQUAL(od_secret_open(&local, a, aad, strlen(aad), &moved, &pt, &n, NULL), OD_OK);
    CU_ASSERT_STRING_EQUAL((char *)pt, value);
    CU_ASSERT_EQUAL(od_secret_open(&local, a, aad, strlen(aad), &env, &pt, &n, NULL),
                    OD_ENOTFOUND);
    /* a KMS that answers nonsense is an error */
    CU_ASSERT_EQUAL(od_secret_seal(&broken, a, aad, strlen(aad), value, strlen(value), &env,
                                   &why), OD_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "wrap the data key");
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static void
test_generate(void)
{
    char l1[192], l2[192], tiny[20];
    od_masterkeys *mk;
    char err[256];

    CU_ASSERT_EQUAL(od_masterkey_generate("k20250607-abcd", l1, sizeof(l1)), OD_OK);
    CU_ASSERT_EQUAL(od_masterkey_generate("k20250607-abce", l2, sizeof(l2)), OD_OK);
    CU_ASSERT_EQUAL(strlen(l1), strlen("k20250607-abcd ") + 44);
    CU_ASSERT(strcmp(l1 + 15, l2 + 15) != 0);
    CU_ASSERT_EQUAL(od_masterkey_parse(l1, strlen(l1), "generated", &mk, err, sizeof(err)),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL(od_masterkey_active_id(mk), "k20250607-abcd");
    od_masterkey_free(mk);
    CU_ASSERT_EQUAL(od_masterkey_generate("bad id", l1, sizeof(l1)), OD_EINVAL);
    CU_ASSERT_EQUAL(od_masterkey_generate("", l1, sizeof(l1)), OD_EINVAL);
    CU_ASSERT_EQUAL(od_masterkey_generate("k1", tiny, sizeof(tiny)), OD_ETOOBIG);
}

/* Hex of n bytes into out (2n + 1). */
static void
to_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* The log contract: errors say which step failed, never the bytes. Every failure
 * path is logged the way a caller would (od_log with the message, the step and the
 * code), with stderr captured; then no line may hold the value, a key (base64 or
 * hex) or the key line. */
static void
test_no_secret_in_log_lines(void)
{
    char dir[] = "/tmp/od_secrets_XXXXXX", logpath[512], line[128], b64[64], keyhex[65];
    char err[512], warn[512], text[512], *logtext;
    unsigned char key[32];
    od_masterkeys *mk = NULL, *other = NULL, *none = NULL;
    od_arena *a = od_arena_create(0);
    od_envelope env, bad;
    od_kms kms, other_kms;
    unsigned char *pt;
    size_t n;
    const char *why;
    int saved, fd;
    long len;
    FILE *f;
    od_rc rc;

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    memset(key, 0xAA, sizeof(key));
    key_b64(0xAA, b64);
    to_hex(key, sizeof(key), keyhex);
    key_line(line, sizeof(line), "k1", 0xAA);
    snprintf(logpath, sizeof(logpath), "%s/log", dir);
    fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    od_log_init("test_secrets", OD_LOG_DEBUG);

    mk = keys_from(line);
    od_masterkey_kms(mk, &kms);
    rc = od_secret_seal(&kms, a, aad, strlen(aad), value, strlen(value), &env, &why);
    od_log_info("sealed a secret: %s", od_rc_str(rc));
    rc = od_secret_open(&kms, a, aad, strlen(aad), &env, &pt, &n, &why);
    od_log_info("opened a secret: %s", od_rc_str(rc));
    bad = env;
    bad.tag[0] ^= 1;
    why = NULL;
    rc = od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, &why);
    od_log_error("secret: cannot %s: %s", why, od_rc_str(rc));
    rc = od_secret_open(&kms, a, "x", 1, &env, &pt, &n, &why);
    od_log_error("secret: cannot %s: %s", why, od_rc_str(rc));
    bad = env;
    bad.key.blob[20] ^= 1;
    rc = od_secret_open(&kms, a, aad, strlen(aad), &bad, &pt, &n, &why);
    od_log_error("secret: cannot %s: %s", why, od_rc_str(rc));
    key_line(text, sizeof(text), "k9", 0xAA);  /* the same key bytes under another id */
    other = keys_from(text);
    od_masterkey_kms(other, &other_kms);
    rc = od_secret_open(&other_kms, a, aad, strlen(aad), &env, &pt, &n, &why);
    od_log_error("secret: cannot %s: %s", why, od_rc_str(rc));
    /* key file errors, as a program would report them */
    snprintf(text, sizeof(text), "k1 %s\nk1 %s\n", b64, b64);
    od_masterkey_parse(text, strlen(text), "master.key", &none, err, sizeof(err));
    od_log_error("%s", err);
    snprintf(text, sizeof(text), "k1 %.40s\n", b64);
    od_masterkey_parse(text, strlen(text), "master.key", &none, err, sizeof(err));
    od_log_error("%s", err);
    snprintf(text, sizeof(text), "%.*s extra words\n", (int)strlen(line) - 1, line);
    od_masterkey_parse(text, strlen(text), "master.key", &none, err, sizeof(err));
    od_log_error("%s", err);
    setenv(OD_MASTERKEY_ENV, "k1 AAAA;k2", 1);
    od_masterkey_load(NULL, &none, err, sizeof(err), warn, sizeof(warn));
    od_log_error("%s", err);
    unsetenv(OD_MASTERKEY_ENV);

    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    od_log_init("test_secrets", OD_LOG_ERROR);

    f = fopen(logpath, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    logtext = calloc(1, (size_t)len + 1);
    CU_ASSERT_EQUAL(fread(logtext, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    CU_ASSERT(len > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "cannot decrypt the value"));
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "cannot unwrap the data key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(logtext, "duplicate key id"));
    CU_ASSERT_PTR_NULL(strstr(logtext, value));
    CU_ASSERT_PTR_NULL(strstr(logtext, "whsec_"));
    CU_ASSERT_PTR_NULL(strstr(logtext, b64));
    CU_ASSERT_PTR_NULL(strstr(logtext, "qqqqqqqq"));  /* any run of base64 of 0xAA bytes */
    CU_ASSERT_PTR_NULL(strstr(logtext, keyhex));
    CU_ASSERT_PTR_NULL(strstr(logtext, "aaaaaaaa"));
    CU_ASSERT_PTR_NULL(strstr(logtext, "AAAA"));
    CU_ASSERT_PTR_NULL(none);
    for (char *p = logtext; *p != '\0'; p = strchr(p, '\n') + 1) {
        CU_ASSERT_EQUAL(*p, '{');  /* one JSON object per line */
        if (strchr(p, '\n') == NULL)
            break;
    }
    free(logtext);
    unlink(logpath);
    rmdir(dir);
    od_masterkey_free(other);
    od_masterkey_free(mk);
    od_arena_destroy(a);
}

static const od_unit_case cases[] = {
    { "round trip, binary, empty and capped values", test_round_trip },
    { "a plaintext is wiped when its arena is reset", test_plaintext_wiped_at_reset },
    { "tampering with any part is an error", test_tampering_is_an_error },
    { "a wrong context (AAD) or key id is an error", test_wrong_context_is_an_error },
    { "two encryptions of one value differ", test_two_encryptions_differ },
    { "master key file parsing and its errors", test_key_file_parsing },
    { "master key file loading and permissions", test_key_file_loading },
    { "ODYSSEY_MASTER_KEY", test_env_variable },
    { "rotation re-wraps the data key only", test_rotation },
    { "another od_kms plugs in", test_other_kms_plugs_in },
    { "keys generate", test_generate },
    { "no secret or key in any log line", test_no_secret_in_log_lines },
};

OD_UNIT_MAIN("secrets", cases)
