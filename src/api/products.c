/* products.c: the catalog API: GET/POST /api/v1/products, GET/PATCH/DELETE
 * /api/v1/products/:id and GET /api/v1/search/products. Items are validated by
 * domain/product.c; the database does the batch write in one statement. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "auth/rbac.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/uuid.h"
#include "db/products.h"
#include "domain/product.h"
#include "http/problem.h"
#include "http/query.h"

#define OD_ERRORS_SHOWN 500   /* a 422 lists at most this many field errors */

/* ----------------------------------------------------------------------------
 * Validation problems
 * ------------------------------------------------------------------------- */

typedef struct sink {
    od_request *r;
    json_object *problem;
} sink;

static void
add_issue(void *arg, const char *pointer, const char *detail)
{
    sink *s = arg;

    if (od_problem_error_count(s->problem) < OD_ERRORS_SHOWN)
        od_problem_add_error(s->problem, pointer, detail);
}

static void
send_issues(od_request *r, json_object *problem, unsigned count)
{
    if (count > OD_ERRORS_SHOWN)
        json_object_object_add(problem, "errors_total", json_object_new_int((int)count));
    od_resp_problem_doc(r, problem, NULL);
}

static od_vocab *
load_vocab(od_request *r)
{
    od_vocab *v = NULL;
    PGresult *res = NULL;
    od_rc rc = od_products_vocab(r->db, r->arena, &v, &res);

    if (rc != OD_OK)
        od_api_db_fail(r, rc, res);
    return v;
}

/* ----------------------------------------------------------------------------
 * Lists and search
 * ------------------------------------------------------------------------- */

static const char *const list_params[] = {
    "q", "prefix", "brand", "category_id", "tags.any", "allergens.none", "updated_after",
    "status", "include_deleted", "sort", "cursor", "limit",
};

/* Refuses (400) a parameter this list does not know, or one sent twice: a
 * mistyped or repeated allergen filter (?allergens.none=milk&allergens.none=peanut)
 * must not silently return products with one of those allergens. */
static bool
known_params(od_request *r)
{
    bool seen[sizeof(list_params) / sizeof(list_params[0])] = { false };
    const char *p = r->query;

    while (p != NULL && *p != '\0') {
        size_t n = strcspn(p, "=&"), i = 0;

        while (n > 0 && i < sizeof(list_params) / sizeof(list_params[0]) &&
               !(strlen(list_params[i]) == n && strncmp(p, list_params[i], n) == 0))
            i++;
        if (n > 0 && i == sizeof(list_params) / sizeof(list_params[0])) {
            od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "unknown query parameter "
                            "\"%.*s\"", (int)(n > 64 ? 64 : n), p));
            return false;
        }
        if (n > 0 && seen[i]) {
            od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "query parameter \"%s\" "
                            "is given twice: send one comma list", list_params[i]));
            return false;
        }
        if (n > 0)
            seen[i] = true;
        p = strchr(p, '&');
        if (p != NULL)
            p++;
    }
    return true;
}

/* Reads parameter name; answers 400 for a malformed escape. */
static bool
param(od_request *r, const char *name, const char **out)
{
    bool bad = false;

    *out = od_query_get(r->arena, r->query, name, &bad);
    if (bad) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "the value of %s is not "
                        "correctly percent-encoded", name));
        return false;
    }
    if (*out != NULL && **out == '\0')
        *out = NULL;
    return true;
}

/* RFC 3339 date-time: 2026-01-31T12:00:00(.frac)?(Z|+hh:mm). */
static bool
rfc3339(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;

    for (; shape[i]; i++) {
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9')
                            : (shape[i] == 'T' ? (s[i] != 'T' && s[i] != 't') : s[i] != shape[i]))
            return false;
    }
    if (s[i] == '.') {
        size_t k = ++i;

        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == k || i - k > 6)
            return false;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
        return true;
    return (s[i] == '+' || s[i] == '-') && s[i + 1] >= '0' && s[i + 1] <= '9' &&
           s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] == ':' && s[i + 4] >= '0' &&
           s[i + 4] <= '9' && s[i + 5] >= '0' && s[i + 5] <= '9' && s[i + 6] == '\0';
}

