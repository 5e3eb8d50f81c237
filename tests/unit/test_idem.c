/* test_idem.c: the Idempotency-Key header: bare and quoted forms, limits, request
 * fingerprints and lock ids (all pure). */
#include <string.h>

#include "http/idem.h"
#include "unit.h"

#define VA "11111111-1111-1111-1111-111111111111"
#define VB "22222222-2222-2222-2222-222222222222"

static void
parses_to(const char *value, const char *want)
{
    char out[OD_IDEM_KEY_MAX + 1];

    memset(out, 'x', sizeof(out));
    CU_ASSERT_TRUE(od_idem_key_parse(value, out));
    CU_ASSERT_STRING_EQUAL(out, want);
}

static void
refused(const char *value)
{
    char out[OD_IDEM_KEY_MAX + 1];

    CU_ASSERT_FALSE(od_idem_key_parse(value, out));
}

static void
test_bare_token(void)
{
    parses_to("abc", "abc");
    parses_to("8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324");
    parses_to("a", "a");
    parses_to("~!#$%&'()*+,-./:;<=>?@[\\]^_`{|}", "~!#$%&'()*+,-./:;<=>?@[\\]^_`{|}");
    refused("");
    refused(NULL);
    refused("abc def");     /* a space needs the quoted form */
    refused(" abc");
    refused("abc ");
    refused("ab\"c");       /* a quote inside a bare token */
    refused("ab\tc");
    refused("ab\x7f");
    refused("ab\x01");
    refused("caf\xc3\xa9");  /* not ASCII */
}

static void
test_quoted_string(void)
{
    parses_to("\"abc\"", "abc");
    parses_to("\"abc def\"", "abc def");     /* spaces are fine inside quotes */
    parses_to("\" \"", " ");
    parses_to("\"a\\\"b\"", "a\"b");          /* \" */
    parses_to("\"a\\\\b\"", "a\\b");          /* \\ */
    parses_to("\"\\\\\\\"\"", "\\\"");
    parses_to("\"'\"", "'");
    refused("\"\"");                          /* empty */
    refused("\"");                            /* a lone quote */
    refused("\"abc");                         /* unterminated */
    refused("\"abc\\\"");                     /* the closing quote is escaped */
    refused("\"abc\\");                       /* escape at the end of the value */
    refused("\"abc\"x");                      /* trailing bytes */
    refused("\"abc\" ");
    refused("\"abc\"\"def\"");
    refused("\"a\\nb\"");                     /* only \" and \\ are escapes */
    refused("\"a\\tb\"");
    refused("\"a\tb\"");                      /* control characters */
    refused("\"a\nb\"");
    refused("\"a\x7f\"");
    refused("\"caf\xc3\xa9\"");
}

static void
test_length_limits(void)
{
    char v[600], want[300];
    char out[OD_IDEM_KEY_MAX + 1];

    /* bare: 255 fits, 256 does not */
    memset(v, 'k', 255);
    v[255] = '\0';
    parses_to(v, v);
    memset(v, 'k', 256);
    v[256] = '\0';
    refused(v);

    /* quoted: the limit counts the characters of the key, not the quotes */
    v[0] = '"';
    memset(v + 1, 'q', 255);
    v[256] = '"';
    v[257] = '\0';
    memset(want, 'q', 255);
    want[255] = '\0';
    parses_to(v, want);
    v[0] = '"';
    memset(v + 1, 'q', 256);
    v[257] = '"';
    v[258] = '\0';
    refused(v);

    /* and an escape counts as one character: 255 escaped quotes fit */
    v[0] = '"';
    for (int i = 0; i < 255; i++) {
        v[1 + 2 * i] = '\\';
        v[2 + 2 * i] = '"';
    }
    v[511] = '"';
    v[512] = '\0';
    memset(want, '"', 255);
    want[255] = '\0';
    CU_ASSERT_TRUE(od_idem_key_parse(v, out));
    CU_ASSERT_EQUAL(strlen(out), 255);
    CU_ASSERT_STRING_EQUAL(out, want);
    /* 256 do not */
    v[511] = '\\';
    v[512] = '"';
    v[513] = '"';
    v[514] = '\0';
    refused(v);
}

static void
fp(const char *m, const char *p, const char *q, const char *b, size_t blen, char hex[65])
{
    memset(hex, 0, 65);
    CU_ASSERT_TRUE(od_idem_fingerprint(m, p, q, b, blen, hex));
    CU_ASSERT_EQUAL(strlen(hex), 64);
    CU_ASSERT_EQUAL(strspn(hex, "0123456789abcdef"), 64);
}

