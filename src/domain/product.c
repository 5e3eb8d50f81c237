/* product.c: one product, checked field by field, every problem reported with the
 * JSON pointer of the field; the output is the canonical row for the upsert. */
#include "domain/product.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/uuid.h"
#include "domain/check.h"
#include "domain/nutrients.h"

#define OD_ARRAY_MAX   100   /* tags, allergens, certifications, regulatory codes */
#define OD_IMAGES_MAX  50
#define OD_URL_MAX     2048

/* Every member a client may send, in output order. */
static const char *const members[] = {
    "external_id", "barcode", "gtin_type", "name", "brand", "description", "category_id",
    "sub_category_id", "cuisine_id", "market_id", "ingredients", "nutrition",
    "serving_size", "package_weight", "price", "currency", "status", "dietary_tags",
    "allergens", "certifications", "regulatory_codes", "source_url", "images",
};

static const char *const read_only[] = {
    "id", "created_at", "updated_at", "soft_deleted_at", "catalog_version",
};

bool
od_product_read_only(const char *member)
{
    return od_check_in(member, read_only, sizeof(read_only) / sizeof(read_only[0]));
}

/* A uuid member; with kind < OD_VOCAB_KINDS it must be in the vocabulary. */
static void
reference(od_check *c, json_object *item, const char *name, bool required, od_vocab_kind kind,
          const char *what)
{
    json_object *v = od_json_member(item, name);
    char id[37];

    if (v == NULL) {
        if (required)
            od_check_bad(c, name, -1, NULL, "is required");
        json_object_object_add(c->out, name, NULL);
        return;
    }
    if (!json_object_is_type(v, json_type_string) ||
        !od_uuid_canonical(json_object_get_string(v), id)) {
        od_check_bad(c, name, -1, NULL, "must be a uuid");
        return;
    }
    if (kind < OD_VOCAB_KINDS && od_vocab_lookup((const od_vocab *)c->ctx, kind, id) == NULL) {
        od_check_bad(c, name, -1, NULL, od_arena_printf(c->a, "must name an active %s of this "
                                                        "vendor or a global one", what));
        return;
    }
    json_object_object_add(c->out, name, json_object_new_string(id));
}

const char *
od_product_gtin_type(const char *barcode)
{
    size_t n = barcode ? strlen(barcode) : 0;
    int sum = 0;

    if (n != 8 && n != 12 && n != 13 && n != 14)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (barcode[i] < '0' || barcode[i] > '9')
            return NULL;
    }
    /* Weights 3, 1, 3, ... from the digit left of the check digit. */
    for (size_t i = 0; i + 1 < n; i++)
        sum += (barcode[n - 2 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    if ((10 - sum % 10) % 10 != barcode[n - 1] - '0')
        return NULL;
    return n == 8 ? "gtin8" : n == 12 ? "gtin12" : n == 13 ? "gtin13" : "gtin14";
}

static void
barcode(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "barcode"), *t = od_json_member(item, "gtin_type");
    const char *type = NULL;

    if (v == NULL) {
        json_object_object_add(c->out, "barcode", NULL);
        if (t != NULL)
            od_check_bad(c, "gtin_type", -1, NULL, "is derived from the barcode: send a barcode");
        json_object_object_add(c->out, "gtin_type", NULL);
        return;
    }
    if (od_json_string(v) == NULL) {
        od_check_bad(c, "barcode", -1, NULL, "must be a string of digits (leading zeros matter)");
        return;
    }
    type = od_product_gtin_type(od_json_string(v));
    if (type == NULL) {
        od_check_bad(c, "barcode", -1, NULL, "must be a GTIN of 8, 12, 13 or 14 digits with a "
                     "valid check digit");
        return;
    }
    if (t != NULL && (!json_object_is_type(t, json_type_string) ||
                      strcmp(json_object_get_string(t), type) != 0)) {
        od_check_bad(c, "gtin_type", -1, NULL, od_arena_printf(c->a, "must be %s, as the barcode's "
                                                      "length says", type));
        return;
    }
    json_object_object_add(c->out, "barcode", json_object_get(v));
    json_object_object_add(c->out, "gtin_type", json_object_new_string(type));
}