static int
cmp_words(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Turns a comma list into a sorted PostgreSQL array literal of codes, each word
 * normalised like stored values. Returns NULL after answering 400. */
static const char *
word_filter(od_request *r, const od_vocab *v, const char *name, const char *list, bool allergen)
{
    char *copy = od_arena_strdup(r->arena, list), *save = NULL;
    const char **words;
    size_t n = 0, cap = 1;
    od_buf b;
    char *out;

    for (const char *c = list; *c; c++)
        cap += *c == ',';
    words = od_arena_alloc(r->arena, sizeof(*words) * cap);
    if (copy == NULL || words == NULL || cap > 100) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s takes at most 100 words",
                                                      name));
        return NULL;
    }
    for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
        const char *code = allergen ? od_product_allergen(v, w) : od_product_tag(v, w, r->arena);

        if (code == NULL) {
            od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s: \"%.64s\" is not %s",
                            name, w, allergen ? "a known allergen" : "a tag"));
            return NULL;
        }
        words[n++] = code;
    }
    if (n == 0) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s needs at least one word",
                                                      name));
        return NULL;
    }
    /* Codes are [a-z0-9_] only: the literal needs no quoting. Sorted, so the
     * cursor binding does not depend on the order the client wrote them in. */
    qsort(words, n, sizeof(*words), cmp_words);
    od_buf_init(&b, 8192);
    od_buf_puts(&b, "{");
    for (size_t i = 0; i < n; i++)
        od_buf_printf(&b, "%s%s", i ? "," : "", words[i]);
    od_buf_puts(&b, "}");
    out = b.failed == OD_OK ? od_arena_strndup(r->arena, b.data, b.len) : NULL;
    od_buf_free(&b);
    return out;
}

static bool
is_admin(const od_request *r)
{
    return (r->perms & OD_PERM_VENDOR_MANAGE) != 0;
}

/* Reads the filters shared by the list and the search into f, and their
 * canonical text (the cursor is bound to it) into *bound. Returns false after
 * answering 400/403. */