static void
test_fingerprint_known_answer(void)
{
    char h[65];
    const char *body = "{\"items\":[]}";

    /* SHA-256 of be64(4) "POST" be64(16) "/api/v1/products" be64(0) be64(12) body,
     * computed independently (Python hashlib). */
    fp("POST", "/api/v1/products", NULL, body, strlen(body), h);
    CU_ASSERT_STRING_EQUAL(h, "3d06b229c945a4e1c25396a5132254699a886a5cc2ee1acb273e0b6a282d02d4");
    fp("POST", "/api/v1/products", "", body, strlen(body), h);
    CU_ASSERT_STRING_EQUAL(h, "3d06b229c945a4e1c25396a5132254699a886a5cc2ee1acb273e0b6a282d02d4");
}

static void
test_fingerprint_stable_and_distinct(void)
{
    char base[65], h[65];
    const char *body = "{\"name\":\"x\"}";

    fp("POST", "/api/v1/products", "a=1", body, strlen(body), base);
    fp("POST", "/api/v1/products", "a=1", body, strlen(body), h);
    CU_ASSERT_STRING_EQUAL(h, base);

    fp("PUT", "/api/v1/products", "a=1", body, strlen(body), h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
    fp("POST", "/api/v1/product", "a=1", body, strlen(body), h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
    fp("POST", "/api/v1/products", "a=2", body, strlen(body), h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
    fp("POST", "/api/v1/products", NULL, body, strlen(body), h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
    fp("POST", "/api/v1/products", "a=1", "{\"name\":\"y\"}", strlen(body), h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
    fp("POST", "/api/v1/products", "a=1", body, strlen(body) - 1, h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
    fp("POST", "/api/v1/products", "a=1", NULL, 0, h);
    CU_ASSERT_STRING_NOT_EQUAL(h, base);
}

static void
test_fingerprint_body_bytes(void)
{
    char h1[65], h2[65];

    /* body_len counts, not strlen: bytes after a NUL matter, bytes past len do not */
    fp("POST", "/p", NULL, "a\0b", 3, h1);
    fp("POST", "/p", NULL, "a\0c", 3, h2);
    CU_ASSERT_STRING_NOT_EQUAL(h1, h2);
    fp("POST", "/p", NULL, "abcdef", 3, h1);
    fp("POST", "/p", NULL, "abcxyz", 3, h2);
    CU_ASSERT_STRING_EQUAL(h1, h2);
    fp("POST", "/p", NULL, "abc", 3, h2);
    CU_ASSERT_STRING_EQUAL(h1, h2);
}

static void
test_fingerprint_no_concatenation_ambiguity(void)
{
    char h1[65], h2[65];

    fp("POST", "a", "bc", "", 0, h1);
    fp("POST", "ab", "c", "", 0, h2);
    CU_ASSERT_STRING_NOT_EQUAL(h1, h2);
    fp("POS", "T/x", NULL, "", 0, h1);
    fp("POST", "/x", NULL, "", 0, h2);
    CU_ASSERT_STRING_NOT_EQUAL(h1, h2);
    fp("POST", "/x", "q", "", 0, h1);
    fp("POST", "/x", "", "q", 1, h2);
    CU_ASSERT_STRING_NOT_EQUAL(h1, h2);
    fp("POST", "/x", "q=1", "b", 1, h1);
    fp("POST", "/x", "q=", "1b", 2, h2);
    CU_ASSERT_STRING_NOT_EQUAL(h1, h2);
}

static void
test_lock_id(void)
{
    int64_t id = od_idem_lock_id(VA, "abc");

    /* first 8 bytes (big-endian, signed) of SHA-256 of be64(36) VA be64(3) "abc",
     * computed independently (Python hashlib) */
    CU_ASSERT_EQUAL(id, INT64_C(7824125115749040253));
    CU_ASSERT_EQUAL(od_idem_lock_id(VA, "abc"), id);
    CU_ASSERT_NOT_EQUAL(od_idem_lock_id(VB, "abc"), id);
    CU_ASSERT_NOT_EQUAL(od_idem_lock_id(VA, "abd"), id);
    CU_ASSERT_NOT_EQUAL(od_idem_lock_id("ab", "c"), od_idem_lock_id("a", "bc"));
    CU_ASSERT_NOT_EQUAL(od_idem_lock_id(VA, ""), od_idem_lock_id(VB, ""));
}

static const od_unit_case cases[] = {
    { "bare token", test_bare_token },
    { "quoted structured-field string", test_quoted_string },
    { "255 characters, not 256", test_length_limits },
    { "fingerprint known answer", test_fingerprint_known_answer },
    { "fingerprint stable, differs by each part", test_fingerprint_stable_and_distinct },
    { "fingerprint covers body_len bytes", test_fingerprint_body_bytes },
    { "fingerprint parts cannot run into each other", test_fingerprint_no_concatenation_ambiguity },
    { "lock id stable, differs by vendor and key", test_lock_id },
};

OD_UNIT_MAIN("idem", cases)
