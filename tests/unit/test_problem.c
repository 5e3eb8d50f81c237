/* test_problem.c: RFC 9457 documents: members, titles, errors[] pointers. */
#include <string.h>

#include "http/problem.h"
#include "unit.h"

static const char *
member(json_object *o, const char *name)
{
    json_object *v;

    return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : NULL;
}

static void
test_about_blank(void)
{
    json_object *p = od_problem_new(404, NULL, "no such endpoint", "/x", "req-1");

    CU_ASSERT_STRING_EQUAL(member(p, "type"), "about:blank");
    CU_ASSERT_STRING_EQUAL(member(p, "title"), "Not Found");
    CU_ASSERT_STRING_EQUAL(member(p, "status"), "404");
    CU_ASSERT_STRING_EQUAL(member(p, "detail"), "no such endpoint");
    CU_ASSERT_STRING_EQUAL(member(p, "instance"), "/x");
    CU_ASSERT_STRING_EQUAL(member(p, "request_id"), "req-1");
    json_object_put(p);
}

static void
test_typed_title_is_fixed(void)
{
    json_object *p = od_problem_new(422, OD_PT_VALIDATION, "bad", NULL, NULL);

    CU_ASSERT_STRING_EQUAL(member(p, "type"), OD_PT_VALIDATION);
    CU_ASSERT_STRING_EQUAL(member(p, "title"), "Validation failed");
    CU_ASSERT_PTR_NULL(member(p, "instance"));
    CU_ASSERT_PTR_NULL(member(p, "request_id"));
    json_object_put(p);
}

static void
test_unknown_type_falls_back(void)
{
    json_object *p = od_problem_new(409, "urn:nope", NULL, NULL, NULL);

    CU_ASSERT_STRING_EQUAL(member(p, "type"), "about:blank");
    CU_ASSERT_STRING_EQUAL(member(p, "title"), "Conflict");
    json_object_put(p);
}

static void
test_errors_array(void)
{
    json_object *p = od_problem_new(422, OD_PT_VALIDATION, NULL, NULL, NULL), *errors, *e;

    CU_ASSERT_EQUAL(od_problem_error_count(p), 0);
    od_problem_add_error(p, "#/items/3/price", "must be >= 0");
    od_problem_add_error(p, "#/name", "required");
    CU_ASSERT_EQUAL(od_problem_error_count(p), 2);
    CU_ASSERT_FATAL(json_object_object_get_ex(p, "errors", &errors));
    e = json_object_array_get_idx(errors, 0);
    CU_ASSERT_STRING_EQUAL(member(e, "pointer"), "#/items/3/price");
    CU_ASSERT_STRING_EQUAL(member(e, "detail"), "must be >= 0");
    json_object_put(p);
}

static void
test_reasons(void)
{
    CU_ASSERT_STRING_EQUAL(od_http_reason(413), "Content Too Large");
    CU_ASSERT_STRING_EQUAL(od_http_reason(503), "Service Unavailable");
    CU_ASSERT_STRING_EQUAL(od_http_reason(299), "Unknown");
}

static const od_unit_case cases[] = {
    { "about:blank takes the reason phrase", test_about_blank },
    { "a typed problem has its fixed title", test_typed_title_is_fixed },
    { "an unknown type falls back to about:blank", test_unknown_type_falls_back },
    { "errors[] carries pointers", test_errors_array },
    { "reason phrases", test_reasons },
};

OD_UNIT_MAIN("problem", cases)