static bool
read_filters(od_request *r, od_product_filter *f, const char **bound, bool search)
{
    const char *q, *prefix, *brand, *cat, *tags, *allergens, *after, *status, *deleted, *sort;
    char id[37];
    od_vocab *v = NULL;

    memset(f, 0, sizeof(*f));
    f->vendor_id = r->vendor_id;
    f->candidates = r->cfg->search_candidates;
    if (!known_params(r) || !param(r, "q", &q) || !param(r, "prefix", &prefix) ||
        !param(r, "brand", &brand) || !param(r, "category_id", &cat) ||
        !param(r, "tags.any", &tags) || !param(r, "allergens.none", &allergens) ||
        !param(r, "updated_after", &after) || !param(r, "status", &status) ||
        !param(r, "include_deleted", &deleted) || !param(r, "sort", &sort))
        return false;
    if (q != NULL && strlen(q) > 500) {
        od_resp_problem(r, 400, NULL, "q is longer than 500 bytes");
        return false;
    }
    if (search && (q == NULL || strspn(q, " \t") == strlen(q))) {
        od_resp_problem(r, 400, NULL, "q is required: the words to search for");
        return false;
    }
    f->q = q;
    if (prefix != NULL && strcmp(prefix, "true") != 0 && strcmp(prefix, "false") != 0) {
        od_resp_problem(r, 400, NULL, "prefix must be true or false");
        return false;
    }
    if (prefix != NULL && strcmp(prefix, "true") == 0 && q != NULL) {
        /* Type-ahead: the last word, when it is plain letters and digits, also
         * matches as a prefix ("choc" finds "chocolate"). */
        size_t end = strlen(q), start = end;

        while (start > 0 && ((q[start - 1] >= 'a' && q[start - 1] <= 'z') ||
                             (q[start - 1] >= 'A' && q[start - 1] <= 'Z') ||
                             (q[start - 1] >= '0' && q[start - 1] <= '9')))
            start--;
        if (end > start && (start == 0 || q[start - 1] == ' ')) {
            f->prefix_word = od_arena_strndup(r->arena, q + start, end - start);
            f->q = od_arena_strndup(r->arena, q, start);
        }
    }
    f->brand = brand;
    if (cat != NULL) {
        if (!od_uuid_canonical(cat, id)) {
            od_resp_problem(r, 400, NULL, "category_id must be a uuid");
            return false;
        }
        f->category_id = od_arena_strdup(r->arena, id);
    }
    if ((tags != NULL || allergens != NULL) && (v = load_vocab(r)) == NULL)
        return false;
    if (tags != NULL && (f->tags_any = word_filter(r, v, "tags.any", tags, false)) == NULL)
        return false;
    if (allergens != NULL &&
        (f->allergens_none = word_filter(r, v, "allergens.none", allergens, true)) == NULL)
        return false;
    if (after != NULL && !rfc3339(after)) {
        od_resp_problem(r, 400, NULL, "updated_after must be an RFC 3339 date-time, such as "
                        "2026-01-31T12:00:00Z");
        return false;
    }
    f->updated_after = after;
    if (status != NULL && strcmp(status, "active") != 0 && strcmp(status, "inactive") != 0) {
        od_resp_problem(r, 400, NULL, "status must be active or inactive");
        return false;
    }
    f->status = status;
    if (deleted != NULL && strcmp(deleted, "true") != 0 && strcmp(deleted, "false") != 0) {
        od_resp_problem(r, 400, NULL, "include_deleted must be true or false");
        return false;
    }
    f->include_deleted = deleted != NULL && strcmp(deleted, "true") == 0;
    if (f->include_deleted && !is_admin(r)) {
        od_resp_problem(r, 403, NULL, "include_deleted=true is for vendor admins");
        return false;
    }
    if (sort == NULL)
        sort = search ? "relevance" : "-updated_at";
    if (strcmp(sort, "relevance") != 0 && strcmp(sort, "-updated_at") != 0) {
        od_resp_problem(r, 400, NULL, "sort must be -updated_at or relevance");
        return false;
    }
    f->relevance = strcmp(sort, "relevance") == 0;
    if (f->relevance && q == NULL) {
        od_resp_problem(r, 400, NULL, "sort=relevance needs q");
        return false;
    }
    *bound = od_arena_printf(r->arena, "q=%s\x1fprefix=%s\x1f" "brand=%s\x1f" "category=%s\x1f"
                             "tags=%s\x1f" "allergens=%s\x1f" "after=%s\x1fstatus=%s\x1f"
                             "deleted=%d\x1fsearch=%d\x1f" "candidates=%d",
                             f->q ? f->q : "", f->prefix_word ? f->prefix_word : "",
                             brand ? brand : "", f->category_id ? f->category_id : "",
                             f->tags_any ? f->tags_any : "",
                             f->allergens_none ? f->allergens_none : "", after ? after : "",
                             status ? status : "", f->include_deleted, search, f->candidates);
    return *bound != NULL;
}

static void
list(od_request *r, bool search)
{
    static const int keys[] = { 1, 2 };
    od_product_filter f;
    const char *bound, *headers = NULL;
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;

    if (!read_filters(r, &f, &bound, search))
        return;
    if (!od_page_begin(r, f.relevance ? "relevance" : "-updated_at", bound, 2, &limit,
                       &position))
        return;
    f.after_key = od_page_key(r, position, 0);
    f.after_id = od_page_key(r, position, 1);
    f.limit = limit + 1;
    if (search) {
        headers = "X-Data-Freshness: primary\r\n";
        if (r->on_replica) {
            rc = od_products_replica_lag(r->db, r->arena, &res);
            if (rc != OD_OK) {
                od_api_db_fail(r, rc, res);
                return;
            }
            headers = od_arena_printf(r->arena, "X-Data-Freshness: replica; lag=%s\r\n",
                                      PQgetvalue(res, 0, 0));
        }
    }
    rc = od_products_list(r->db, r->arena, &f, &res);
    if (rc == OD_EDB && strncmp(od_db_sqlstate(res), "22", 2) == 0) {
        /* A value of the right shape the database still refused (2026-02-30). */
        od_resp_problem(r, 400, NULL, "a filter value is out of range (updated_after must "
                        "be a real date and time)");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, f.relevance ? "relevance" : "-updated_at", bound, keys, 2,
                 headers);
}

