/* test_product.c: product validation and normalisation: prices, GTINs, allergen and
 * tag words through a vocabulary, images, pointers of every error, and the exact
 * output row (all pure). */
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "domain/product.h"
#include "domain/vocab.h"
#include "issuekit.h"
#include "unit.h"

#define CAT     "aaaaaaaa-0000-4000-8000-000000000001"
#define SUBCAT  "aaaaaaaa-0000-4000-8000-000000000002"
#define CUISINE "cccccccc-0000-4000-8000-000000000001"
#define MARKET  "dddddddd-0000-4000-8000-000000000001"
#define OTHER   "eeeeeeee-0000-4000-8000-000000000001"

static od_arena *arena;
static od_vocab *vocab;
static od_kit_issues got;      /* the problems one normalisation reported, in order */
static od_issues issues;

/* A fresh arena, issue list and vocabulary as the data layer would fill it. */
static void
setup(void)
{
    static const char *const allergen[][2] = {
        { "milk", "milk" }, { "egg", "egg" }, { "peanut", "peanut" }, { "soy", "soy" },
        { "tree_nuts", "tree_nuts" }, { "sesame", "sesame" }, { "wheat", "wheat" },
        { "whey", "milk" }, { "dairy", "milk" }, { "eggs", "egg" }, { "peanuts", "peanut" },
        { "tree nut", "tree_nuts" }, { "soya", "soy" }, { "sesame seeds", "sesame" },
    };
    static const char *const diet[][2] = {
        { "vegan", "vegan" }, { "gluten_free", "gluten_free" }, { "plant based", "vegan" },
        { "GF", "gluten_free" },
    };

    arena = od_arena_create(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(arena);
    vocab = od_vocab_create(arena, 32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(vocab);
    for (size_t i = 0; i < sizeof(allergen) / sizeof(allergen[0]); i++)
        CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_ALLERGEN, allergen[i][0], allergen[i][1],
                                     false), OD_OK);
    for (size_t i = 0; i < sizeof(diet) / sizeof(diet[0]); i++)
        CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_DIET, diet[i][0], diet[i][1], false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_CATEGORY, CAT, CAT, false), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_CATEGORY, SUBCAT, SUBCAT, true), OD_OK);
    CU_ASSERT_EQUAL(od_vocab_add(vocab, OD_VOCAB_CUISINE, CUISINE, CUISINE, false), OD_OK);
    memset(&got, 0, sizeof(got));
    got.arena = arena;
    issues = (od_issues){ od_kit_collect, &got, 0 };
}

static void
teardown(void)
{
    od_arena_destroy(arena);
    arena = NULL;
    vocab = NULL;
}

/* A minimal valid product. */
static json_object *
minimal(void)
{
    return od_kit_parse("{\"external_id\": \"sku-1\", \"name\": \"Oat milk\", \"brand\": \"Oaty\","
                 " \"description\": \"A drink.\", \"category_id\": \"" CAT "\","
                 " \"price\": 4.99}");
}

/* minimal() with member name set to the JSON value text (or removed when NULL). */
static json_object *
with(const char *name, const char *value)
{
    json_object *o = minimal();

    json_object_object_del(o, name);
    if (value != NULL)
        json_object_object_add(o, name, od_kit_parse(value));
    return o;
}

/* Normalises item (and puts it) as "#/items/3" at ord 3. */
static json_object *
run(json_object *item)
{
    json_object *out = od_product_normalise(item, 3, "#/items/3", vocab, arena, &issues);

    json_object_put(item);
    CU_ASSERT_EQUAL(issues.count, got.n);
    return out;
}

static int
find_issue(const char *ptr)
{
    for (unsigned i = 0; i < got.n; i++) {
        if (strcmp(got.ptr[i], ptr) == 0)
            return (int)i;
    }
    return -1;
}

/* item fails with exactly one problem at ptr whose detail contains detail_part. */
static void
fails_once(json_object *item, const char *ptr, const char *detail_part)
{
    json_object *out = run(item);
    int i;

    CU_ASSERT_PTR_NULL(out);
    json_object_put(out);
    CU_ASSERT_EQUAL(got.n, 1);
    i = find_issue(ptr);
    CU_ASSERT(i >= 0);
    if (i < 0) {
        for (unsigned k = 0; k < got.n; k++)
            printf("\n    want %s, got %s: %s", ptr, got.ptr[k], got.detail[k]);
        return;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(got.detail[i], detail_part));
    if (strstr(got.detail[i], detail_part) == NULL)
        printf("\n    %s: \"%s\" lacks \"%s\"", ptr, got.detail[i], detail_part);
}

/* item passes; returns the output (caller puts). */
static json_object *
passes(json_object *item)
{
    json_object *out = run(item);

    CU_ASSERT_PTR_NOT_NULL(out);
    CU_ASSERT_EQUAL(got.n, 0);
    for (unsigned k = 0; k < got.n; k++)
        printf("\n    unexpected %s: %s", got.ptr[k], got.detail[k]);
    return out;
}