const char *
od_product_price(json_object *v, char out[24])
{
    if (json_object_is_type(v, json_type_int)) {
        int64_t n = json_object_get_int64(v);

        if (n < 0)
            return "must be zero or more";
        if (n >= 10000000000LL)
            return "must be below 10000000000";
        snprintf(out, 24, "%lld.00", (long long)n);
        return NULL;
    }
    if (json_object_is_type(v, json_type_double) &&
        strpbrk(json_object_get_string(v), "eE") != NULL) {
        /* Exponent form: exact only when two decimals print the same double. */
        double d = json_object_get_double(v);
        char *end;

        if (!isfinite(d) || d < 0)
            return "must be zero or more";
        if (d >= 1e10)
            return "must be below 10000000000";
        snprintf(out, 24, "%.2f", d);
        return strtod(out, &end) == d ? NULL : "must have at most two decimals";
    }
    if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_string)) {
        /* A parsed JSON number keeps its source text: read the digits the client
         * wrote, never a binary approximation of them. */
        const char *s = json_object_get_string(v), *dot = strchr(s, '.');
        size_t len = strlen(s), whole = dot ? (size_t)(dot - s) : len;
        size_t frac = dot ? len - whole - 1 : 0;

        if (*s == '-' && strspn(s + 1, "0.") == len - 1 && len > 1) {
            s++;  /* -0 and -0.0 are zero */
            len--;
            whole--;
        } else if (*s == '-') {
            return "must be zero or more";
        }
        if ((json_object_is_type(v, json_type_string) &&
             len != (size_t)json_object_get_string_len(v)) || whole < 1 ||
            strspn(s, "0123456789") != whole ||
            (dot && (frac < 1 || strspn(dot + 1, "0123456789") != frac)))
            return "must be a decimal number such as 4.99";
        while (whole > 1 && *s == '0') {   /* canonical: no leading zeros */
            s++;
            whole--;
        }
        if (whole > 10)
            return "must be below 10000000000";
        if (frac > 2)
            return "must have at most two decimals";
        snprintf(out, 24, "%.*s.%.*s%.*s", (int)whole, s, (int)frac, dot ? dot + 1 : "",
                 (int)(2 - frac), "00");
        return NULL;
    }
    return "must be a number or a decimal string";
}

static void
price(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "price");
    char text[24];
    const char *why;

    if (v == NULL) {
        od_check_bad(c, "price", -1, NULL, "is required");
        return;
    }
    why = od_product_price(v, text);
    if (why != NULL) {
        od_check_bad(c, "price", -1, NULL, why);
        return;
    }
    json_object_object_add(c->out, "price", json_object_new_string(text));
}

/* A member that must be one of the given words when present. */
static void
choice(od_check *c, json_object *item, const char *name, const char *def, const char *const *ok,
       size_t n, const char *detail)
{
    json_object *v = od_json_member(item, name);

    if (v == NULL) {
        json_object_object_add(c->out, name, json_object_new_string(def));
        return;
    }
    for (size_t i = 0; json_object_is_type(v, json_type_string) && i < n; i++) {
        if (strcmp(json_object_get_string(v), ok[i]) == 0) {
            json_object_object_add(c->out, name, json_object_get(v));
            return;
        }
    }
    od_check_bad(c, name, -1, NULL, detail);
}

/* The pointer of nutrient key in the item of c; made only for an issue (a batch
 * has 16 keys in each of up to 10,000 items). */
static const char *
nutrient_pointer(od_check *c, const char *key)
{
    const char *ptr = od_arena_printf(c->a, "%s/nutrition/%s", c->prefix,
                                      od_json_pointer_token(c->a, key));

    return ptr != NULL ? ptr : c->prefix;
}