void
od_h_products_list(od_request *r)
{
    list(r, false);
}

void
od_h_products_search(od_request *r)
{
    list(r, true);
}

/* ----------------------------------------------------------------------------
 * One product
 * ------------------------------------------------------------------------- */

/* The :id of the route as a canonical uuid, or NULL after answering 404 (an id
 * that cannot exist is simply not found). */
static const char *
product_id(od_request *r)
{
    char id[37];

    if (!od_uuid_canonical(od_route_param(&r->match, "id"), id)) {
        od_resp_problem(r, 404, NULL, "no such product");
        return NULL;
    }
    return od_arena_strdup(r->arena, id);
}

/* Loads the product into *res; answers 404 when it is not there (or deleted and
 * deleted ones are not wanted). */
static bool
load(od_request *r, const char *id, bool for_update, bool deleted_ok, PGresult **res)
{
    od_rc rc = od_products_get(r->db, r->arena, r->vendor_id, id, for_update, res);

    if (rc != OD_OK) {
        od_api_db_fail(r, rc, *res);
        return false;
    }
    if (PQntuples(*res) == 0 || (!deleted_ok && PQgetvalue(*res, 0, 2)[0] == 't')) {
        od_resp_problem(r, 404, NULL, "no such product");
        return false;
    }
    return true;
}

static void
send_product(od_request *r, int status, PGresult *res)
{
    const char *doc = PQgetvalue(res, 0, 0);

    r->rows_read++;
    od_resp_send(r, status, "application/json",
                 od_arena_printf(r->arena, "ETag: %s\r\n", PQgetvalue(res, 0, 1)), doc,
                 strlen(doc));
}

void
od_h_products_get(od_request *r)
{
    const char *id = product_id(r), *deleted;
    PGresult *res = NULL;

    if (id == NULL || !param(r, "include_deleted", &deleted))
        return;
    if (deleted != NULL && strcmp(deleted, "true") != 0 && strcmp(deleted, "false") != 0) {
        od_resp_problem(r, 400, NULL, "include_deleted must be true or false");
        return;
    }
    if (deleted != NULL && strcmp(deleted, "true") == 0 && !is_admin(r)) {
        od_resp_problem(r, 403, NULL, "include_deleted=true is for vendor admins");
        return;
    }
    if (load(r, id, false, deleted != NULL && strcmp(deleted, "true") == 0, &res))
        send_product(r, 200, res);
}

void
od_h_products_delete(od_request *r)
{
    const char *id = product_id(r);
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_products_delete(r->db, r->arena, r->vendor_id, id, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        od_resp_problem(r, 404, NULL, "no such product");
        return;
    }
    if (PQgetvalue(res, 0, 1)[0] == 't') {
        json_object *before = od_json_own(r->arena, json_object_new_object());

        json_object_object_add(before, "external_id",
                               json_object_new_string(PQgetvalue(res, 0, 2)));
        rc = od_api_audit(r, "delete", "products", id, od_json_text(before, NULL), NULL);
        if (rc != OD_OK) {
            od_api_db_fail(r, rc, NULL);
            return;
        }
        r->rows_written = 1;
    }
    od_resp_send(r, 204, "application/json", NULL, "", 0);
}

/* ----------------------------------------------------------------------------
 * Writes
 * ------------------------------------------------------------------------- */

typedef struct ext_ref {
    const char *external_id;
    size_t index;
} ext_ref;

static int
cmp_ext(const void *a, const void *b)
{
    const ext_ref *x = a, *y = b;
    int c = strcmp(x->external_id, y->external_id);

    return c != 0 ? c : (x->index < y->index ? -1 : x->index > y->index);
}