/* The compact text of out's member (or "(absent)"). */
static const char *
member_text(json_object *out, const char *name)
{
    json_object *v;

    if (out == NULL || !json_object_object_get_ex(out, name, &v))
        return "(absent)";
    return v == NULL ? "null" : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* Normalises minimal() with name=value and checks the output member's text. */
static void
normalises_to(const char *name, const char *value, const char *want)
{
    json_object *out;

    setup();
    out = passes(with(name, value));
    CU_ASSERT_STRING_EQUAL(member_text(out, name), want);
    if (strcmp(member_text(out, name), want) != 0)
        printf("\n    %s: %.80s, want %.80s", name, member_text(out, name), want);
    json_object_put(out);
    teardown();
}

/* Normalises minimal() with name=value and expects one problem at #/items/3/ptr. */
static void
refuses(const char *name, const char *value, const char *ptr, const char *detail_part)
{
    char full[256];

    setup();
    snprintf(full, sizeof(full), "#/items/3/%s", ptr);
    fails_once(with(name, value), full, detail_part);
    teardown();
}

/* ------------------------------------------------------------------------------ */

static void
test_gtin_type(void)
{
    static const struct { const char *code, *want; } ok[] = {
        { "4006381333931", "gtin13" },  /* EAN-13 */
        { "5901234123457", "gtin13" },
        { "0123456789012", "gtin13" },
        { "036000291452", "gtin12" },   /* UPC-A */
        { "96385074", "gtin8" },        /* EAN-8 */
        { "73513537", "gtin8" },
        { "10614141000415", "gtin14" },
        { "00012345600012", "gtin14" },
        { "40700719670720", "gtin14" },
        { "00000000", "gtin8" },
    };
    static const char *const bad[] = {
        "4006381333932", "4006381333930", "036000291453", "96385075", "10614141000416",
        "4006381333913",                      /* two digits swapped */
        "400638133393", "40063813339310", "0036000291452x", "9638507", "963850740",
        "123456789", "12345678901", "123456789012345", "",
        /* right check digit, wrong length: 7, 9, 10, 11, 15 and 17 digits */
        "1234565", "123456784", "1234567895", "12345678905", "123456789012343",
        "12345678901234560",
        "400638133393a", "4006381 33931", " 96385074", "96385074 ", "-6385074", "9638507\xff",
    };

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        const char *t = od_product_gtin_type(ok[i].code);

        CU_ASSERT_PTR_NOT_NULL(t);
        if (t == NULL)
            printf("\n    %s refused", ok[i].code);
        else
            CU_ASSERT_STRING_EQUAL(t, ok[i].want);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_PTR_NULL(od_product_gtin_type(bad[i]));
        if (od_product_gtin_type(bad[i]) != NULL)
            printf("\n    \"%s\" accepted", bad[i]);
    }
    CU_ASSERT_PTR_NULL(od_product_gtin_type(NULL));
}

static void
price_is(const char *json, const char *want)
{
    json_object *v = od_kit_parse(json);
    char out[24] = "";
    const char *why = od_product_price(v, out);

    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_STRING_EQUAL(out, want);
    if (why != NULL || strcmp(out, want) != 0)
        printf("\n    price %s: %s [%s], want %s", json, why ? why : "ok", out, want);
    json_object_put(v);
}

static void
price_refused(const char *json, const char *why_part)
{
    json_object *v = od_kit_parse(json);
    char out[24] = "";
    const char *why = od_product_price(v, out);

    CU_ASSERT_PTR_NOT_NULL(why);
    if (why == NULL) {
        printf("\n    price %s accepted as %s", json, out);
    } else {
        CU_ASSERT_PTR_NOT_NULL(strstr(why, why_part));
        if (strstr(why, why_part) == NULL)
            printf("\n    price %s: \"%s\" lacks \"%s\"", json, why, why_part);
    }
    json_object_put(v);
}

static void
test_price_numbers(void)
{
    price_is("4", "4.00");
    price_is("0", "0.00");
    price_is("9999999999", "9999999999.00");
    price_is("4.99", "4.99");
    price_is("4.9", "4.90");
    price_is("4.90", "4.90");
    price_is("0.1", "0.10");
    price_is("0.29", "0.29");   /* 0.29 * 100 is 28.999999999999996 */
    price_is("1.15", "1.15");
    price_is("0.07", "0.07");
    price_is("19.99", "19.99");
    price_is("1e2", "100.00");
    price_is("1E-2", "0.01");
    price_is("1234567.89", "1234567.89");
    price_is("9999999999.99", "9999999999.99");
    price_is("-0", "0.00");
    price_is("-0.0", "0.00");
    price_refused("-1", "zero or more");
    price_refused("-0.01", "zero or more");
    price_refused("10000000000", "below");
    price_refused("1e10", "below");
    price_refused("1.5e10", "below");
    price_refused("99999999999999999999", "below");  /* beyond int64 */
    price_refused("4.999", "two decimals");
    price_refused("1.005", "two decimals");
    price_refused("0.001", "two decimals");
    price_refused("true", "number or a decimal string");
    price_refused("false", "number or a decimal string");
    price_refused("[4]", "number or a decimal string");
    price_refused("{\"amount\": 4}", "number or a decimal string");
}

static void
test_price_strings(void)
{
    price_is("\"4.9\"", "4.90");
    price_is("\"4\"", "4.00");
    price_is("\"4.99\"", "4.99");
    price_is("\"0\"", "0.00");
    price_is("\"0.5\"", "0.50");
    price_is("\"9999999999.99\"", "9999999999.99");
    price_refused("\"-4.99\"", "zero or more");
    price_refused("\"4.999\"", "two decimals");
    price_refused("\"4.\"", "decimal number");
    price_refused("\".5\"", "decimal number");
    price_refused("\"abc\"", "decimal number");
    price_refused("\"\"", "decimal number");
    price_refused("\"1e2\"", "decimal number");
    price_refused("\"4,99\"", "decimal number");
    price_refused("\" 4.99\"", "decimal number");
    price_refused("\"4.99 \"", "decimal number");
    price_refused("\"+4\"", "decimal number");
    price_refused("\"4.9.9\"", "decimal number");
    price_refused("\"12345678901\"", "below 10000000000");  /* 10^10 and more */
    price_refused("\"0x10\"", "decimal number");
}