static void
nutrition(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "nutrition"), *o;
    bool ok = true;

    if (v == NULL) {
        json_object_object_add(c->out, "nutrition", NULL);
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        od_check_bad(c, "nutrition", -1, NULL, "must be an object of nutrient amounts per serving");
        return;
    }
    o = json_object_new_object();
    json_object_object_foreach(v, key, value) {
        if (od_nutrient_unit(key) == NULL) {
            od_issues_report(c->issues, nutrient_pointer(c, key), "is not a canonical "
                             "nutrient key (energy_kcal, protein_g, sodium_mg, ...)");
            ok = false;
            continue;
        }
        if (value == NULL)
            continue;  /* null: not known, which is not zero */
        if ((!json_object_is_type(value, json_type_int) &&
             !json_object_is_type(value, json_type_double)) ||
            !isfinite(json_object_get_double(value)) || json_object_get_double(value) < 0 ||
            json_object_get_double(value) > 1e7) {
            od_issues_report(c->issues, nutrient_pointer(c, key),
                             "must be a number from 0 to 10000000");
            ok = false;
            continue;
        }
        /* The keys of one JSON object are distinct: no lookup before the add. */
        json_object_object_add_ex(o, key, json_object_get(value),
                                  JSON_C_OBJECT_ADD_KEY_IS_NEW);
    }
    if (!ok) {
        json_object_put(o);
        return;
    }
    json_object_object_add(c->out, "nutrition", o);
}

const char *
od_product_allergen(const od_vocab *vocab, const char *word)
{
    return od_vocab_lookup(vocab, OD_VOCAB_ALLERGEN, word);
}

const char *
od_product_tag(const od_vocab *vocab, const char *word, od_arena *a)
{
    const char *known = od_vocab_lookup(vocab, OD_VOCAB_DIET, word);

    return known ? known : od_check_code(word, a);
}

static bool
url_ok(const char *s, bool https_only)
{
    size_t n = strlen(s);
    const char *host;

    if (n > OD_URL_MAX || od_check_control(s, n, false) || strchr(s, ' ') != NULL)
        return false;
    if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (!https_only && strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return false;
    return *host != '\0' && *host != '/' && *host != ':' && *host != '?' && *host != '#';
}

typedef struct image {
    const char *url;
    json_object *alt;   /* borrowed string, or NULL */
    int64_t order;
} image;

static int
cmp_image(const void *a, const void *b)
{
    const image *x = a, *y = b;

    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->url, y->url);
}

static void
images(od_check *c, json_object *item)
{
    json_object *v = od_json_member(item, "images"), *o;
    image *list;
    size_t n;
    bool ok = true;

    if (v == NULL) {
        json_object_object_add(c->out, "images", json_object_new_array());
        return;
    }
    if (!json_object_is_type(v, json_type_array)) {
        od_check_bad(c, "images", -1, NULL, "must be an array of {url, alt, order}");
        return;
    }
    n = json_object_array_length(v);
    if (n > OD_IMAGES_MAX) {
        od_check_bad(c, "images", -1, NULL, od_arena_printf(c->a, "must have at most %d entries",
                                                   OD_IMAGES_MAX));
        return;
    }
    list = od_arena_alloc(c->a, sizeof(*list) * (n + 1));
    if (list == NULL) {
        od_check_bad(c, "images", -1, NULL, "could not be read");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i), *url, *alt, *order;

        if (e == NULL || !json_object_is_type(e, json_type_object)) {
            od_check_bad(c, "images", (long)i, NULL, "must be an object {url, alt, order}");
            ok = false;
            continue;
        }
        json_object_object_foreach(e, key, value) {
            (void)value;
            if (strcmp(key, "url") != 0 && strcmp(key, "alt") != 0 && strcmp(key, "order") != 0) {
                od_check_bad(c, "images", (long)i, od_json_pointer_token(c->a, key),
                    "is not a field of an image (url, alt, order)");
                ok = false;
            }
        }
        url = od_json_member(e, "url");
        alt = od_json_member(e, "alt");
        order = od_json_member(e, "order");
        if (od_json_string(url) == NULL || !url_ok(od_json_string(url), true)) {
            od_check_bad(c, "images", (long)i, "url", "must be an https:// URL of at most 2048 "
                         "bytes");
            ok = false;
        }
        if (alt != NULL && (od_json_string(alt) == NULL || json_object_get_string_len(alt) > 500 ||
                            od_check_control(json_object_get_string(alt),
                                        (size_t)json_object_get_string_len(alt), false))) {
            od_check_bad(c, "images", (long)i, "alt", "must be a string of at most 500 bytes");
            ok = false;
        }
        if (order != NULL && (!json_object_is_type(order, json_type_int) ||
                              json_object_get_int64(order) < 0 ||
                              json_object_get_int64(order) > 10000)) {
            od_check_bad(c, "images", (long)i, "order", "must be a whole number from 0 to 10000");
            ok = false;
        }
        if (!ok)
            continue;
        list[i] = (image){ json_object_get_string(url), alt,
                           order ? json_object_get_int64(order) : (int64_t)i };
    }
    if (!ok)
        return;
    qsort(list, n, sizeof(*list), cmp_image);
    o = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *img = json_object_new_object();

        /* The shape and order od_products_upsert compares with the stored images. */
        json_object_object_add(img, "url", json_object_new_string(list[i].url));
        json_object_object_add(img, "alt", list[i].alt ? json_object_get(list[i].alt) : NULL);
        json_object_object_add(img, "order", json_object_new_int64(list[i].order));
        json_object_array_add(o, img);
    }
    json_object_object_add(c->out, "images", o);
}

