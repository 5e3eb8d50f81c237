/* product.c: one product, checked field by field, every problem reported with the
 * JSON pointer of the field; the output is the canonical row for the upsert. */
#include "domain/product.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/uuid.h"
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

typedef struct check {
    const char *prefix;     /* pointer of the item */
    od_arena *a;
    od_issues *issues;
    const od_vocab *vocab;
    json_object *out;       /* the normalised product being built */
} check;

static void
bad(check *c, const char *field, long idx, const char *sub, const char *detail)
{
    char *ptr;

    if (idx < 0)
        ptr = od_arena_printf(c->a, "%s/%s", c->prefix, field);
    else if (sub == NULL)
        ptr = od_arena_printf(c->a, "%s/%s/%ld", c->prefix, field, idx);
    else
        ptr = od_arena_printf(c->a, "%s/%s/%ld/%s", c->prefix, field, idx, sub);
    od_issues_report(c->issues, ptr ? ptr : c->prefix, detail);
}

bool
od_product_read_only(const char *member)
{
    for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
        if (strcmp(member, read_only[i]) == 0)
            return true;
    }
    return false;
}

static bool
known_member(const char *name)
{
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        if (strcmp(name, members[i]) == 0)
            return true;
    }
    return false;
}

static void
put_null(check *c, const char *name)
{
    json_object_object_add(c->out, name, NULL);
}

static bool
has_control(const char *s, size_t len, bool allow_newlines)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == 0x7f || (ch < 0x20 && !(allow_newlines && (ch == '\n' || ch == '\r' ||
                                                              ch == '\t'))))
            return true;
    }
    return false;
}

static bool
blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

/* A text member of at most max bytes. */
static void
text(check *c, json_object *item, const char *name, size_t max, bool required,
     bool nonblank, bool multiline)
{
    json_object *v = od_json_member(item, name);
    const char *s;
    size_t len;

    if (v == NULL) {
        if (required)
            bad(c, name, -1, NULL, "is required");
        put_null(c, name);
        return;
    }
    if (!json_object_is_type(v, json_type_string)) {
        bad(c, name, -1, NULL, "must be a string");
        return;
    }
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (len != strlen(s) || has_control(s, len, multiline)) {
        bad(c, name, -1, NULL, "must not contain control characters");
        return;
    }
    if (len > max) {
        bad(c, name, -1, NULL, od_arena_printf(c->a, "must be at most %zu bytes long", max));
        return;
    }
    if (nonblank && blank(s)) {
        bad(c, name, -1, NULL, "must not be empty");
        return;
    }
    json_object_object_add(c->out, name, json_object_get(v));
}

