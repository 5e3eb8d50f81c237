/* test_webhook.c: webhook signatures against vectors computed independently (Python's
 * hmac and `openssl dgst -hmac`), the rotation header, secrets, Retry-After in its
 * three forms, the verdict on each HTTP answer, the retry schedule with its jitter,
 * and the subscribable event types. */
#include <string.h>

#include "core/arena.h"
#include "crypto/signature.h"
#include "domain/webhook.h"
#include "unit.h"

#define SECRET_AB "whsec_abababababababababababababababababababababababababababababababab"
#define SECRET_00 "whsec_0000000000000000000000000000000000000000000000000000000000000000"
#define BODY "{\"event_id\":\"e1\"}"
#define TS 1764115200LL  /* 2025-11-26T00:00:00Z */

static void
test_signature_vectors(void)
{
    char out[OD_SIGNATURE_HEX + 1];
    unsigned char bytes[256];

    /* python3: hmac.new(key, b"1764115200\n" + body, sha256).hexdigest() */
    CU_ASSERT_EQUAL(od_signature_v1(SECRET_AB, strlen(SECRET_AB), TS, BODY, strlen(BODY), out),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL(out, "8ee8d429a8515c7c78df1701f726ed680308df1bb7616efee9f59eea75828f56");
    CU_ASSERT_EQUAL(od_signature_v1(SECRET_00, strlen(SECRET_00), TS, BODY, strlen(BODY), out),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL(out, "f84d9f9b09c4fd6759f9a8c276c5a6b3bd8181f0b81ea74748df769c79d8b07f");
    /* printf '0\n' | openssl dgst -sha256 -hmac key: an empty body */
    CU_ASSERT_EQUAL(od_signature_v1("key", 3, 0, NULL, 0, out), OD_OK);
    CU_ASSERT_STRING_EQUAL(out, "cdfd1fb8520008d65b531f947ea5e6647c8f290a57b3f7cca5e7f402a9506bcc");
    /* every byte value in the body, NUL included: the raw bytes are signed */
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)i;
    CU_ASSERT_EQUAL(od_signature_v1(SECRET_AB, strlen(SECRET_AB), TS, bytes, sizeof(bytes), out),
                    OD_OK);
    CU_ASSERT_STRING_EQUAL(out, "d6bdabdfda99efb919ff3243f0b27807fde774c03eed988fbb02762341b3b43d");
    /* the timestamp is part of what is signed */
    CU_ASSERT_EQUAL(od_signature_v1(SECRET_AB, strlen(SECRET_AB), TS + 1, BODY, strlen(BODY), out),
                    OD_OK);
    CU_ASSERT_STRING_NOT_EQUAL(out, "8ee8d429a8515c7c78df1701f726ed680308df1bb7616efee9f59eea75828f56");
}

static void
test_signature_header(void)
{
    od_arena *a = od_arena_create(0);
    char *h;

    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    h = od_signature_header(a, SECRET_AB, strlen(SECRET_AB), NULL, 0, TS, BODY, strlen(BODY));
    CU_ASSERT_STRING_EQUAL(h, "v1=8ee8d429a8515c7c78df1701f726ed680308df1bb7616efee9f59eea75828f56");
    /* during a rotation: the new secret's first */
    h = od_signature_header(a, SECRET_AB, strlen(SECRET_AB), SECRET_00, strlen(SECRET_00), TS,
                            BODY, strlen(BODY));
    CU_ASSERT_STRING_EQUAL(h, "v1=8ee8d429a8515c7c78df1701f726ed680308df1bb7616efee9f59eea75828f56,"
                              "v1=f84d9f9b09c4fd6759f9a8c276c5a6b3bd8181f0b81ea74748df769c79d8b07f");
    od_arena_destroy(a);
}

static void
test_secrets(void)
{
    char s1[OD_SIGNATURE_SECRET_LEN + 1], s2[OD_SIGNATURE_SECRET_LEN + 1];

    CU_ASSERT_EQUAL(od_signature_secret(s1), OD_OK);
    CU_ASSERT_EQUAL(od_signature_secret(s2), OD_OK);
    CU_ASSERT_EQUAL(strlen(s1), OD_SIGNATURE_SECRET_LEN);
    CU_ASSERT_EQUAL(strncmp(s1, "whsec_", 6), 0);
    CU_ASSERT_EQUAL(strspn(s1 + 6, "0123456789abcdef"), 64);
    CU_ASSERT_STRING_NOT_EQUAL(s1, s2);
}

static void
retry_after_is(const char *value, time_t now, long want)
{
    long got = -1;
    bool ok = od_webhook_retry_after(value, now, &got);

    if (want < 0) {
        CU_ASSERT_FALSE(ok);
        if (ok)
            printf("\n    Retry-After \"%s\" gave %ld, want a refusal", value, got);
        return;
    }
    CU_ASSERT_TRUE(ok && got == want);
    if (!ok || got != want)
        printf("\n    Retry-After \"%s\": %s %ld, want %ld", value, ok ? "ok" : "refused", got,
               want);
}

static void
test_retry_after(void)
{
    time_t t = 784111777;  /* Sun, 06 Nov 1994 08:49:37 GMT */

    retry_after_is("120", t, 120);
    retry_after_is(" 7 ", t, 7);
    retry_after_is("0", t, 0);
    retry_after_is("99999999999999999999", t, 1000000000L);  /* saturates */
    retry_after_is("Sun, 06 Nov 1994 08:51:37 GMT", t, 120);
    retry_after_is("Sunday, 06-Nov-94 08:50:37 GMT", t, 60);
    retry_after_is("Sun Nov  6 08:49:47 1994", t, 10);
    retry_after_is("Sun, 06 Nov 1994 08:49:37 GMT", t, 0);
    retry_after_is("Sat, 05 Nov 1994 08:49:37 GMT", t, 0);     /* past: now */
    retry_after_is("Thu, 01 Jan 2026 00:00:00 GMT", 1767225600 - 3600, 3600);
    retry_after_is("Sun, 29 Feb 2032 12:00:00 GMT", 1961668800 - 5, 5);
    retry_after_is("-5", t, -1);
    retry_after_is("5s", t, -1);
    retry_after_is("1.5", t, -1);
    retry_after_is("", t, -1);
    retry_after_is("soon", t, -1);
    retry_after_is("Sun, 06 Nov 1994 08:49:37 UTC", t, -1);
    retry_after_is("Sun, 06 Foo 1994 08:49:37 GMT", t, -1);
    retry_after_is("Sun, 06 Nov 1994 25:49:37 GMT", t, -1);
    retry_after_is("Sun, 32 Nov 1994 08:49:37 GMT", t, -1);
    CU_ASSERT_FALSE(od_webhook_retry_after(NULL, t, &(long){ 0 }));
}

static void
test_judge(void)
{
    time_t now = 1764115200;
    long s = -1;

    CU_ASSERT_EQUAL(od_webhook_judge(200, NULL, now, &s), OD_WH_DELIVERED);
    CU_ASSERT_EQUAL(od_webhook_judge(204, NULL, now, &s), OD_WH_DELIVERED);
    CU_ASSERT_EQUAL(od_webhook_judge(299, NULL, now, &s), OD_WH_DELIVERED);
    CU_ASSERT_EQUAL(od_webhook_judge(0, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(100, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(301, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(302, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(400, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(404, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(500, "30", now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(410, "30", now, &s), OD_WH_GONE);
    /* 429 and 503 snooze only with a Retry-After that parses */
    CU_ASSERT_EQUAL(od_webhook_judge(429, NULL, now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(503, "later", now, &s), OD_WH_RETRY);
    CU_ASSERT_EQUAL(od_webhook_judge(429, "30", now, &s), OD_WH_SNOOZE);
    CU_ASSERT_EQUAL(s, 30);
    CU_ASSERT_EQUAL(od_webhook_judge(503, "Wed, 26 Nov 2025 01:00:00 GMT", now, &s),
                    OD_WH_SNOOZE);
    CU_ASSERT_EQUAL(s, 3600);
    CU_ASSERT_EQUAL(od_webhook_judge(429, "0", now, &s), OD_WH_SNOOZE);
    CU_ASSERT_EQUAL(s, 1);
    CU_ASSERT_EQUAL(od_webhook_judge(429, "9999999", now, &s), OD_WH_SNOOZE);
    CU_ASSERT_EQUAL(s, OD_WEBHOOK_RETRY_AFTER_MAX);
}

static void
test_schedule(void)
{
    static const long want_s[] = { 0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400 };

    for (int n = 1; n <= OD_WEBHOOK_SCHEDULE_LEN; n++) {
        long lo = od_webhook_retry_delay_ms(n, 0.0), mid = od_webhook_retry_delay_ms(n, 0.5);
        long hi = od_webhook_retry_delay_ms(n, 0.999999);

        if (want_s[n - 1] == 0) {
            /* immediately: within a second */
            CU_ASSERT_EQUAL(lo, 1);
            CU_ASSERT_EQUAL(mid, 500);
            CU_ASSERT_TRUE(hi >= 999 && hi <= 1000);
            continue;
        }
        CU_ASSERT_EQUAL(mid, want_s[n - 1] * 1000);
        CU_ASSERT_EQUAL(lo, want_s[n - 1] * 900);
        CU_ASSERT_TRUE(hi < want_s[n - 1] * 1100 && hi > want_s[n - 1] * 1099);
    }
    /* past the end: a day each */
    CU_ASSERT_EQUAL(od_webhook_retry_delay_ms(11, 0.5), 86400000L);
    CU_ASSERT_EQUAL(od_webhook_retry_delay_ms(50, 0.5), 86400000L);
    /* out-of-range input is tamed */
    CU_ASSERT_EQUAL(od_webhook_retry_delay_ms(0, 0.5), 500);
    CU_ASSERT_EQUAL(od_webhook_retry_delay_ms(2, 7.0), 5000);
    CU_ASSERT_EQUAL(od_webhook_retry_delay_ms(2, -1.0), 5000);
    /* retries_max counts retries after the first attempt */
    CU_ASSERT_EQUAL(od_webhook_max_attempts(0), 1);
    CU_ASSERT_EQUAL(od_webhook_max_attempts(10), 11);
    CU_ASSERT_EQUAL(od_webhook_max_attempts(-3), 1);
}

static void
test_events(void)
{
    CU_ASSERT_TRUE(od_webhook_event_known("*"));
    CU_ASSERT_TRUE(od_webhook_event_known("product.updated"));
    CU_ASSERT_TRUE(od_webhook_event_known("customer.updated"));
    CU_ASSERT_TRUE(od_webhook_event_known("job.completed"));
    CU_ASSERT_TRUE(od_webhook_event_known("job.failed"));
    CU_ASSERT_FALSE(od_webhook_event_known(OD_WEBHOOK_PING));
    CU_ASSERT_FALSE(od_webhook_event_known("product.*"));
    CU_ASSERT_FALSE(od_webhook_event_known("Product.Updated"));
    CU_ASSERT_FALSE(od_webhook_event_known(""));
    CU_ASSERT_FALSE(od_webhook_event_known(NULL));
    CU_ASSERT_EQUAL(od_webhook_event_count, 4);
}

static void
text_is(const char *in, size_t n, size_t cap, const char *want)
{
    char out[64];
    size_t len = od_webhook_text(in, n, out, cap);

    CU_ASSERT_STRING_EQUAL(out, want);
    CU_ASSERT_EQUAL(len, strlen(want));
    if (strcmp(out, want) != 0)
        printf("\n    got \"%s\", want \"%s\"", out, want);
}

static void
test_answer_text(void)
{
    text_is("plain text", 10, 64, "plain text");
    text_is("a\tb\r\nc", 6, 64, "a\tb\r\nc");
    text_is("nul\0byte", 8, 64, "nul?byte");
    text_is("bell\a", 5, 64, "bell?");
    text_is("caf\xc3\xa9", 5, 64, "caf\xc3\xa9");               /* é */
    text_is("\xe2\x82\xac", 3, 64, "\xe2\x82\xac");             /* € */
    text_is("\xf0\x9f\x98\x80", 4, 64, "\xf0\x9f\x98\x80");     /* emoji */
    text_is("cut \xe2\x82", 6, 64, "cut ??");                     /* cut at 4 KB */
    text_is("\xc0\xaf", 2, 64, "??");                              /* overlong */
    text_is("\xed\xa0\x80", 3, 64, "???");                        /* surrogate */
    text_is("\xf4\x90\x80\x80", 4, 64, "????");                   /* past U+10FFFF */
    text_is("\xff\xfe", 2, 64, "??");
    text_is("\x7f", 1, 64, "?");
    text_is("abcdef", 6, 4, "abc");                                /* capped */
    text_is("ab\xc3\xa9", 4, 4, "ab");                            /* no half character */
    text_is("x", 1, 1, "");
}

static const od_unit_case cases[] = {
    { "signature vectors", test_signature_vectors },
    { "signature header and rotation", test_signature_header },
    { "secrets", test_secrets },
    { "Retry-After", test_retry_after },
    { "verdicts", test_judge },
    { "retry schedule", test_schedule },
    { "event types", test_events },
    { "answers as text", test_answer_text },
};

OD_UNIT_MAIN("webhook", cases)