/* source_url: http or https. */
static bool
source_url_ok(const char *s)
{
    return s != NULL && url_ok(s, false);
}

/* The word normalisers of the lists (od_check_norm; arg is the vocabulary). */
static const char *
norm_allergen(const void *arg, const char *word, od_arena *a, const char **why)
{
    const char *w = od_product_allergen(arg, word);

    if (w == NULL)
        *why = od_arena_printf(a, "\"%s\" is not a known allergen: use a code such as milk, "
                               "egg, peanut, tree_nuts, or add a synonym", word);
    return w;
}

static const char *
norm_tag(const void *arg, const char *word, od_arena *a, const char **why)
{
    (void)why;
    return od_product_tag(arg, word, a);
}

static const char *
norm_text(const void *arg, const char *word, od_arena *a, const char **why)
{
    (void)arg;
    (void)a;
    (void)why;
    return word;
}

json_object *
od_product_normalise(json_object *item, int ord, const char *prefix, const od_vocab *vocab,
                     od_arena *a, od_issues *issues)
{
    static const char *const currencies[] = { "USD" };
    static const char *const statuses[] = { "active", "inactive" };
    od_check c = { prefix, a, issues, vocab, NULL };
    unsigned before = issues->count;

    if (!od_check_begin(&c, item, ord, members, sizeof(members) / sizeof(members[0]),
                        od_product_read_only, "product"))
        return NULL;
    od_check_text(&c, item, "external_id", 255, OD_CHECK_REQUIRED | OD_CHECK_NONBLANK);
    barcode(&c, item);
    od_check_text(&c, item, "name", 500, OD_CHECK_REQUIRED | OD_CHECK_NONBLANK);
    od_check_text(&c, item, "brand", 200, OD_CHECK_REQUIRED);
    od_check_text(&c, item, "description", 20000, OD_CHECK_REQUIRED | OD_CHECK_MULTILINE);
    reference(&c, item, "category_id", true, OD_VOCAB_CATEGORY, "category");
    reference(&c, item, "sub_category_id", false, OD_VOCAB_CATEGORY, "category");
    reference(&c, item, "cuisine_id", false, OD_VOCAB_CUISINE, "cuisine");
    reference(&c, item, "market_id", false, OD_VOCAB_KINDS, NULL);
    od_check_text(&c, item, "ingredients", 20000, OD_CHECK_MULTILINE);
    nutrition(&c, item);
    od_check_text(&c, item, "serving_size", 100, 0);
    od_check_text(&c, item, "package_weight", 100, 0);
    price(&c, item);
    choice(&c, item, "currency", "USD", currencies, 1, "must be USD");
    choice(&c, item, "status", "active", statuses, 2, "must be active or inactive");
    od_check_words(&c, item, "dietary_tags", OD_ARRAY_MAX, norm_tag);
    od_check_words(&c, item, "allergens", OD_ARRAY_MAX, norm_allergen);
    od_check_words(&c, item, "certifications", OD_ARRAY_MAX, od_check_as_code);
    od_check_words(&c, item, "regulatory_codes", OD_ARRAY_MAX, norm_text);
    od_check_match(&c, item, "source_url", source_url_ok, "must be an http:// or https:// URL "
                   "of at most 2048 bytes");
    images(&c, item);
    return od_check_end(&c, before);
}