/* A uuid member; with kind < OD_VOCAB_KINDS it must be in the vocabulary. */
static void
reference(check *c, json_object *item, const char *name, bool required, od_vocab_kind kind,
          const char *what)
{
    json_object *v = od_json_member(item, name);
    char id[37];

    if (v == NULL) {
        if (required)
            bad(c, name, -1, NULL, "is required");
        put_null(c, name);
        return;
    }
    if (!json_object_is_type(v, json_type_string) ||
        !od_uuid_canonical(json_object_get_string(v), id)) {
        bad(c, name, -1, NULL, "must be a uuid");
        return;
    }
    if (kind < OD_VOCAB_KINDS && od_vocab_lookup(c->vocab, kind, id) == NULL) {
        bad(c, name, -1, NULL, od_arena_printf(c->a, "must name an active %s of this vendor "
                                               "or a global one", what));
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
barcode(check *c, json_object *item)
{
    json_object *v = od_json_member(item, "barcode"), *t = od_json_member(item, "gtin_type");
    const char *type = NULL;

    if (v == NULL) {
        put_null(c, "barcode");
        if (t != NULL)
            bad(c, "gtin_type", -1, NULL, "is derived from the barcode: send a barcode");
        put_null(c, "gtin_type");
        return;
    }
    if (od_json_string(v) == NULL) {
        bad(c, "barcode", -1, NULL, "must be a string of digits (leading zeros matter)");
        return;
    }
    type = od_product_gtin_type(od_json_string(v));
    if (type == NULL) {
        bad(c, "barcode", -1, NULL, "must be a GTIN of 8, 12, 13 or 14 digits with a valid "
            "check digit");
        return;
    }
    if (t != NULL && (!json_object_is_type(t, json_type_string) ||
                      strcmp(json_object_get_string(t), type) != 0)) {
        bad(c, "gtin_type", -1, NULL, od_arena_printf(c->a, "must be %s, as the barcode's "
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
price(check *c, json_object *item)
{
    json_object *v = od_json_member(item, "price");
    char text[24];
    const char *why;

    if (v == NULL) {
        bad(c, "price", -1, NULL, "is required");
        return;
    }
    why = od_product_price(v, text);
    if (why != NULL) {
        bad(c, "price", -1, NULL, why);
        return;
    }
    json_object_object_add(c->out, "price", json_object_new_string(text));
}

/* A member that must be one of the given words when present. */
static void
choice(check *c, json_object *item, const char *name, const char *def, const char *const *ok,
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
    bad(c, name, -1, NULL, detail);
}

static void
nutrition(check *c, json_object *item)
{
    json_object *v = od_json_member(item, "nutrition"), *o;
    bool ok = true;

    if (v == NULL) {
        put_null(c, "nutrition");
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        bad(c, "nutrition", -1, NULL, "must be an object of nutrient amounts per serving");
        return;
    }
    o = json_object_new_object();
    json_object_object_foreach(v, key, value) {
        bool known = od_nutrient_unit(key) != NULL;
        char *ptr;

        ptr = od_arena_printf(c->a, "%s/nutrition/%s", c->prefix,
                              od_json_pointer_token(c->a, key));
        if (!known) {
            od_issues_report(c->issues, ptr ? ptr : c->prefix, "is not a canonical "
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
            od_issues_report(c->issues, ptr ? ptr : c->prefix,
                             "must be a number from 0 to 10000000");
            ok = false;
            continue;
        }
        json_object_object_add(o, key, json_object_get(value));
    }
    if (!ok) {
        json_object_put(o);
        return;
    }
    json_object_object_add(c->out, "nutrition", o);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *
od_product_allergen(const od_vocab *vocab, const char *word)
{
    return od_vocab_lookup(vocab, OD_VOCAB_ALLERGEN, word);
}

/* word as a code: lower case, runs of other characters as one '_'. */
static const char *
codify(const char *word, od_arena *a)
{
    size_t n = strlen(word), k = 0;
    char *out = od_arena_alloc(a, n + 1);
    bool gap = false;

    if (out == NULL)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
        unsigned char ch = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p - 'A' + 'a') : *p;

        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (gap && k > 0)
                out[k++] = '_';
            out[k++] = (char)ch;
            gap = false;
        } else {
            gap = true;
        }
    }
    out[k] = '\0';
    return k >= 1 && k <= 64 ? out : NULL;
}

const char *
od_product_tag(const od_vocab *vocab, const char *word, od_arena *a)
{
    const char *known = od_vocab_lookup(vocab, OD_VOCAB_DIET, word);

    return known ? known : codify(word, a);
}

typedef enum word_rule {
    W_ALLERGEN,     /* must be known */
    W_TAG,          /* through the vocabulary, else as a code */
    W_CODE,         /* as a code */
    W_TEXT          /* kept as sent, 1..64 bytes */
} word_rule;

static void
word_list(check *c, json_object *item, const char *name, word_rule rule)
{
    json_object *v = od_json_member(item, name), *o;
    const char **words;
    size_t n, k = 0;
    bool ok = true;

    if (v == NULL) {
        put_null(c, name);
        return;
    }
    if (!json_object_is_type(v, json_type_array)) {
        bad(c, name, -1, NULL, "must be an array of strings");
        return;
    }
    n = json_object_array_length(v);
    if (n > OD_ARRAY_MAX) {
        bad(c, name, -1, NULL, od_arena_printf(c->a, "must have at most %d entries",
                                               OD_ARRAY_MAX));
        return;
    }
    words = od_arena_alloc(c->a, sizeof(*words) * (n + 1));
    if (words == NULL) {
        bad(c, name, -1, NULL, "could not be read");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = od_json_string(json_object_array_get_idx(v, i)), *w = NULL;

        if (s == NULL || *s == '\0' || blank(s) ||
            has_control(s, strlen(s), false) || strlen(s) > 64) {
            bad(c, name, (long)i, NULL, "must be a non-empty string of at most 64 bytes");
            ok = false;
            continue;
        }
        switch (rule) {
        case W_ALLERGEN:
            w = od_product_allergen(c->vocab, s);
            if (w == NULL)
                bad(c, name, (long)i, NULL, od_arena_printf(c->a, "\"%s\" is not a known "
                    "allergen: use a code such as milk, egg, peanut, tree_nuts, or add a "
                    "synonym", s));
            break;
        case W_TAG:
            w = od_product_tag(c->vocab, s, c->a);
            break;
        case W_CODE:
            w = codify(s, c->a);
            break;
        case W_TEXT:
            w = s;
            break;
        }
        if (w == NULL) {
            if (rule != W_ALLERGEN)
                bad(c, name, (long)i, NULL, "must contain letters or digits");
            ok = false;
            continue;
        }
        words[k++] = w;
    }
    if (!ok)
        return;
    qsort(words, k, sizeof(*words), cmp_str);
    o = json_object_new_array();
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || strcmp(words[i], words[i - 1]) != 0)
            json_object_array_add(o, json_object_new_string(words[i]));
    }
    json_object_object_add(c->out, name, o);
}

static bool
url_ok(const char *s, bool https_only)
{
    size_t n = strlen(s);
    const char *host;

    if (n > OD_URL_MAX || has_control(s, n, false) || strchr(s, ' ') != NULL)
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
images(check *c, json_object *item)
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
        bad(c, "images", -1, NULL, "must be an array of {url, alt, order}");
        return;
    }
    n = json_object_array_length(v);
    if (n > OD_IMAGES_MAX) {
        bad(c, "images", -1, NULL, od_arena_printf(c->a, "must have at most %d entries",
                                                   OD_IMAGES_MAX));
        return;
    }
    list = od_arena_alloc(c->a, sizeof(*list) * (n + 1));
    if (list == NULL) {
        bad(c, "images", -1, NULL, "could not be read");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i), *url, *alt, *order;

        if (e == NULL || !json_object_is_type(e, json_type_object)) {
            bad(c, "images", (long)i, NULL, "must be an object {url, alt, order}");
            ok = false;
            continue;
        }
        json_object_object_foreach(e, key, value) {
            (void)value;
            if (strcmp(key, "url") != 0 && strcmp(key, "alt") != 0 && strcmp(key, "order") != 0) {
                bad(c, "images", (long)i, od_json_pointer_token(c->a, key),
                    "is not a field of an image (url, alt, order)");
                ok = false;
            }
        }
        url = od_json_member(e, "url");
        alt = od_json_member(e, "alt");
        order = od_json_member(e, "order");
        if (od_json_string(url) == NULL || !url_ok(od_json_string(url), true)) {
            bad(c, "images", (long)i, "url", "must be an https:// URL of at most 2048 bytes");
            ok = false;
        }
        if (alt != NULL && (od_json_string(alt) == NULL || json_object_get_string_len(alt) > 500 ||
                            has_control(json_object_get_string(alt),
                                        (size_t)json_object_get_string_len(alt), false))) {
            bad(c, "images", (long)i, "alt", "must be a string of at most 500 bytes");
            ok = false;
        }
        if (order != NULL && (!json_object_is_type(order, json_type_int) ||
                              json_object_get_int64(order) < 0 ||
                              json_object_get_int64(order) > 10000)) {
            bad(c, "images", (long)i, "order", "must be a whole number from 0 to 10000");
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

static void
source_url(check *c, json_object *item)
{
    json_object *v = od_json_member(item, "source_url");

    if (v == NULL) {
        put_null(c, "source_url");
        return;
    }
    if (od_json_string(v) == NULL || !url_ok(od_json_string(v), false)) {
        bad(c, "source_url", -1, NULL, "must be an http:// or https:// URL of at most 2048 "
            "bytes");
        return;
    }
    json_object_object_add(c->out, "source_url", json_object_get(v));
}

json_object *
od_product_normalise(json_object *item, int ord, const char *prefix, const od_vocab *vocab,
                     od_arena *a, od_issues *issues)
{
    static const char *const currencies[] = { "USD" };
    static const char *const statuses[] = { "active", "inactive" };
    check c = { prefix, a, issues, vocab, NULL };
    unsigned before = issues->count;

    if (item == NULL || !json_object_is_type(item, json_type_object)) {
        od_issues_report(issues, prefix, "must be an object (a product)");
        return NULL;
    }
    c.out = json_object_new_object();
    json_object_object_add(c.out, "ord", json_object_new_int(ord));
    json_object_object_foreach(item, key, value) {
        (void)value;
        if (known_member(key))
            continue;
        od_issues_reportf(issues, a, od_product_read_only(key)
                          ? "is set by the server and cannot be sent"
                          : "is not a field of a product",
                          "%s/%s", prefix, od_json_pointer_token(a, key));
    }
    text(&c, item, "external_id", 255, true, true, false);
    barcode(&c, item);
    text(&c, item, "name", 500, true, true, false);
    text(&c, item, "brand", 200, true, false, false);
    text(&c, item, "description", 20000, true, false, true);
    reference(&c, item, "category_id", true, OD_VOCAB_CATEGORY, "category");
    reference(&c, item, "sub_category_id", false, OD_VOCAB_CATEGORY, "category");
    reference(&c, item, "cuisine_id", false, OD_VOCAB_CUISINE, "cuisine");
    reference(&c, item, "market_id", false, OD_VOCAB_KINDS, NULL);
    text(&c, item, "ingredients", 20000, false, false, true);
    nutrition(&c, item);
    text(&c, item, "serving_size", 100, false, false, false);
    text(&c, item, "package_weight", 100, false, false, false);
    price(&c, item);
    choice(&c, item, "currency", "USD", currencies, 1, "must be USD");
    choice(&c, item, "status", "active", statuses, 2, "must be active or inactive");
    word_list(&c, item, "dietary_tags", W_TAG);
    word_list(&c, item, "allergens", W_ALLERGEN);
    word_list(&c, item, "certifications", W_CODE);
    word_list(&c, item, "regulatory_codes", W_TEXT);
    source_url(&c, item);
    images(&c, item);
    if (issues->count != before) {
        json_object_put(c.out);
        return NULL;
    }
    return c.out;
}