static void
test_allergen_and_tag_words(void)
{
    setup();
    CU_ASSERT_STRING_EQUAL(od_product_allergen(vocab, "Whey"), "milk");
    CU_ASSERT_STRING_EQUAL(od_product_allergen(vocab, "peanuts"), "peanut");
    CU_ASSERT_STRING_EQUAL(od_product_allergen(vocab, "PEANUT"), "peanut");
    CU_ASSERT_STRING_EQUAL(od_product_allergen(vocab, "Tree-Nut"), "tree_nuts");
    CU_ASSERT_STRING_EQUAL(od_product_allergen(vocab, "tree nuts"), "tree_nuts");
    CU_ASSERT_PTR_NULL(od_product_allergen(vocab, "lecithin"));
    CU_ASSERT_PTR_NULL(od_product_allergen(vocab, "natural flavor"));
    CU_ASSERT_STRING_EQUAL(od_product_tag(vocab, "Low Sodium", arena), "low_sodium");
    CU_ASSERT_STRING_EQUAL(od_product_tag(vocab, "  low--sodium!! ", arena), "low_sodium");
    CU_ASSERT_STRING_EQUAL(od_product_tag(vocab, "Plant-Based", arena), "vegan");
    CU_ASSERT_STRING_EQUAL(od_product_tag(vocab, "gf", arena), "gluten_free");
    CU_ASSERT_STRING_EQUAL(od_product_tag(vocab, "Keto 2.0", arena), "keto_2_0");
    CU_ASSERT_PTR_NULL(od_product_tag(vocab, "!!!", arena));
    CU_ASSERT_PTR_NULL(od_product_tag(vocab, "", arena));
    teardown();
}

static void
test_read_only_names(void)
{
    static const char *const ro[] = { "id", "created_at", "updated_at", "soft_deleted_at",
                                      "catalog_version" };
    static const char *const rw[] = { "external_id", "name", "price", "images", "ID", "" };

    for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
        CU_ASSERT_TRUE(od_product_read_only(ro[i]));
    for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++)
        CU_ASSERT_FALSE(od_product_read_only(rw[i]));
}

/* ------------------------------------------------------------------------------ */

static void
test_minimal_output_shape(void)
{
    static const char *const order[] = {
        "ord", "external_id", "barcode", "gtin_type", "name", "brand", "description",
        "category_id", "sub_category_id", "cuisine_id", "market_id", "ingredients",
        "nutrition", "serving_size", "package_weight", "price", "currency", "status",
        "dietary_tags", "allergens", "certifications", "regulatory_codes", "source_url",
        "images",
    };
    json_object *out;
    size_t k = 0;

    setup();
    out = passes(minimal());
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    /* every column, in this order, nothing else */
    CU_ASSERT_EQUAL(json_object_object_length(out), (int)(sizeof(order) / sizeof(order[0])));
    json_object_object_foreach(out, key, value) {
        (void)value;
        if (k < sizeof(order) / sizeof(order[0]))
            CU_ASSERT_STRING_EQUAL(key, order[k]);
        k++;
    }
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
        "{\"ord\":3,\"external_id\":\"sku-1\",\"barcode\":null,\"gtin_type\":null,"
        "\"name\":\"Oat milk\",\"brand\":\"Oaty\",\"description\":\"A drink.\","
        "\"category_id\":\"" CAT "\",\"sub_category_id\":null,\"cuisine_id\":null,"
        "\"market_id\":null,\"ingredients\":null,\"nutrition\":null,\"serving_size\":null,"
        "\"package_weight\":null,\"price\":\"4.99\",\"currency\":\"USD\","
        "\"status\":\"active\",\"dietary_tags\":null,\"allergens\":null,"
        "\"certifications\":null,\"regulatory_codes\":null,\"source_url\":null,"
        "\"images\":[]}");
    json_object_put(out);
    teardown();
}

static void
test_full_product(void)
{
    json_object *out;

    setup();
    out = passes(od_kit_parse(
        "{\"external_id\": \"sku-9\", \"barcode\": \"4006381333931\", \"gtin_type\": \"gtin13\","
        " \"name\": \"Peanut bar\", \"brand\": \"\", \"description\": \"Line one\\nline two\\t.\","
        " \"category_id\": \"" CAT "\", \"sub_category_id\": \"" SUBCAT "\","
        " \"cuisine_id\": \"" CUISINE "\", \"market_id\": \"" MARKET "\","
        " \"ingredients\": \"peanuts,\\r\\nwhey\","
        " \"nutrition\": {\"energy_kcal\": 120, \"sodium_mg\": 140.5, \"protein_g\": 0,"
        "                 \"iron_mg\": null},"
        " \"serving_size\": \"40 g\", \"package_weight\": \"200 g\","
        " \"price\": \"4.9\", \"currency\": \"USD\", \"status\": \"inactive\","
        " \"dietary_tags\": [\"Low Sodium\", \"vegan\", \"Plant based\", \"low_sodium\"],"
        " \"allergens\": [\"Whey\", \"peanuts\", \"milk\"],"
        " \"certifications\": [\"USDA Organic\", \"Non-GMO Project\", \"usda organic\"],"
        " \"regulatory_codes\": [\"FDA-123\", \"EU 1169/2011\", \"FDA-123\"],"
        " \"source_url\": \"http://example.com/p/9\","
        " \"images\": [{\"url\": \"https://img.example/b.png\", \"alt\": \"back\"},"
        "              {\"url\": \"https://img.example/a.png\", \"order\": 0}]}"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
        "{\"ord\":3,\"external_id\":\"sku-9\",\"barcode\":\"4006381333931\","
        "\"gtin_type\":\"gtin13\",\"name\":\"Peanut bar\",\"brand\":\"\","
        "\"description\":\"Line one\\nline two\\t.\",\"category_id\":\"" CAT "\","
        "\"sub_category_id\":\"" SUBCAT "\",\"cuisine_id\":\"" CUISINE "\","
        "\"market_id\":\"" MARKET "\",\"ingredients\":\"peanuts,\\r\\nwhey\","
        "\"nutrition\":{\"energy_kcal\":120,\"sodium_mg\":140.5,\"protein_g\":0},"
        "\"serving_size\":\"40 g\",\"package_weight\":\"200 g\",\"price\":\"4.90\","
        "\"currency\":\"USD\",\"status\":\"inactive\","
        "\"dietary_tags\":[\"low_sodium\",\"vegan\"],\"allergens\":[\"milk\",\"peanut\"],"
        "\"certifications\":[\"non_gmo_project\",\"usda_organic\"],"
        "\"regulatory_codes\":[\"EU 1169\\/2011\",\"FDA-123\"],"
        "\"source_url\":\"http:\\/\\/example.com\\/p\\/9\","
        "\"images\":[{\"url\":\"https:\\/\\/img.example\\/a.png\",\"alt\":null,\"order\":0},"
        "{\"url\":\"https:\\/\\/img.example\\/b.png\",\"alt\":\"back\",\"order\":0}]}");
    json_object_put(out);
    teardown();
}

static void
test_single_product_pointer_and_ord(void)
{
    json_object *item = with("price", NULL), *out;

    setup();
    out = od_product_normalise(item, 0, "#", vocab, arena, &issues);
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT(find_issue("#/price") >= 0);
    json_object_put(item);
    teardown();

    setup();
    item = minimal();
    out = od_product_normalise(item, 7, "#/items/7", vocab, arena, &issues);
    CU_ASSERT_STRING_EQUAL(member_text(out, "ord"), "7");
    json_object_put(out);
    json_object_put(item);
    teardown();
}

static void
test_not_an_object(void)
{
    static const char *const bad[] = { "[]", "\"product\"", "1", "true" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setup();
        fails_once(od_kit_parse(bad[i]), "#/items/3", "must be an object");
        teardown();
    }
    setup();
    CU_ASSERT_PTR_NULL(od_product_normalise(NULL, 3, "#/items/3", vocab, arena, &issues));
    CU_ASSERT_EQUAL(got.n, 1);
    CU_ASSERT(find_issue("#/items/3") >= 0);
    teardown();
}

static void
test_required_fields(void)
{
    static const char *const required[] = { "external_id", "name", "brand", "description",
                                            "category_id", "price" };
    json_object *out;

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        char ptr[64];

        snprintf(ptr, sizeof(ptr), "%s", required[i]);
        refuses(required[i], NULL, ptr, "is required");
        refuses(required[i], "null", ptr, "is required");  /* null is not a value */
    }
    /* all at once: every one reported, nothing else */
    setup();
    out = run(od_kit_parse("{}"));
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(got.n, 6);
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        char ptr[64];

        snprintf(ptr, sizeof(ptr), "#/items/3/%s", required[i]);
        CU_ASSERT(find_issue(ptr) >= 0);
    }
    teardown();
}

