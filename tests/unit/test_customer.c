/* test_customer.c: customer validation and normalisation: e-mail syntax, dates of
 * birth and the age they give (birthday edges), gender synonyms through a
 * vocabulary, phone numbers, location, unknown members, pointers of every error,
 * and the exact output row (all pure). */
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "domain/customer.h"
#include "domain/vocab.h"
#include "checkkit.h"
#include "unit.h"

static od_arena *arena;
static od_vocab *vocab;
static od_ck got;
static const od_date today = { 2026, 3, 15 };

/* A fresh arena, issue list and the gender words of the seeds plus one of a
 * vendor's own. */
static void
setup(void)
{
    static const char *const words[][2] = {
        { "male", "male" }, { "m", "male" }, { "man", "male" },
        { "female", "female" }, { "f", "female" }, { "woman", "female" },
        { "other", "other" }, { "x", "other" }, { "non-binary", "other" },
        { "unspecified", "unspecified" }, { "prefer not to say", "unspecified" },
        { "n/a", "unspecified" },
    };

    arena = od_arena_create(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(arena);
    vocab = od_vocab_create(arena, 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vocab);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_GENDER, words[i][0], words[i][1], false),
                        OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_GENDER, "dame", "female", true), OD_OK);
    /* a vendor synonym that names no gender is refused, not stored */
    CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_GENDER, "robot", "machine", true), OD_OK);
    od_ck_start(&got, arena);
}

static void
teardown(void)
{
    od_arena_destroy(arena);
    arena = NULL;
    vocab = NULL;
}

static json_object *
minimal(void)
{
    return od_ck_parse("{\"external_id\": \"c-1\", \"full_name\": \"Ann Lee\","
                       " \"email\": \"Ann.Lee@Example.COM\", \"dob\": \"1990-05-20\","
                       " \"gender\": \"F\","
                       " \"location\": {\"city\": \"Austin\", \"state\": \"TX\"}}");
}

/* minimal() with member name set to the JSON value text (removed when NULL). */
static json_object *
with(const char *name, const char *value)
{
    return od_ck_with(minimal(), name, value);
}

/* Normalises item (and puts it) as "#/items/2" at ord 2. */
static json_object *
run(json_object *item)
{
    json_object *out = od_customer_normalise(item, 2, "#/items/2", vocab, today, arena,
                                              &got.issues);

    json_object_put(item);
    CU_ASSERT_EQUAL(got.issues.count, got.n);
    return out;
}

static int
find_issue(const char *ptr)
{
    return od_ck_find(&got, ptr);
}

/* minimal() with name=value normalises; member out_name of the output is want. */
static void
gives(const char *name, const char *value, const char *out_name, const char *want)
{
    json_object *out;

    setup();
    out = run(with(name, value));
    od_ck_passed(&got, out);
    CU_ASSERT_STRING_EQUAL(od_ck_member(out, out_name), want);
    if (strcmp(od_ck_member(out, out_name), want) != 0)
        printf("\n    %s=%s: %s is %s, want %s", name, value, out_name,
               od_ck_member(out, out_name), want);
    json_object_put(out);
    teardown();
}

/* minimal() with name=value fails with exactly one problem at #/items/2/ptr whose
 * detail contains detail_part. */
static void
refuses(const char *name, const char *value, const char *ptr, const char *detail_part)
{
    char full[128];

    setup();
    snprintf(full, sizeof(full), "#/items/2/%s", ptr);
    od_ck_failed_once(&got, run(with(name, value)), full, detail_part);
    teardown();
}

/* ------------------------------------------------------------------------------ */

/* Writes local 'a's @ a label of first 'b's . 63 'c's . last 'd's .com into buf. */
static const char *
address(char *buf, size_t local, size_t last, size_t first)
{
    char *p = buf;

    memset(p, 'a', local);
    p += local;
    *p++ = '@';
    memset(p, 'b', first);
    p += first;
    *p++ = '.';
    memset(p, 'c', 63);
    p += 63;
    *p++ = '.';
    memset(p, 'd', last);
    p += last;
    strcpy(p, ".com");
    return buf;
}

