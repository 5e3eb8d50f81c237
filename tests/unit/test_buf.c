/* test_buf.c: the capped growable buffer and JSON escaping. */
#include <string.h>

#include "core/buf.h"
#include "unit.h"

static void
test_append_and_terminate(void)
{
    od_buf b;

    od_buf_init(&b, 1024);
    CU_ASSERT_STRING_EQUAL(od_buf_str(&b), "");
    CU_ASSERT_EQUAL(od_buf_puts(&b, "hello"), OD_OK);
    CU_ASSERT_EQUAL(od_buf_printf(&b, " %d", 42), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_buf_str(&b), "hello 42");
    CU_ASSERT_EQUAL(b.len, 8);
    od_buf_free(&b);
}

static void
test_cap_frees_and_refuses(void)
{
    od_buf b;
    char big[600];

    memset(big, 'a', sizeof(big));
    od_buf_init(&b, 1000);
    CU_ASSERT_EQUAL(od_buf_append(&b, big, sizeof(big)), OD_OK);
    CU_ASSERT_EQUAL(od_buf_append(&b, big, sizeof(big)), OD_ETOOBIG);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(b.len, 0);
    /* exactly at the cap is fine */
    od_buf_free(&b);
    CU_ASSERT_EQUAL(od_buf_append(&b, big, 500), OD_OK);
    CU_ASSERT_EQUAL(od_buf_append(&b, big, 500), OD_OK);
    CU_ASSERT_EQUAL(b.len, 1000);
    od_buf_free(&b);
}

static void
test_failure_is_sticky(void)
{
    od_buf b;
    char big[64];

    memset(big, 'a', sizeof(big));
    od_buf_init(&b, 100);
    CU_ASSERT_EQUAL(od_buf_puts(&b, "{\"k\":\""), OD_OK);
    CU_ASSERT_EQUAL(od_buf_append(&b, big, sizeof(big)), OD_OK);
    CU_ASSERT_EQUAL(od_buf_append(&b, big, sizeof(big)), OD_ETOOBIG);
    /* a later small append must not start a truncated document again */
    CU_ASSERT_EQUAL(od_buf_puts(&b, "\"}"), OD_ETOOBIG);
    CU_ASSERT_EQUAL(od_buf_printf(&b, "%d", 1), OD_ETOOBIG);
    CU_ASSERT_EQUAL(b.len, 0);
    od_buf_free(&b);
    CU_ASSERT_EQUAL(od_buf_puts(&b, "fresh"), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_buf_str(&b), "fresh");
    od_buf_free(&b);
}

static void
test_printf_long(void)
{
    od_buf b;
    char s[1000];

    memset(s, 'z', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    od_buf_init(&b, 4096);
    CU_ASSERT_EQUAL(od_buf_printf(&b, "<%s>", s), OD_OK);
    CU_ASSERT_EQUAL(b.len, 1001);
    od_buf_free(&b);
    od_buf_init(&b, 100);
    CU_ASSERT_EQUAL(od_buf_printf(&b, "<%s>", s), OD_ETOOBIG);
    od_buf_free(&b);
}

static void
test_json_escape(void)
{
    od_buf b;

    od_buf_init(&b, 1024);
    CU_ASSERT_EQUAL(od_buf_json_escape(&b, "a\"b\\c\n\x01"), OD_OK);
    CU_ASSERT_STRING_EQUAL(od_buf_str(&b), "a\\\"b\\\\c\\n\\u0001");
    od_buf_free(&b);
}

static const od_unit_case cases[] = {
    { "append and terminate", test_append_and_terminate },
    { "cap frees and refuses", test_cap_frees_and_refuses },
    { "printf beyond the small buffer", test_printf_long },
    { "a failure is sticky until freed", test_failure_is_sticky },
    { "json escape", test_json_escape },
};

OD_UNIT_MAIN("buf", cases)
