/* test_json.c: strict JSON parsing with error offsets, pointers, arena ownership. */
#include <string.h>

#include "core/json.h"
#include "unit.h"

static void
parse_fails_at(const char *text, size_t want_offset)
{
    json_object *o = (json_object *)1;
    size_t off = 999;
    const char *why = NULL;

    CU_ASSERT_EQUAL(od_json_parse(text, strlen(text), &o, &off, &why), OD_EINVAL);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_PTR_NOT_NULL(why);
    CU_ASSERT_EQUAL(off, want_offset);
}

static void
test_valid(void)
{
    json_object *o;
    size_t off;
    const char *why;
    const char *text = " {\"a\": [1, 2, {\"b\": null}]} \n";

    CU_ASSERT_EQUAL_FATAL(od_json_parse(text, strlen(text), &o, &off, &why), OD_OK);
    CU_ASSERT(json_object_is_type(o, json_type_object));
    json_object_put(o);
}

static void
test_errors_have_offsets(void)
{
    parse_fails_at("{\"a\": tru}", 9);
    parse_fails_at("{\"a\": 1,}", 8);
    parse_fails_at("{\"a\": 1} x", 9);
    parse_fails_at("[1, 2", 5);
    parse_fails_at("", 0);
}

static void
test_scalars_and_null(void)
{
    json_object *o = (json_object *)1;
    size_t off;
    const char *why;

    CU_ASSERT_EQUAL(od_json_parse("5", 1, &o, &off, &why), OD_OK);
    CU_ASSERT_EQUAL(json_object_get_int(o), 5);
    json_object_put(o);
    CU_ASSERT_EQUAL(od_json_parse("true", 4, &o, &off, &why), OD_OK);
    CU_ASSERT(json_object_get_boolean(o));
    json_object_put(o);
    CU_ASSERT_EQUAL(od_json_parse("1.5 ", 4, &o, &off, &why), OD_OK);
    json_object_put(o);
    o = (json_object *)1;
    CU_ASSERT_EQUAL(od_json_parse("null", 4, &o, &off, &why), OD_OK);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_EQUAL(od_json_parse("tru", 3, &o, &off, &why), OD_EINVAL);
    CU_ASSERT_EQUAL(od_json_parse("\"abc", 4, &o, &off, &why), OD_EINVAL);
    CU_ASSERT_EQUAL(off, 4);
}

static void
test_nul_and_depth(void)
{
    json_object *o;
    size_t off;
    const char *why;
    char deep[200];

    CU_ASSERT_EQUAL(od_json_parse("{\"a\":\0}", 7, &o, &off, &why), OD_EINVAL);
    CU_ASSERT_EQUAL(off, 5);
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    CU_ASSERT_EQUAL(od_json_parse(deep, sizeof(deep), &o, &off, &why), OD_EINVAL);
}

static void
test_invalid_utf8(void)
{
    json_object *o;
    size_t off;
    const char *why;
    const char text[] = "\"\xff\xfe\"";

    CU_ASSERT_EQUAL(od_json_parse(text, sizeof(text) - 1, &o, &off, &why), OD_EINVAL);
}

static void
test_pointer_token(void)
{
    od_arena *a = od_arena_create(0);

    CU_ASSERT_STRING_EQUAL(od_json_pointer_token(a, "a/b~c"), "a~1b~0c");
    CU_ASSERT_STRING_EQUAL(od_json_pointer_token(a, "plain"), "plain");
    od_arena_destroy(a);
}

static void
test_own_puts_at_reset(void)
{
    od_arena *a = od_arena_create(0);
    json_object *o = json_object_new_object();

    json_object_get(o);  /* keep one reference to observe the arena's put */
    CU_ASSERT_PTR_EQUAL(od_json_own(a, o), o);
    od_arena_reset(a);
    CU_ASSERT_EQUAL(json_object_put(o), 1);  /* ours was the last reference */
    od_arena_destroy(a);
}