static void
test_email_syntax(void)
{
    static const struct { const char *in, *want; } ok[] = {
        { "ann@example.com", "ann@example.com" },
        { "Ann.Lee@Example.COM", "Ann.Lee@example.com" },   /* local part kept */
        { "a+tag@mail.example.org", "a+tag@mail.example.org" },
        { "o'brien@example.ie", "o'brien@example.ie" },
        { "x_y-z!#$%&*/=?^`{|}~@sub-domain.example.co", NULL },
        { "ann@xn--bcher-kva.example", "ann@xn--bcher-kva.example" },
        { "ann@example.xn--p1ai", "ann@example.xn--p1ai" },
        { "1@2.example.com", "1@2.example.com" },
    };
    static const char *const bad[] = {
        "", "ann", "@example.com", "ann@", "ann@@example.com", "ann@ex@ample.com",
        "ann@localhost", "ann@example", "ann@example.c", "ann@example.123",
        "ann@192.168.0.1", "ann@[192.168.0.1]", ".ann@example.com", "ann.@example.com",
        "an..n@example.com", "\"ann lee\"@example.com", "ann lee@example.com",
        "ann@exa mple.com", "ann@-example.com", "ann@example-.com", "ann@example..com",
        "ann@.example.com", "ann@example.com.", "ann(x)@example.com", "ann@exam_ple.com",
        "ann,lee@example.com", "j\xc3\xb6rg@example.com", "ann@b\xc3\xbc" "cher.example",
        "ann\t@example.com",
    };
    const char *why;
    char longest[300];

    setup();
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        const char *out = od_customer_email(ok[i].in, arena, &why);

        CU_ASSERT_PTR_NOT_NULL(out);
        if (out == NULL)
            printf("\n    %s refused: %s", ok[i].in, why);
        else
            CU_ASSERT_STRING_EQUAL(out, ok[i].want ? ok[i].want : ok[i].in);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *out = od_customer_email(bad[i], arena, &why);

        CU_ASSERT_PTR_NULL(out);
        if (out != NULL)
            printf("\n    %s accepted", bad[i]);
        CU_ASSERT_PTR_NOT_NULL(why);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr((od_customer_email("j\xc3\xb6rg@example.com", arena, &why),
                                   why), "ASCII"));
    /* 64 bytes of local part pass, 65 do not; 254 bytes in all pass, 255 do not */
    CU_ASSERT_PTR_NOT_NULL(od_customer_email(address(longest, 64, 57, 63), arena, &why));
    CU_ASSERT_EQUAL(strlen(longest), 254);
    CU_ASSERT_PTR_NULL(od_customer_email(address(longest, 64, 58, 63), arena, &why));
    CU_ASSERT_PTR_NULL(od_customer_email(address(longest, 65, 10, 63), arena, &why));
    /* a label of 64 characters is too long */
    CU_ASSERT_PTR_NULL(od_customer_email(address(longest, 5, 5, 64), arena, &why));
    teardown();
    /* in a customer: the domain is lowered; a bad one points at email */
    gives("email", "\"Ann.Lee@Example.COM\"", "email", "\"Ann.Lee@example.com\"");
    refuses("email", "\"not-an-address\"", "email", "e-mail address");
    refuses("email", "42", "email", "must be a string");
    refuses("email", NULL, "email", "is required");
    refuses("email", "null", "email", "is required");
}