static void
test_every_error_reported(void)
{
    json_object *out;

    setup();
    out = run(od_kit_parse(
        "{\"id\": \"x\", \"colour\": \"red\", \"external_id\": \"\", \"name\": 5,"
        " \"brand\": \"B\", \"description\": \"D\", \"category_id\": \"" OTHER "\","
        " \"price\": -1, \"currency\": \"EUR\", \"status\": \"draft\", \"barcode\": \"123\","
        " \"nutrition\": {\"salt_g\": 1}, \"allergens\": [\"lecithin\"],"
        " \"source_url\": \"ftp://x\", \"images\": [{\"url\": \"http://x/a.png\"}]}"));
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT_EQUAL(got.n, 13);
    CU_ASSERT(find_issue("#/items/3/id") >= 0);
    CU_ASSERT(find_issue("#/items/3/colour") >= 0);
    CU_ASSERT(find_issue("#/items/3/external_id") >= 0);
    CU_ASSERT(find_issue("#/items/3/name") >= 0);
    CU_ASSERT(find_issue("#/items/3/category_id") >= 0);
    CU_ASSERT(find_issue("#/items/3/price") >= 0);
    CU_ASSERT(find_issue("#/items/3/currency") >= 0);
    CU_ASSERT(find_issue("#/items/3/status") >= 0);
    CU_ASSERT(find_issue("#/items/3/barcode") >= 0);
    CU_ASSERT(find_issue("#/items/3/nutrition/salt_g") >= 0);
    CU_ASSERT(find_issue("#/items/3/allergens/0") >= 0);
    CU_ASSERT(find_issue("#/items/3/source_url") >= 0);
    CU_ASSERT(find_issue("#/items/3/images/0/url") >= 0);
    CU_ASSERT(find_issue("#/items/3/brand") < 0);
    CU_ASSERT(find_issue("#/items/3/description") < 0);
    teardown();
}

static void
test_unknown_and_read_only_members(void)
{
    refuses("colour", "\"red\"", "colour", "is not a field of a product");
    refuses("Name", "\"x\"", "Name", "is not a field of a product");
    refuses("ord", "1", "ord", "is not a field of a product");
    refuses("a/b~c", "1", "a~1b~0c", "is not a field of a product");
    refuses("id", "\"" OTHER "\"", "id", "is set by the server");
    refuses("created_at", "\"2024-01-01T00:00:00Z\"", "created_at", "is set by the server");
    refuses("updated_at", "null", "updated_at", "is set by the server");
    refuses("soft_deleted_at", "null", "soft_deleted_at", "is set by the server");
    refuses("catalog_version", "12", "catalog_version", "is set by the server");
}

/* Writes a JSON string of n 'x' into buf (n + 3 bytes); returns buf. */
static char *
xs(char *buf, size_t n)
{
    buf[0] = '"';
    memset(buf + 1, 'x', n);
    buf[n + 1] = '"';
    buf[n + 2] = '\0';
    return buf;
}