/* Reports the later copies of an external_id used twice in one batch. */
static void
duplicates(od_request *r, json_object *normalised, sink *s, od_issues *issues)
{
    size_t n = json_object_array_length(normalised), k = 0;
    ext_ref *refs = od_arena_alloc(r->arena, sizeof(*refs) * (n + 1));

    if (refs == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(normalised, i), *v, *ord;

        if (json_object_object_get_ex(item, "external_id", &v) &&
            json_object_object_get_ex(item, "ord", &ord))
            refs[k++] = (ext_ref){ json_object_get_string(v), (size_t)json_object_get_int(ord) };
    }
    qsort(refs, k, sizeof(*refs), cmp_ext);
    for (size_t i = 1; i < k; i++) {
        if (strcmp(refs[i].external_id, refs[i - 1].external_id) == 0) {
            issues->count++;
            add_issue(s, od_arena_printf(r->arena, "#/items/%zu/external_id", refs[i].index),
                      od_arena_printf(r->arena, "repeats #/items/%zu/external_id: each product "
                                      "once per batch", refs[i - 1].index));
        }
    }
}

/* Writes the normalised items; *res gets one row per item. */
static bool
write_items(od_request *r, json_object *items, PGresult **res)
{
    const char *text = od_json_text(items, NULL);
    od_rc rc = od_products_upsert(r->db, r->arena, r->vendor_id, text, r->request_id, res);

    if (rc == OD_EDB && strcmp(od_db_sqlstate(*res), "23505") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "a barcode is already used by another product "
                        "of this vendor");
        return false;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, *res);
        return false;
    }
    return true;
}

void
od_h_products_upsert(od_request *r)
{
    json_object *body = od_req_json_object(r), *items, *normalised;
    json_object *problem;
    od_issues issues;
    sink s;
    od_vocab *vocab;
    PGresult *res = NULL;
    size_t n;
    od_buf b;
    char *out;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the batch has invalid items; nothing "
                             "was written");
    s = (sink){ r, problem };
    issues = (od_issues){ add_issue, &s, 0 };
    json_object_object_foreach(body, key, value) {
        (void)value;
        if (strcmp(key, "items") != 0) {
            issues.count++;
            add_issue(&s, od_arena_printf(r->arena, "#/%s", od_json_pointer_token(r->arena, key)),
                      "is not a field here: send {\"items\": [...]}");
        }
    }
    if (!json_object_object_get_ex(body, "items", &items) || items == NULL ||
        !json_object_is_type(items, json_type_array)) {
        issues.count++;
        add_issue(&s, "#/items", "is required: an array of 1 to 10000 products");
        send_issues(r, problem, issues.count);
        return;
    }
    n = json_object_array_length(items);
    if (n > OD_PRODUCT_BATCH_MAX) {
        od_resp_problem(r, 413, OD_PT_BODY_TOO_LARGE, od_arena_printf(r->arena, "a batch holds "
                        "at most %d items; this one has %zu: split it", OD_PRODUCT_BATCH_MAX, n));
        return;
    }
    if (n == 0) {
        issues.count++;
        add_issue(&s, "#/items", "must hold at least one product");
    }
    if ((vocab = load_vocab(r)) == NULL)
        return;
    normalised = od_json_own(r->arena, json_object_new_array_ext((int)n));
    for (size_t i = 0; i < n; i++) {
        json_object *item = od_product_normalise(json_object_array_get_idx(items, i), (int)i,
                                                 od_arena_printf(r->arena, "#/items/%zu", i),
                                                 vocab, r->arena, &issues);

        if (item != NULL)
            json_object_array_add(normalised, item);
    }
    duplicates(r, normalised, &s, &issues);
    if (issues.count > 0) {
        send_issues(r, problem, issues.count);
        return;
    }
    if (!write_items(r, normalised, &res))
        return;
    od_buf_init(&b, (size_t)64 * 1024 * 1024);
    od_buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < PQntuples(res); i++) {
        json_object *item = json_object_array_get_idx(items, (size_t)i), *ext = NULL;

        json_object_object_get_ex(item, "external_id", &ext);
        od_buf_printf(&b, "%s{\"external_id\":%s,\"id\":\"%s\",\"status\":\"%s\"}",
                      i ? "," : "", od_json_text(ext, NULL), PQgetvalue(res, i, 1),
                      PQgetvalue(res, i, 2));
        if (strcmp(PQgetvalue(res, i, 2), "unchanged") != 0)
            r->rows_written++;
    }
    od_buf_printf(&b, "],\"catalog_version\":%s}", n > 0 ? PQgetvalue(res, 0, 3) : "0");
    out = b.failed == OD_OK ? od_arena_strndup(r->arena, b.data, b.len) : NULL;
    od_buf_free(&b);
    if (out == NULL) {
        od_resp_problem(r, 500, NULL, "the answer could not be built");
        return;
    }
    od_resp_send(r, 200, "application/json", NULL, out, strlen(out));
}