static void
test_dates(void)
{
    static const char *const ok[] = {
        "1900-01-01", "2000-02-29", "2024-02-29", "1999-12-31", "2026-03-15",
    };
    static const char *const bad[] = {
        "", "1990-5-20", "1990/05/20", "19900520", "1990-13-01", "1990-00-10", "1990-04-31",
        "1990-02-29", "1900-02-29", "2023-02-29", "1990-05-20T00:00:00Z", " 1990-05-20",
        "1990-05-2a", "0000-01-01", "1990-05-00",
    };
    od_date d;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CU_ASSERT_TRUE(od_customer_date(ok[i], &d));
        if (!od_customer_date(ok[i], &d))
            printf("\n    %s refused", ok[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_FALSE(od_customer_date(bad[i], &d));
        if (od_customer_date(bad[i], &d))
            printf("\n    %s accepted", bad[i]);
    }
    CU_ASSERT_FALSE(od_customer_date(NULL, &d));
    CU_ASSERT_TRUE(od_customer_date("1987-11-03", &d));
    CU_ASSERT_EQUAL(d.year, 1987);
    CU_ASSERT_EQUAL(d.month, 11);
    CU_ASSERT_EQUAL(d.day, 3);
}

static void
test_age_birthday_edges(void)
{
    static const struct { od_date dob, on; int want; } cases[] = {
        { { 1990, 3, 15 }, { 2026, 3, 15 }, 36 },   /* the birthday itself */
        { { 1990, 3, 16 }, { 2026, 3, 15 }, 35 },   /* the day before */
        { { 1990, 3, 14 }, { 2026, 3, 15 }, 36 },
        { { 1990, 4, 1 }, { 2026, 3, 31 }, 35 },
        { { 1990, 12, 31 }, { 2026, 1, 1 }, 35 },
        { { 2000, 2, 29 }, { 2023, 2, 28 }, 22 },   /* leap day: not yet on 28 Feb */
        { { 2000, 2, 29 }, { 2023, 3, 1 }, 23 },    /* reached on 1 March */
        { { 2000, 2, 29 }, { 2024, 2, 29 }, 24 },
        { { 2000, 2, 29 }, { 2024, 2, 28 }, 23 },
        { { 2026, 3, 15 }, { 2026, 3, 15 }, 0 },    /* born today */
        { { 1900, 1, 1 }, { 2026, 3, 15 }, 126 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int age = od_customer_age(cases[i].dob, cases[i].on);

        CU_ASSERT_EQUAL(age, cases[i].want);
        if (age != cases[i].want)
            printf("\n    case %zu: %d, want %d", i, age, cases[i].want);
    }
}

static void
test_dob_and_age_members(void)
{
    json_object *o, *out;

    /* with dob the row's age is null (derived on each read) */
    gives("dob", "\"1990-05-20\"", "dob", "\"1990-05-20\"");
    gives("dob", "\"1990-05-20\"", "age", "null");
    gives("dob", "\"2026-03-15\"", "dob", "\"2026-03-15\"");   /* born today */
    gives("dob", "\"1900-01-01\"", "dob", "\"1900-01-01\"");
    refuses("dob", "\"2026-03-16\"", "dob", "future");
    refuses("dob", "\"1899-12-31\"", "dob", "1900-01-01");
    refuses("dob", "\"1990-02-30\"", "dob", "YYYY-MM-DD");
    refuses("dob", "19900520", "dob", "YYYY-MM-DD");
    /* age alone: kept */
    setup();
    o = minimal();
    json_object_object_del(o, "dob");
    json_object_object_add(o, "age", json_object_new_int(41));
    out = run(o);
    CU_ASSERT_PTR_NOT_NULL(out);
    CU_ASSERT_STRING_EQUAL(od_ck_member(out, "age"), "41");
    CU_ASSERT_STRING_EQUAL(od_ck_member(out, "dob"), "null");
    json_object_put(out);
    teardown();
    /* neither: one problem */
    refuses("dob", NULL, "dob", "dob or age is required");
    refuses("dob", "null", "dob", "dob or age is required");
    /* both: they must agree, the birthday decides */
    setup();
    o = with("age", "35");
    json_object_object_add(o, "dob", json_object_new_string("1990-03-16"));
    out = run(o);                      /* 35 until 16 March 2026 */
    CU_ASSERT_PTR_NOT_NULL(out);
    CU_ASSERT_STRING_EQUAL(od_ck_member(out, "age"), "null");
    json_object_put(out);
    teardown();
    setup();
    o = with("age", "36");
    json_object_object_add(o, "dob", json_object_new_string("1990-03-16"));
    CU_ASSERT_PTR_NULL(run(o));
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT(find_issue("#/items/2/age") >= 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(got.detail[0], "is 35 today"));
    teardown();
    setup();
    o = with("age", "36");
    json_object_object_add(o, "dob", json_object_new_string("1990-03-15"));
    out = run(o);                      /* 36 on the birthday itself */
    CU_ASSERT_PTR_NOT_NULL(out);
    json_object_put(out);
    teardown();
    /* age out of range or not whole; with dob absent */
    for (int k = 0; k < 5; k++) {
        static const char *const vals[] = { "-1", "131", "30.5", "\"30\"", "true" };

        setup();
        o = with("dob", NULL);
        json_object_object_add(o, "age", od_ck_parse(vals[k]));
        CU_ASSERT_PTR_NULL(run(o));
        CU_ASSERT_EQUAL(got.n, 1);
        CU_ASSERT(find_issue("#/items/2/age") >= 0);
        teardown();
    }
    setup();
    o = with("dob", NULL);
    json_object_object_add(o, "age", json_object_new_int(0));
    out = run(o);
    CU_ASSERT_PTR_NOT_NULL(out);
    json_object_put(out);
    o = with("dob", NULL);
    json_object_object_add(o, "age", json_object_new_int(130));
    out = run(o);
    CU_ASSERT_PTR_NOT_NULL(out);
    json_object_put(out);
    teardown();
}

static void
test_gender_synonyms(void)
{
    static const struct { const char *in, *want; } cases[] = {
        { "\"F\"", "\"female\"" }, { "\"Female\"", "\"female\"" }, { "\"WOMAN\"", "\"female\"" },
        { "\"m\"", "\"male\"" }, { "\"Male\"", "\"male\"" }, { "\" man \"", "\"male\"" },
        { "\"Non-Binary\"", "\"other\"" }, { "\"non binary\"", "\"other\"" },
        { "\"x\"", "\"other\"" }, { "\"Prefer not to say\"", "\"unspecified\"" },
        { "\"N/A\"", "\"unspecified\"" }, { "\"unspecified\"", "\"unspecified\"" },
        { "\"dame\"", "\"female\"" },   /* the vendor's own synonym */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        gives("gender", cases[i].in, "gender", cases[i].want);
    refuses("gender", "\"robot\"", "gender", "male, female, other or unspecified");
    refuses("gender", "\"unknown gender\"", "gender", "male, female");
    refuses("gender", "\"\"", "gender", "male, female");
    refuses("gender", "1", "gender", "male, female");
    refuses("gender", NULL, "gender", "is required");
    /* without a vocabulary the four values still pass */
    CU_ASSERT_STRING_EQUAL(od_customer_gender(NULL, "Female"), "female");
    CU_ASSERT_STRING_EQUAL(od_customer_gender(NULL, "unspecified"), "unspecified");
    CU_ASSERT_PTR_NULL(od_customer_gender(NULL, "F"));
}

static void
test_phone(void)
{
    static const char *const ok[] = {
        "+14155550100", "+442071838750", "+12345678", "+123456789012345", "+861012345678",
    };
    static const char *const bad[] = {
        "14155550100", "+1415555", "+1234567", "+1234567890123456", "+04155550100",
        "+1 415 555 0100", "+1-415-555-0100", "(415) 555-0100", "+", "", "++14155550100",
        "+1415555010a",
    };

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CU_ASSERT_TRUE(od_customer_phone(ok[i]));
        if (!od_customer_phone(ok[i]))
            printf("\n    %s refused", ok[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_FALSE(od_customer_phone(bad[i]));
        if (od_customer_phone(bad[i]))
            printf("\n    %s accepted", bad[i]);
    }
    CU_ASSERT_FALSE(od_customer_phone(NULL));
    gives("phone", "\"+14155550100\"", "phone", "\"+14155550100\"");
    gives("phone", "null", "phone", "null");
    refuses("phone", "\"415-555-0100\"", "phone", "E.164");
    refuses("phone", "14155550100", "phone", "E.164");
}

static void
test_location(void)
{
    gives("location", "{}", "location", "{}");
    gives("location", "{\"city\": \"Austin\", \"zip\": \"78701\", \"lat\": 30.27, "
          "\"verified\": true, \"unit\": null}", "location",
          "{\"city\":\"Austin\",\"zip\":\"78701\",\"lat\":30.27,\"verified\":true,\"unit\":null}");
    refuses("location", "\"Austin, TX\"", "location", "must be an object");
    refuses("location", "[\"Austin\"]", "location", "must be an object");
    refuses("location", NULL, "location", "is required");
    refuses("location", "null", "location", "is required");
    refuses("location", "{\"address\": {\"street\": \"1 Main St\"}}", "location/address",
            "a string, a number");
    refuses("location", "{\"lines\": [\"1 Main St\"]}", "location/lines", "a string, a number");
    refuses("location", "{\"a/b\": \"x\\u0000y\"}", "location/a~1b", "at most 500 bytes");
    refuses("location", "{\"city\": \"Aus\\ttin\"}", "location/city", "control characters");
    refuses("location", "{\"\": \"x\"}", "location", "member names");
    refuses("location", "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,"
            "\"i\":1,\"j\":1,\"k\":1,\"l\":1,\"m\":1,\"n\":1,\"o\":1,\"p\":1,\"q\":1,\"r\":1,"
            "\"s\":1,\"t\":1,\"u\":1}", "location", "at most 20 members");
}

static void
test_unknown_and_read_only_members(void)
{
    json_object *o, *out;

    setup();
    o = minimal();
    json_object_object_add(o, "id", json_object_new_string("x"));
    json_object_object_add(o, "updated_at", json_object_new_string("x"));
    json_object_object_add(o, "height_cm", json_object_new_int(180));
    json_object_object_add(o, "a/b~c", json_object_new_int(1));
    out = run(o);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(got.n, 4);
    CU_ASSERT(find_issue("#/items/2/id") >= 0 &&
              strstr(got.detail[find_issue("#/items/2/id")], "set by the server") != NULL);
    CU_ASSERT(find_issue("#/items/2/updated_at") >= 0);
    CU_ASSERT(find_issue("#/items/2/height_cm") >= 0 &&
              strstr(got.detail[find_issue("#/items/2/height_cm")], "not a field of a "
                     "customer") != NULL);
    CU_ASSERT(find_issue("#/items/2/a~1b~0c") >= 0);
    teardown();
    CU_ASSERT_TRUE(od_customer_read_only("created_by"));
    CU_ASSERT_FALSE(od_customer_read_only("age"));
}

static void
test_text_members_and_tags(void)
{
    refuses("external_id", NULL, "external_id", "is required");
    refuses("external_id", "\"  \"", "external_id", "must not be empty");
    refuses("full_name", "\"\"", "full_name", "must not be empty");
    refuses("full_name", "\"Ann\\nLee\"", "full_name", "control characters");
    refuses("full_name", "\"Ann\\u0000\"", "full_name", "control characters");
    refuses("full_name", "7", "full_name", "must be a string");
    gives("custom_tags", "[\"VIP Gold\", \"newsletter\", \"vip-gold\", \"B2B\"]", "custom_tags",
          "[\"b2b\",\"newsletter\",\"vip_gold\"]");
    gives("custom_tags", "[]", "custom_tags", "[]");
    gives("custom_tags", NULL, "custom_tags", "null");
    refuses("custom_tags", "\"vip\"", "custom_tags", "array of strings");
    refuses("custom_tags", "[\"ok\", \"***\"]", "custom_tags/1", "letters or digits");
    refuses("custom_tags", "[\"ok\", 3]", "custom_tags/1", "non-empty string");
}

/* The exact row of a full customer, and every error of a bad one at once. */
static void
test_output_and_every_error(void)
{
    json_object *out;
    const char *want = "{\"ord\":2,\"external_id\":\"c-1\",\"full_name\":\"Ann Lee\","
                       "\"email\":\"ann@example.com\",\"dob\":null,\"age\":44,"
                       "\"gender\":\"female\",\"location\":{\"city\":\"Austin\"},"
                       "\"phone\":\"+14155550100\",\"custom_tags\":[\"vip\"]}";

    setup();
    out = run(od_ck_parse("{\"custom_tags\": [\"VIP\"], \"phone\": \"+14155550100\", "
                          "\"location\": {\"city\": \"Austin\"}, \"gender\": \"Woman\", "
                          "\"age\": 44, "
                          "\"email\": \"ann@EXAMPLE.com\", \"full_name\": \"Ann Lee\", "
                          "\"external_id\": \"c-1\"}"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN), want);
    json_object_put(out);
    teardown();

    setup();
    out = run(od_ck_parse("{\"external_id\": 5, \"email\": \"a@b\", \"dob\": \"2030-01-01\", "
                          "\"age\": 500, \"gender\": \"?\", \"location\": 1, \"phone\": \"555\", "
                          "\"custom_tags\": [\"\"], \"colour\": \"red\"}"));
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(got.n, 10);
    {
        static const char *const ptrs[] = {
            "#/items/2/colour", "#/items/2/external_id", "#/items/2/full_name",
            "#/items/2/email", "#/items/2/dob", "#/items/2/age", "#/items/2/gender",
            "#/items/2/location", "#/items/2/phone", "#/items/2/custom_tags/0",
        };

        for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
            CU_ASSERT(find_issue(ptrs[i]) >= 0);
            if (find_issue(ptrs[i]) < 0)
                printf("\n    missing %s", ptrs[i]);
        }
    }
    teardown();

    setup();
    CU_ASSERT_PTR_NULL(od_customer_normalise(NULL, 0, "#", vocab, today, arena, &got.issues));
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT_STRING_EQUAL(got.ptr[0], "#");
    teardown();
}

static const od_unit_case cases[] = {
    { "e-mail syntax", test_email_syntax },
    { "dates", test_dates },
    { "age at birthday edges", test_age_birthday_edges },
    { "dob and age members", test_dob_and_age_members },
    { "gender synonyms", test_gender_synonyms },
    { "phone numbers", test_phone },
    { "location", test_location },
    { "unknown and read-only members", test_unknown_and_read_only_members },
    { "text members and custom tags", test_text_members_and_tags },
    { "output row and every error", test_output_and_every_error },
};

OD_UNIT_MAIN("customer", cases)
