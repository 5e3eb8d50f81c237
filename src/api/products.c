/* products.c: the catalog API: GET/POST /api/v1/products, GET/PATCH/DELETE
 * /api/v1/products/:id and GET /api/v1/search/products. Items are validated by
 * domain/product.c; the database does the batch write in one statement. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/filters.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "api/writes.h"
#include "auth/rbac.h"
#include "core/json.h"
#include "core/uuid.h"
#include "db/products.h"
#include "db/vocabulary.h"
#include "domain/product.h"
#include "http/problem.h"

/* ----------------------------------------------------------------------------
 * Lists and search
 * ------------------------------------------------------------------------- */

static const char *const list_params[] = {
    "q", "prefix", "brand", "category_id", "tags.any", "allergens.none", "updated_after",
    "status", "include_deleted", "sort", "cursor", "limit",
};

/* Filter words: allergens must be known; tags are codes when not (arg: the
 * vocabulary). */
static const char *
allergen_word(const void *arg, const char *word, od_arena *a)
{
    (void)a;
    return od_product_allergen(arg, word);
}

static const char *
tag_word(const void *arg, const char *word, od_arena *a)
{
    return od_product_tag(arg, word, a);
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
    const char *q, *brand, *cat, *tags, *allergens, *after, *status, *sort;
    char id[37];
    const od_vocab *v = NULL;

    memset(f, 0, sizeof(*f));
    f->vendor_id = r->vendor_id;
    f->candidates = r->cfg->search_candidates;
    if (!od_filters_known(r, list_params, sizeof(list_params) / sizeof(list_params[0])) ||
        !od_filters_search(r, &q, &f->q, &f->prefix_word) ||
        !od_filters_get(r, "brand", &brand) || !od_filters_get(r, "category_id", &cat) ||
        !od_filters_get(r, "tags.any", &tags) || !od_filters_get(r, "allergens.none", &allergens) ||
        !od_filters_time(r, "updated_after", &after) || !od_filters_get(r, "status", &status) ||
        !od_filters_flag(r, "include_deleted", &f->include_deleted) ||
        !od_filters_get(r, "sort", &sort))
        return false;
    if (search && (q == NULL || strspn(q, " \t") == strlen(q))) {
        od_resp_problem(r, 400, NULL, "q is required: the words to search for");
        return false;
    }
    f->brand = brand;
    if (cat != NULL) {
        if (!od_uuid_canonical(cat, id)) {
            od_resp_problem(r, 400, NULL, "category_id must be a uuid");
            return false;
        }
        f->category_id = od_arena_strdup(r->arena, id);
    }
    if ((tags != NULL || allergens != NULL) &&
        (v = od_api_vocab(r, OD_VOCABULARY_CATALOG, NULL)) == NULL)
        return false;
    if (tags != NULL && (f->tags_any = od_filters_words(r, "tags.any", tags, tag_word, v,
                                                        "a tag")) == NULL)
        return false;
    if (allergens != NULL &&
        (f->allergens_none = od_filters_words(r, "allergens.none", allergens, allergen_word, v,
                                              "a known allergen")) == NULL)
        return false;
    f->updated_after = after;
    if (status != NULL && strcmp(status, "active") != 0 && strcmp(status, "inactive") != 0) {
        od_resp_problem(r, 400, NULL, "status must be active or inactive");
        return false;
    }
    f->status = status;
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

/* Loads the product into *res; answers 404 when it is not there (or deleted and
 * deleted ones are not wanted). */
static bool
load(od_request *r, const char *id, bool for_update, bool deleted_ok, PGresult **res)
{
    od_rc rc = od_products_get(r->db, r->arena, r->vendor_id, id, for_update, res);

    if (!od_api_found(r, rc, *res, "product"))
        return false;
    if (!deleted_ok && PQgetvalue(*res, 0, 2)[0] == 't') {
        od_resp_problem(r, 404, NULL, "no such product");
        return false;
    }
    return true;
}

void
od_h_products_get(od_request *r)
{
    const char *id = od_api_id(r, "product");
    PGresult *res = NULL;
    bool deleted;

    if (id == NULL || !od_filters_flag(r, "include_deleted", &deleted))
        return;
    if (deleted && !is_admin(r)) {
        od_resp_problem(r, 403, NULL, "include_deleted=true is for vendor admins");
        return;
    }
    if (load(r, id, false, deleted, &res))
        od_api_send_doc(r, res);
}

void
od_h_products_delete(od_request *r)
{
    const char *id = od_api_id(r, "product");
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
    json_object *items, *normalised;
    od_writes w;
    const od_vocab *vocab;
    PGresult *res = NULL;
    size_t n;

    od_writes_begin(&w, r, "the batch has invalid items; nothing was written");
    if ((items = od_writes_batch(&w, OD_PRODUCT_BATCH_MAX, "product")) == NULL)
        return;
    if ((vocab = od_api_vocab(r, OD_VOCABULARY_CATALOG, NULL)) == NULL)
        return;
    n = json_object_array_length(items);
    normalised = od_json_own(r->arena, json_object_new_array_ext((int)n));
    for (size_t i = 0; i < n; i++) {
        json_object *item = od_product_normalise(json_object_array_get_idx(items, i), (int)i,
                                                 od_arena_printf(r->arena, "#/items/%zu", i),
                                                 vocab, r->arena, &w.issues);

        if (item != NULL)
            json_object_array_add(normalised, item);
    }
    od_writes_repeats(&w, normalised, "product");
    if (w.issues.count > 0) {
        od_writes_fail(&w);
        return;
    }
    if (!write_items(r, normalised, &res))
        return;
    od_writes_answer(r, items, res, 1, 2, od_arena_printf(r->arena, ",\"catalog_version\":%s",
                     n > 0 ? PQgetvalue(res, 0, 3) : "0"));
}

void
od_h_products_patch(od_request *r)
{
    const char *id = od_api_id(r, "product");
    json_object *patch, *current, *item, *items;
    od_writes w;
    const od_vocab *vocab;
    PGresult *res = NULL;

    if (id == NULL || (patch = od_req_json_object(r)) == NULL)
        return;
    od_writes_begin(&w, r, "the change has invalid fields; nothing was written");
    if (!load(r, id, true, false, &res) ||
        (current = od_writes_current(r, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
                                     "product")) == NULL)
        return;
    od_writes_fixed(&w, patch, current, od_product_read_only, "product");
    if (w.issues.count > 0) {
        od_writes_fail(&w);
        return;
    }
    od_json_merge_patch(current, patch);
    /* gtin_type follows the barcode: keep it only when the patch itself sends it. */
    if (!json_object_object_get_ex(patch, "gtin_type", NULL))
        json_object_object_del(current, "gtin_type");
    json_object_object_del(current, "id");
    json_object_object_del(current, "created_at");
    json_object_object_del(current, "updated_at");
    json_object_object_del(current, "soft_deleted_at");
    if ((vocab = od_api_vocab(r, OD_VOCABULARY_CATALOG, NULL)) == NULL)
        return;
    item = od_product_normalise(current, 0, "#", vocab, r->arena, &w.issues);
    if (item == NULL) {
        od_writes_fail(&w);
        return;
    }
    items = od_json_own(r->arena, json_object_new_array());
    json_object_array_add(items, item);
    if (!write_items(r, items, &res))
        return;
    if (strcmp(PQgetvalue(res, 0, 2), "unchanged") != 0)
        r->rows_written = 1;
    if (load(r, id, false, false, &res))
        od_api_send_doc(r, res);
}