static void
test_text_members(void)
{
    char big[20100];

    refuses("name", "\"a\\u0001b\"", "name", "control characters");
    refuses("name", "\"a\\nb\"", "name", "control characters");  /* one line */
    refuses("name", "\"a\\tb\"", "name", "control characters");
    refuses("name", "\"a\\u007fb\"", "name", "control characters");
    refuses("external_id", "\"a\\u0000b\"", "external_id", "control characters");
    refuses("brand", "\"a\\rb\"", "brand", "control characters");
    refuses("description", "\"a\\u0000b\"", "description", "control characters");
    refuses("description", "\"a\\u001bb\"", "description", "control characters");
    normalises_to("description", "\"a\\nb\\r\\n\\tc\"", "\"a\\nb\\r\\n\\tc\"");
    normalises_to("ingredients", "\"a,\\nb\"", "\"a,\\nb\"");
    refuses("ingredients", "\"a\\u0002\"", "ingredients", "control characters");
    refuses("serving_size", "\"1\\n\"", "serving_size", "control characters");
    refuses("name", "\"   \"", "name", "must not be empty");
    refuses("name", "\"\"", "name", "must not be empty");
    refuses("external_id", "\" \\t\"", "external_id", "control characters");
    refuses("external_id", "\"  \"", "external_id", "must not be empty");
    refuses("name", "5", "name", "must be a string");
    refuses("brand", "[\"b\"]", "brand", "must be a string");
    normalises_to("name", "\"Caf\\u00e9 \\u2615\"", "\"Caf\xc3\xa9 \xe2\x98\x95\"");  /* UTF-8 */

    /* lengths in bytes: external_id 255, name 500, brand 200, serving_size and
     * package_weight 100, description 20000 */
    normalises_to("external_id", xs(big, 255), big);
    refuses("external_id", xs(big, 256), "external_id", "at most 255 bytes");
    normalises_to("name", xs(big, 500), big);
    refuses("name", xs(big, 501), "name", "at most 500 bytes");
    normalises_to("brand", xs(big, 200), big);
    refuses("brand", xs(big, 201), "brand", "at most 200 bytes");
    normalises_to("serving_size", xs(big, 100), big);
    refuses("serving_size", xs(big, 101), "serving_size", "at most 100 bytes");
    refuses("package_weight", xs(big, 101), "package_weight", "at most 100 bytes");
    normalises_to("description", xs(big, 20000), big);
    refuses("description", xs(big, 20001), "description", "at most 20000 bytes");
    normalises_to("ingredients", xs(big, 20000), big);
    refuses("ingredients", xs(big, 20001), "ingredients", "at most 20000 bytes");
}

static void
test_references(void)
{
    /* upper case is accepted and written in canonical form */
    normalises_to("category_id", "\"AAAAAAAA-0000-4000-8000-000000000001\"", "\"" CAT "\"");
    normalises_to("sub_category_id", "\"" SUBCAT "\"", "\"" SUBCAT "\"");
    normalises_to("cuisine_id", "\"" CUISINE "\"", "\"" CUISINE "\"");
    normalises_to("market_id", "\"" OTHER "\"", "\"" OTHER "\"");  /* no vocabulary */
    refuses("category_id", "\"" OTHER "\"", "category_id", "active category");
    refuses("category_id", "\"" CUISINE "\"", "category_id", "active category");
    refuses("sub_category_id", "\"" OTHER "\"", "sub_category_id", "active category");
    refuses("cuisine_id", "\"" CAT "\"", "cuisine_id", "active cuisine");
    refuses("category_id", "\"food\"", "category_id", "must be a uuid");
    refuses("category_id", "\"aaaaaaaa00004000800000000000000001\"", "category_id",
            "must be a uuid");
    refuses("category_id", "1", "category_id", "must be a uuid");
    refuses("market_id", "\"x\"", "market_id", "must be a uuid");
}

static void
test_barcode(void)
{
    json_object *out;

    normalises_to("barcode", "\"036000291452\"", "\"036000291452\"");
    setup();
    out = passes(with("barcode", "\"96385074\""));
    CU_ASSERT_STRING_EQUAL(member_text(out, "gtin_type"), "\"gtin8\"");
    json_object_put(out);
    teardown();
    setup();
    out = passes(with("barcode", "\"10614141000415\""));
    CU_ASSERT_STRING_EQUAL(member_text(out, "gtin_type"), "\"gtin14\"");
    json_object_put(out);
    teardown();
    refuses("barcode", "\"4006381333932\"", "barcode", "check digit");
    refuses("barcode", "\"12345\"", "barcode", "check digit");
    refuses("barcode", "4006381333931", "barcode", "must be a string");
    /* gtin_type must agree with the barcode, and needs one */
    setup();
    fails_once(od_kit_parse("{\"external_id\": \"s\", \"name\": \"n\", \"brand\": \"b\","
                     " \"description\": \"d\", \"category_id\": \"" CAT "\", \"price\": 1,"
                     " \"barcode\": \"036000291452\", \"gtin_type\": \"gtin13\"}"),
               "#/items/3/gtin_type", "must be gtin12");
    teardown();
    setup();
    fails_once(od_kit_parse("{\"external_id\": \"s\", \"name\": \"n\", \"brand\": \"b\","
                     " \"description\": \"d\", \"category_id\": \"" CAT "\", \"price\": 1,"
                     " \"barcode\": \"036000291452\", \"gtin_type\": 12}"),
               "#/items/3/gtin_type", "must be gtin12");
    teardown();
    refuses("gtin_type", "\"gtin13\"", "gtin_type", "send a barcode");
    setup();
    out = passes(od_kit_parse("{\"external_id\": \"s\", \"name\": \"n\", \"brand\": \"b\","
                       " \"description\": \"d\", \"category_id\": \"" CAT "\", \"price\": 1,"
                       " \"barcode\": \"036000291452\", \"gtin_type\": \"gtin12\"}"));
    CU_ASSERT_STRING_EQUAL(member_text(out, "gtin_type"), "\"gtin12\"");
    json_object_put(out);
    teardown();
}