/* RFC 7396 appendix A: target, patch, result. */
static void
test_merge_patch(void)
{
    static const char *const cases[][3] = {
        { "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
        { "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
        { "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
        { "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
        { "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
        { "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
        { "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}",
          "{\"a\":{\"b\":\"d\"}}" },
        { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
        { "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
        { "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
        { "{\"a\":\"x\"}", "{\"a\":{\"b\":null,\"c\":1}}", "{\"a\":{\"c\":1}}" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *target, *patch;
        size_t off;
        const char *why, *got;

        CU_ASSERT_EQUAL_FATAL(od_json_parse(cases[i][0], strlen(cases[i][0]), &target, &off,
                                            &why), OD_OK);
        CU_ASSERT_EQUAL_FATAL(od_json_parse(cases[i][1], strlen(cases[i][1]), &patch, &off,
                                            &why), OD_OK);
        od_json_merge_patch(target, patch);
        got = json_object_to_json_string_ext(target, JSON_C_TO_STRING_PLAIN);
        CU_ASSERT_STRING_EQUAL(got, cases[i][2]);
        if (strcmp(got, cases[i][2]) != 0)
            printf("\n    case %zu: %s, want %s", i, got, cases[i][2]);
        json_object_put(target);
        json_object_put(patch);
    }
}

/* od_json_same: values, not representations. */
static void
test_same(void)
{
    static const struct { const char *a, *b; bool same; } pairs[] = {
        { "{\"n\":1200}", "{\"n\":1200.0}", true },        /* int and double */
        { "{\"n\":32.36}", "{\"n\":32.360}", true },
        { "{\"n\":1200}", "{\"n\":1200.5}", false },
        { "{\"a\":1,\"b\":[1,\"x\"]}", "{\"b\":[1.0,\"x\"],\"a\":1}", true },
        { "{\"b\":[1,2]}", "{\"b\":[2,1]}", false },           /* arrays keep order */
        { "{\"a\":1}", "{\"a\":1,\"b\":null}", false },      /* a member more */
        { "{\"a\":null}", "{\"b\":null}", false },
        { "{\"a\":\"1\"}", "{\"a\":1}", false },             /* string and number */
        { "{\"a\":true}", "{\"a\":1}", false },
        { "{\"a\":{\"b\":{\"c\":2}}}", "{\"a\":{\"b\":{\"c\":2.0}}}", true },
    };

    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        json_object *a, *b;
        size_t off;
        const char *why;

        CU_ASSERT_EQUAL_FATAL(od_json_parse(pairs[i].a, strlen(pairs[i].a), &a, &off, &why),
                              OD_OK);
        CU_ASSERT_EQUAL_FATAL(od_json_parse(pairs[i].b, strlen(pairs[i].b), &b, &off, &why),
                              OD_OK);
        CU_ASSERT_EQUAL(od_json_same(a, b), pairs[i].same);
        CU_ASSERT_EQUAL(od_json_same(b, a), pairs[i].same);
        if (od_json_same(a, b) != pairs[i].same)
            printf("\n    pair %zu: %s and %s", i, pairs[i].a, pairs[i].b);
        json_object_put(a);
        json_object_put(b);
    }
    CU_ASSERT_TRUE(od_json_same(NULL, NULL));
}

/* od_json_cut_member: the member's text, and the object without it, by a scan. */
static void
test_cut_member(void)
{
    static const struct { const char *text, *value, *rest; } found[] = {
        /* PostgreSQL's json_build_object spacing; first, middle, last, only */
        { "{\"d\" : {\"a\": [1, {\"b\": \"}\"}]}, \"x\" : 1}", "{\"a\": [1, {\"b\": \"}\"}]}",
          "{ \"x\" : 1}" },
        { "{\"x\" : 1, \"d\" : \"q\\\"}\", \"y\" : null}", "\"q\\\"}\"",
          "{\"x\" : 1, \"y\" : null}" },
        { "{\"x\":[\"d\"],\"d\":-12.5e3}", "-12.5e3", "{\"x\":[\"d\"]}" },
        { " { \"d\" : null } ", "null", " {  } " },
        /* a key that only ends like it, and one inside a value */
        { "{\"dd\":1,\"e\":{\"d\":2},\"d\":[]}", "[]", "{\"dd\":1,\"e\":{\"d\":2}}" },
    };
    static const char *const missing[] = {
        "{\"x\":1}", "{}", "[\"d\"]", "{\"e\":{\"d\":1}}", "{\"d\":", "{\"d\":\"open}",
        "{\"d\" 1}", "{\"x\":1 \"d\":2}", "", "{\"x\":{\"d\":1}",
    };
    od_arena *a = od_arena_create(1 << 20);

    for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
        const char *value = NULL;
        size_t n = 0;
        char *rest = NULL;

        CU_ASSERT_TRUE_FATAL(od_json_cut_member(a, found[i].text, strlen(found[i].text), "d",
                                                &rest, &value, &n));
        CU_ASSERT_EQUAL(n, strlen(found[i].value));
        CU_ASSERT_EQUAL(strncmp(value, found[i].value, n), 0);
        CU_ASSERT_STRING_EQUAL(rest, found[i].rest);
    }
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        const char *value;
        size_t n;
        char *rest;

        CU_ASSERT_FALSE(od_json_cut_member(a, missing[i], strlen(missing[i]), "d", &rest,
                                           &value, &n));
    }
    CU_ASSERT_STRING_EQUAL(od_json_add_raw(a, "{\"x\":1}", "d", "[2]"), "{\"x\":1,\"d\":[2]}");
    CU_ASSERT_STRING_EQUAL(od_json_add_raw(a, "{}", "d", "null"), "{\"d\":null}");
    CU_ASSERT_STRING_EQUAL(od_json_add_raw(a, "{ }", "d", "1"), "{\"d\":1}");
    CU_ASSERT_STRING_EQUAL(od_json_add_raw(a, "{\t\r\n}", "d", "1"), "{\"d\":1}");
    od_arena_destroy(a);
}

static const od_unit_case cases[] = {
    { "valid document", test_valid },
    { "errors carry byte offsets", test_errors_have_offsets },
    { "bare scalars and null", test_scalars_and_null },
    { "NUL bytes and depth are refused", test_nul_and_depth },
    { "invalid UTF-8 is refused", test_invalid_utf8 },
    { "pointer tokens escape ~ and /", test_pointer_token },
    { "arena puts owned objects at reset", test_own_puts_at_reset },
    { "RFC 7396 merge patch", test_merge_patch },
    { "same values in other representations", test_same },
    { "a member cut out of an object's text", test_cut_member },
};

OD_UNIT_MAIN("json", cases)