/* RFC 7396: applies patch to target (both borrowed; target is changed). */
static void
merge_patch(json_object *target, json_object *patch)
{
    json_object_object_foreach(patch, key, value) {
        json_object *cur = NULL;

        if (value == NULL) {
            json_object_object_del(target, key);
        } else if (json_object_is_type(value, json_type_object) &&
                   json_object_object_get_ex(target, key, &cur) && cur != NULL &&
                   json_object_is_type(cur, json_type_object)) {
            merge_patch(cur, value);
        } else if (json_object_is_type(value, json_type_object)) {
            json_object *fresh = json_object_new_object();

            merge_patch(fresh, value);
            json_object_object_add(target, key, fresh);
        } else {
            json_object_object_add(target, key, json_object_get(value));
        }
    }
}

/* If-Match: "*" or a list of strong ETags, one of which must be the product's. */
static bool
if_match(const char *header, const char *etag)
{
    size_t n = strlen(etag);

    if (header == NULL)
        return true;
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

void
od_h_products_patch(od_request *r)
{
    const char *id = product_id(r), *doc;
    json_object *patch, *current, *problem, *item, *items, *v;
    od_issues issues;
    sink s;
    od_vocab *vocab;
    PGresult *res = NULL;
    size_t off;
    const char *why;

    if (id == NULL || (patch = od_req_json_object(r)) == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the change has invalid fields; nothing "
                             "was written");
    s = (sink){ r, problem };
    issues = (od_issues){ add_issue, &s, 0 };
    if (!load(r, id, true, false, &res))
        return;
    if (!if_match(od_req_env(r, "HTTP_IF_MATCH"), PQgetvalue(res, 0, 1))) {
        od_resp_problem(r, 412, NULL, od_arena_printf(r->arena, "the product changed since "
                        "you read it (its ETag is now %s): read it again", PQgetvalue(res, 0, 1)));
        return;
    }
    doc = PQgetvalue(res, 0, 0);
    if (od_json_parse(doc, strlen(doc), &current, &off, &why) != OD_OK || current == NULL) {
        od_resp_problem(r, 500, NULL, "the product could not be read");
        return;
    }
    od_json_own(r->arena, current);
    json_object_object_foreach(patch, key, value) {
        if (od_product_read_only(key)) {
            issues.count++;
            add_issue(&s, od_arena_printf(r->arena, "#/%s", od_json_pointer_token(r->arena, key)),
                      "is set by the server and cannot be changed");
        } else if (strcmp(key, "external_id") == 0 &&
                   json_object_object_get_ex(current, "external_id", &v) &&
                   (value == NULL || strcmp(json_object_get_string(value),
                                            json_object_get_string(v)) != 0)) {
            issues.count++;
            add_issue(&s, "#/external_id", "cannot be changed: the product's id derives from it");
        }
    }
    if (issues.count > 0) {
        send_issues(r, problem, issues.count);
        return;
    }
    merge_patch(current, patch);
    /* gtin_type follows the barcode: keep it only when the patch itself sends it. */
    if (!json_object_object_get_ex(patch, "gtin_type", NULL))
        json_object_object_del(current, "gtin_type");
    json_object_object_del(current, "id");
    json_object_object_del(current, "created_at");
    json_object_object_del(current, "updated_at");
    json_object_object_del(current, "soft_deleted_at");
    if ((vocab = load_vocab(r)) == NULL)
        return;
    item = od_product_normalise(current, 0, "#", vocab, r->arena, &issues);
    if (item == NULL) {
        send_issues(r, problem, issues.count);
        return;
    }
    items = od_json_own(r->arena, json_object_new_array());
    json_object_array_add(items, item);
    if (!write_items(r, items, &res))
        return;
    if (strcmp(PQgetvalue(res, 0, 2), "unchanged") != 0)
        r->rows_written = 1;
    if (load(r, id, false, false, &res))
        send_product(r, 200, res);
}