static void
test_price_member(void)
{
    normalises_to("price", "4.99", "\"4.99\"");
    normalises_to("price", "4", "\"4.00\"");
    normalises_to("price", "0.1", "\"0.10\"");
    normalises_to("price", "1e2", "\"100.00\"");
    normalises_to("price", "\"4.9\"", "\"4.90\"");
    normalises_to("price", "\"4\"", "\"4.00\"");
    refuses("price", "-1", "price", "zero or more");
    refuses("price", "4.999", "price", "two decimals");
    refuses("price", "1e10", "price", "below");
    refuses("price", "\"4.\"", "price", "decimal number");
    refuses("price", "\".5\"", "price", "decimal number");
    refuses("price", "\"abc\"", "price", "decimal number");
    refuses("price", "true", "price", "number or a decimal string");
}

static void
test_currency_and_status(void)
{
    normalises_to("currency", "\"USD\"", "\"USD\"");
    normalises_to("status", "\"inactive\"", "\"inactive\"");
    normalises_to("status", "\"active\"", "\"active\"");
    normalises_to("status", "null", "\"active\"");     /* null means the default */
    normalises_to("currency", "null", "\"USD\"");
    refuses("currency", "\"usd\"", "currency", "must be USD");
    refuses("currency", "\"EUR\"", "currency", "must be USD");
    refuses("status", "\"deleted\"", "status", "active or inactive");
    refuses("status", "true", "status", "active or inactive");
}

static void
test_nutrition(void)
{
    normalises_to("nutrition", "{\"energy_kcal\": 120, \"sodium_mg\": 140}",
                  "{\"energy_kcal\":120,\"sodium_mg\":140}");
    /* null: not known, dropped (not zero) */
    normalises_to("nutrition", "{\"energy_kcal\": 120, \"total_sugars_g\": null}",
                  "{\"energy_kcal\":120}");
    normalises_to("nutrition", "{}", "{}");
    normalises_to("nutrition", "null", "null");
    normalises_to("nutrition",
                  "{\"energy_kcal\": 1, \"protein_g\": 2, \"total_fat_g\": 3,"
                  " \"saturated_fat_g\": 4, \"trans_fat_g\": 0, \"cholesterol_mg\": 5,"
                  " \"sodium_mg\": 6, \"total_carbohydrate_g\": 7, \"dietary_fiber_g\": 8,"
                  " \"total_sugars_g\": 9, \"added_sugars_g\": 10, \"potassium_mg\": 11,"
                  " \"phosphorus_mg\": 12, \"calcium_mg\": 13, \"iron_mg\": 1.5,"
                  " \"vitamin_d_mcg\": 10000000}",
                  "{\"energy_kcal\":1,\"protein_g\":2,\"total_fat_g\":3,\"saturated_fat_g\":4,"
                  "\"trans_fat_g\":0,\"cholesterol_mg\":5,\"sodium_mg\":6,"
                  "\"total_carbohydrate_g\":7,\"dietary_fiber_g\":8,\"total_sugars_g\":9,"
                  "\"added_sugars_g\":10,\"potassium_mg\":11,\"phosphorus_mg\":12,"
                  "\"calcium_mg\":13,\"iron_mg\":1.5,\"vitamin_d_mcg\":10000000}");
    refuses("nutrition", "{\"salt_g\": 1}", "nutrition/salt_g", "canonical nutrient key");
    refuses("nutrition", "{\"Energy_kcal\": 1}", "nutrition/Energy_kcal", "canonical");
    refuses("nutrition", "{\"a/b\": 1}", "nutrition/a~1b", "canonical");
    refuses("nutrition", "{\"salt_g\": null}", "nutrition/salt_g", "canonical");
    refuses("nutrition", "{\"sodium_mg\": -1}", "nutrition/sodium_mg", "from 0 to 10000000");
    refuses("nutrition", "{\"sodium_mg\": -0.5}", "nutrition/sodium_mg", "from 0 to");
    refuses("nutrition", "{\"sodium_mg\": 10000001}", "nutrition/sodium_mg", "from 0 to");
    refuses("nutrition", "{\"sodium_mg\": \"140\"}", "nutrition/sodium_mg", "from 0 to");
    refuses("nutrition", "{\"sodium_mg\": true}", "nutrition/sodium_mg", "from 0 to");
    refuses("nutrition", "[1]", "nutrition", "must be an object");
    refuses("nutrition", "\"lots\"", "nutrition", "must be an object");
}

static void
test_nutrition_every_key_reported(void)
{
    setup();
    CU_ASSERT_PTR_NULL(run(with("nutrition", "{\"salt_g\": 1, \"sodium_mg\": -1,"
                                              " \"energy_kcal\": 5, \"fat\": 2}")));
    CU_ASSERT_EQUAL(got.n, 3);
    CU_ASSERT(find_issue("#/items/3/nutrition/salt_g") >= 0);
    CU_ASSERT(find_issue("#/items/3/nutrition/sodium_mg") >= 0);
    CU_ASSERT(find_issue("#/items/3/nutrition/fat") >= 0);
    teardown();
}

static void
test_allergens(void)
{
    normalises_to("allergens", "[\"Whey\"]", "[\"milk\"]");
    normalises_to("allergens", "[\"peanuts\"]", "[\"peanut\"]");
    /* synonyms and codes meet, then sorted and de-duplicated */
    normalises_to("allergens", "[\"Soya\", \"whey\", \"MILK\", \"Peanuts\", \"dairy\"]",
                  "[\"milk\",\"peanut\",\"soy\"]");
    normalises_to("allergens", "[\"tree-nut\", \"sesame_seeds\"]", "[\"sesame\",\"tree_nuts\"]");
    normalises_to("allergens", "[]", "[]");  /* declared allergen-free, not unknown */
    normalises_to("allergens", "null", "null");
    refuses("allergens", "[\"lecithin\"]", "allergens/0", "is not a known allergen");
    refuses("allergens", "[\"milk\", \"natural flavor\"]", "allergens/1", "\"natural flavor\"");
    refuses("allergens", "[\"milk\", \"\"]", "allergens/1", "non-empty string");
    refuses("allergens", "[\"milk\", \"  \"]", "allergens/1", "non-empty string");
    refuses("allergens", "[\"milk\", 5]", "allergens/1", "non-empty string");
    refuses("allergens", "[null]", "allergens/0", "non-empty string");
    refuses("allergens", "[\"mi\\u0001lk\"]", "allergens/0", "non-empty string");
    refuses("allergens", "\"milk\"", "allergens", "array of strings");
}

static void
test_allergens_every_word_reported(void)
{
    setup();
    CU_ASSERT_PTR_NULL(run(with("allergens", "[\"lecithin\", \"milk\", \"surimi\", 3]")));
    CU_ASSERT_EQUAL(got.n, 3);
    CU_ASSERT(find_issue("#/items/3/allergens/0") >= 0);
    CU_ASSERT(find_issue("#/items/3/allergens/2") >= 0);
    CU_ASSERT(find_issue("#/items/3/allergens/3") >= 0);
    teardown();
}

static void
test_tags_and_codes(void)
{
    char many[2048];
    size_t n = 0;

    normalises_to("dietary_tags", "[\"Low Sodium\"]", "[\"low_sodium\"]");
    normalises_to("dietary_tags", "[\"vegan\", \"Low Sodium\", \"low-sodium\", \"GF\","
                                  " \"Plant Based\", \"gluten free\"]",
                  "[\"gluten_free\",\"low_sodium\",\"vegan\"]");
    normalises_to("dietary_tags", "[\"Zero Sugar\", \"high protein\"]",
                  "[\"high_protein\",\"zero_sugar\"]");
    refuses("dietary_tags", "[\"vegan\", \"!!!\"]", "dietary_tags/1", "letters or digits");
    refuses("dietary_tags", "[\"vegan\", \"\"]", "dietary_tags/1", "non-empty string");
    refuses("dietary_tags", "{\"a\": 1}", "dietary_tags", "array of strings");
    normalises_to("certifications", "[\"USDA Organic\", \"Kosher\", \"usda-organic\"]",
                  "[\"kosher\",\"usda_organic\"]");
    normalises_to("regulatory_codes", "[\"b-2\", \"A 1\", \"b-2\"]", "[\"A 1\",\"b-2\"]");

    /* at most 100 entries, each at most 64 bytes */
    n += (size_t)snprintf(many + n, sizeof(many) - n, "[");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"t%d\"", i ? "," : "", i);
    snprintf(many + n, sizeof(many) - n, "]");
    setup();
    json_object_put(passes(with("dietary_tags", many)));
    teardown();
    snprintf(many + n, sizeof(many) - n, ",\"t100\"]");
    refuses("dietary_tags", many, "dietary_tags", "at most 100 entries");
    refuses("regulatory_codes",
            "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]",
            "regulatory_codes/0", "at most 64 bytes");  /* 65 */
    normalises_to("regulatory_codes",
                  "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]",
                  "[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]");
}

static void
test_images(void)
{
    char many[8192];
    size_t n = 0;

    /* order defaults to the index; sorted by order, then url */
    normalises_to("images",
                  "[{\"url\": \"https://x/z.png\"}, {\"url\": \"https://x/a.png\"}]",
                  "[{\"url\":\"https:\\/\\/x\\/z.png\",\"alt\":null,\"order\":0},"
                  "{\"url\":\"https:\\/\\/x\\/a.png\",\"alt\":null,\"order\":1}]");
    normalises_to("images",
                  "[{\"url\": \"https://x/c.png\", \"order\": 5, \"alt\": \"C\"},"
                  " {\"url\": \"https://x/b.png\", \"order\": 2},"
                  " {\"url\": \"https://x/a.png\", \"order\": 2, \"alt\": \"\"},"
                  " {\"url\": \"https://x/d.png\"}]",
                  "[{\"url\":\"https:\\/\\/x\\/a.png\",\"alt\":\"\",\"order\":2},"
                  "{\"url\":\"https:\\/\\/x\\/b.png\",\"alt\":null,\"order\":2},"
                  "{\"url\":\"https:\\/\\/x\\/d.png\",\"alt\":null,\"order\":3},"
                  "{\"url\":\"https:\\/\\/x\\/c.png\",\"alt\":\"C\",\"order\":5}]");
    normalises_to("images", "[]", "[]");
    normalises_to("images", "null", "[]");
    normalises_to("images", "[{\"url\": \"https://x/a.png\", \"order\": 10000, \"alt\": null}]",
                  "[{\"url\":\"https:\\/\\/x\\/a.png\",\"alt\":null,\"order\":10000}]");
    refuses("images", "[{\"url\": \"http://x/a.png\"}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": \"https://\"}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": \"https:///a.png\"}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": \"https://x/a b.png\"}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": \"https://x/a\\n.png\"}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": \"HTTPS-ish\"}]", "images/0/url", "https://");
    refuses("images", "[{\"alt\": \"no url\"}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": 5}]", "images/0/url", "https://");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"caption\": \"c\"}]",
            "images/0/caption", "is not a field of an image");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"order\": -1}]", "images/0/order",
            "0 to 10000");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"order\": 10001}]", "images/0/order",
            "0 to 10000");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"order\": 1.5}]", "images/0/order",
            "whole number");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"order\": \"1\"}]", "images/0/order",
            "whole number");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"alt\": 1}]", "images/0/alt",
            "at most 500 bytes");
    refuses("images", "[{\"url\": \"https://x/a.png\", \"alt\": \"a\\u0001\"}]",
            "images/0/alt", "at most 500 bytes");
    refuses("images", "[{\"url\": \"https://x/a.png\"}, \"https://x/b.png\"]", "images/1",
            "must be an object");
    refuses("images", "{\"url\": \"https://x/a.png\"}", "images", "must be an array");

    /* alt: at most 500 bytes */
    {
        char alt[600], img[700], want[800];

        memset(alt, 'a', 500);
        alt[500] = '\0';
        snprintf(img, sizeof(img), "[{\"url\": \"https://x/a.png\", \"alt\": \"%s\"}]", alt);
        snprintf(want, sizeof(want),
                 "[{\"url\":\"https:\\/\\/x\\/a.png\",\"alt\":\"%s\",\"order\":0}]", alt);
        normalises_to("images", img, want);
        snprintf(img, sizeof(img), "[{\"url\": \"https://x/a.png\", \"alt\": \"%sa\"}]", alt);
        refuses("images", img, "images/0/alt", "at most 500 bytes");
    }

    /* 50 images pass, 51 do not */
    n += (size_t)snprintf(many + n, sizeof(many) - n, "[");
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%s{\"url\": \"https://x/%02d.png\"}",
                              i ? "," : "", i);
    snprintf(many + n, sizeof(many) - n, "]");
    setup();
    {
        json_object *out = passes(with("images", many)), *imgs;

        CU_ASSERT_TRUE(json_object_object_get_ex(out, "images", &imgs));
        CU_ASSERT_EQUAL(json_object_array_length(imgs), 50);
        json_object_put(out);
    }
    teardown();
    snprintf(many + n, sizeof(many) - n, ",{\"url\": \"https://x/50.png\"}]");
    refuses("images", many, "images", "at most 50 entries");
}

static void
test_images_every_problem_reported(void)
{
    setup();
    CU_ASSERT_PTR_NULL(run(with("images", "[{\"url\": \"http://x/a\", \"size\": 1},"
                                           " {\"url\": \"https://x/b\"},"
                                           " {\"url\": \"https://x/c\", \"order\": -2}]")));
    CU_ASSERT_EQUAL(got.n, 3);
    CU_ASSERT(find_issue("#/items/3/images/0/url") >= 0);
    CU_ASSERT(find_issue("#/items/3/images/0/size") >= 0);
    CU_ASSERT(find_issue("#/items/3/images/2/order") >= 0);
    teardown();
}

static void
test_source_url(void)
{
    char big[2200];

    normalises_to("source_url", "\"http://example.com/p\"", "\"http:\\/\\/example.com\\/p\"");
    normalises_to("source_url", "\"https://example.com\"", "\"https:\\/\\/example.com\"");
    normalises_to("source_url", "null", "null");
    refuses("source_url", "\"ftp://example.com/p\"", "source_url", "http:// or https://");
    refuses("source_url", "\"javascript:alert(1)\"", "source_url", "http:// or https://");
    refuses("source_url", "\"example.com\"", "source_url", "http:// or https://");
    refuses("source_url", "\"http://\"", "source_url", "http:// or https://");
    refuses("source_url", "\"http://example.com/a b\"", "source_url", "http:// or https://");
    refuses("source_url", "\"http://example.com/\\t\"", "source_url", "http://");
    refuses("source_url", "5", "source_url", "http:// or https://");

    /* at most 2048 bytes */
    memset(big, 'a', sizeof(big));
    memcpy(big, "\"https://x/", 11);
    big[2049] = '"';
    big[2050] = '\0';
    setup();
    json_object_put(passes(with("source_url", big)));
    teardown();
    big[2049] = 'a';
    big[2050] = '"';
    big[2051] = '\0';
    refuses("source_url", big, "source_url", "at most 2048 bytes");
}

/* Found while these tests were written, fixed since. */
static void
test_nul_escapes_and_exact_prices(void)
{
    /* A "\u0000" escape gets through od_json_parse (it only refuses raw NUL bytes)
     * and json-c keeps it in the string: every string member refuses it, rather
     * than cutting the value at the NUL. */
    refuses("source_url", "\"http://example.com/\\u0000junk\"", "source_url", "http://");
    refuses("images", "[{\"url\": \"https://x/a.png\\u0000junk\"}]", "images/0/url",
            "https://");
    refuses("allergens", "[\"milk\\u0000junk\"]", "allergens/0", "non-empty string");
    refuses("dietary_tags", "[\"vegan\\u0000junk\"]", "dietary_tags/0", "non-empty string");
    refuses("regulatory_codes", "[\"A\\u0000B\"]", "regulatory_codes/0", "non-empty string");
    /* A JSON number is read from its digits, not from a double. */
    price_refused("4.99000001", "two decimals");
    price_refused("0.000000001", "two decimals");
    /* Leading zeros go. */
    price_is("\"007\"", "7.00");
    price_is("\"00.5\"", "0.50");
}

static const od_unit_case cases[] = {
    { "gtin types and check digits", test_gtin_type },
    { "prices as numbers", test_price_numbers },
    { "prices as strings", test_price_strings },
    { "allergen and tag words", test_allergen_and_tag_words },
    { "read-only member names", test_read_only_names },
    { "a minimal product: every column, defaults", test_minimal_output_shape },
    { "a full product: the exact output", test_full_product },
    { "a single product's pointers, ord", test_single_product_pointer_and_ord },
    { "a product must be an object", test_not_an_object },
    { "required fields", test_required_fields },
    { "every error is reported", test_every_error_reported },
    { "unknown and read-only members", test_unknown_and_read_only_members },
    { "text members: control characters, blanks, lengths", test_text_members },
    { "category, cuisine and market references", test_references },
    { "barcode and gtin_type", test_barcode },
    { "price member", test_price_member },
    { "currency and status", test_currency_and_status },
    { "nutrition", test_nutrition },
    { "nutrition: every bad key reported", test_nutrition_every_key_reported },
    { "allergens through synonyms", test_allergens },
    { "allergens: every bad word reported", test_allergens_every_word_reported },
    { "tags and codes normalised, de-duplicated, sorted", test_tags_and_codes },
    { "images", test_images },
    { "images: every problem reported", test_images_every_problem_reported },
    { "source_url", test_source_url },
    { "NUL escapes and exact prices", test_nul_escapes_and_exact_prices },
};

OD_UNIT_MAIN("product", cases)
