/* customers.c: the customers API: GET/POST /api/v1/customers and
 * GET/PUT/PATCH/DELETE /api/v1/customers/:id (docs/customers.md). Items are
 * validated by domain/customer.c; the database does the batch write in one
 * statement; a delete removes the customer and its health data for good. */
#include <string.h>

#include "api/api.h"
#include "api/filters.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "api/writes.h"
#include "core/buf.h"
#include "core/json.h"
#include "db/customers.h"
#include "db/vocabulary.h"
#include "domain/check.h"
#include "domain/customer.h"
#include "http/problem.h"

#define OD_CUSTOMERS_SORT "-updated_at"
#define OD_AUDIT_MAX      ((size_t)16 * 1024 * 1024)

/* ----------------------------------------------------------------------------
 * The list
 * ------------------------------------------------------------------------- */

static const char *const list_params[] = {
    "q", "prefix", "custom_tags.any", "updated_after", "cursor", "limit",
};

/* custom_tags.any words are codes, like the stored tags. */
static const char *
tag_word(const void *arg, const char *word, od_arena *a)
{
    (void)arg;
    return od_check_code(word, a);
}

void
od_h_customers_list(od_request *r)
{
    static const int keys[] = { 1, 2 };
    od_customer_filter f = { .vendor_id = r->vendor_id };
    const char *raw, *tags = NULL, *bound;
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;

    if (!od_filters_known(r, list_params, sizeof(list_params) / sizeof(list_params[0])) ||
        !od_filters_search(r, &raw, &f.q, &f.prefix_word) ||
        !od_filters_get(r, "custom_tags.any", &tags) ||
        !od_filters_time(r, "updated_after", &f.updated_after))
        return;
    if (tags != NULL && (f.tags_any = od_filters_words(r, "custom_tags.any", tags, tag_word,
                                                       NULL, "a tag")) == NULL)
        return;
    bound = od_arena_printf(r->arena, "q=%s\x1fprefix=%s\x1ftags=%s\x1f" "after=%s",
                            f.q ? f.q : "", f.prefix_word ? f.prefix_word : "",
                            f.tags_any ? f.tags_any : "",
                            f.updated_after ? f.updated_after : "");
    if (!od_page_begin(r, OD_CUSTOMERS_SORT, bound, 2, &limit, &position))
        return;
    f.after_key = od_page_key(r, position, 0);
    f.after_id = od_page_key(r, position, 1);
    f.limit = limit + 1;
    rc = od_customers_list(r->db, r->arena, &f, &res);
    if (rc == OD_EDB && strncmp(od_db_sqlstate(res), "22", 2) == 0) {
        /* A value of the right shape the database still refused (2026-02-30). */
        od_resp_problem(r, 400, NULL, "updated_after must be a real date and time");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, OD_CUSTOMERS_SORT, bound, keys, 2, NULL);
}

/* ----------------------------------------------------------------------------
 * One customer
 * ------------------------------------------------------------------------- */

/* Loads the customer into *res (document, etag); answers 404 when it is not there. */
static bool
load(od_request *r, const char *id, bool for_update, PGresult **res)
{
    od_rc rc = od_customers_get(r->db, r->arena, r->vendor_id, id, for_update, res);

    return od_api_found(r, rc, *res, "customer");
}

void
od_h_customers_get(od_request *r)
{
    const char *id = od_api_id(r, "customer");
    PGresult *res = NULL;

    if (id != NULL && load(r, id, false, &res))
        od_api_send_doc(r, res);
}

/* Deletes the customer with its health profile, consents, lists and cached matches
 * (the foreign keys cascade). The audit row keeps ids and timestamps only. A
 * second delete finds nothing: 404. */
void
od_h_customers_delete(od_request *r)
{
    const char *id = od_api_id(r, "customer");
    json_object *before;
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_customers_delete(r->db, r->arena, r->vendor_id, id, &res);
    if (!od_api_found(r, rc, res, "customer"))
        return;
    before = od_json_own(r->arena, json_object_new_object());
    json_object_object_add(before, "external_id", json_object_new_string(PQgetvalue(res, 0, 0)));
    json_object_object_add(before, "created_at", json_object_new_string(PQgetvalue(res, 0, 1)));
    json_object_object_add(before, "updated_at", json_object_new_string(PQgetvalue(res, 0, 2)));
    od_api_write_answer(r, 204, "delete", "customers", NULL, id, od_json_text(before, NULL),
                        NULL);
}

/* ----------------------------------------------------------------------------
 * Writes
 * ------------------------------------------------------------------------- */

/* Writes the normalised items; *res gets one row per item (ord, id, result,
 * changed fields). */
static bool
write_items(od_request *r, json_object *items, PGresult **res)
{
    od_rc rc = od_customers_upsert(r->db, r->arena, r->vendor_id, od_json_text(items, NULL),
                                   r->user_id, res);

    if (rc != OD_OK) {
        od_api_db_fail(r, rc, *res);
        return false;
    }
    return true;
}

/* Audits what a write changed, ids and field names only (never values): for one
 * customer (id) {"changed_fields": [...]}, for a batch (id NULL) {"created": [ids],
 * "updated": {id: [fields]}}. Nothing when nothing changed. */
static bool
audit_changes(od_request *r, const char *id, PGresult *res)
{
    od_buf b;
    char *after;
    bool any = false, updated = false;
    od_rc rc;

    if (id != NULL) {
        if (strcmp(PQgetvalue(res, 0, 2), "unchanged") == 0)
            return true;
        after = od_arena_printf(r->arena, "{\"changed_fields\":%s}", PQgetvalue(res, 0, 3));
        rc = after ? od_api_audit(r, "update", "customers", id, NULL, after) : OD_ENOMEM;
    } else {
        od_buf_init(&b, OD_AUDIT_MAX);
        od_buf_puts(&b, "{\"created\":[");
        for (int i = 0; i < PQntuples(res); i++) {
            if (strcmp(PQgetvalue(res, i, 2), "created") == 0) {
                od_buf_printf(&b, "%s\"%s\"", any ? "," : "", PQgetvalue(res, i, 1));
                any = true;
            }
        }
        od_buf_puts(&b, "],\"updated\":{");
        for (int i = 0; i < PQntuples(res); i++) {
            if (strcmp(PQgetvalue(res, i, 2), "updated") == 0) {
                od_buf_printf(&b, "%s\"%s\":%s", updated ? "," : "", PQgetvalue(res, i, 1),
                              PQgetvalue(res, i, 3));
                updated = true;
            }
        }
        od_buf_puts(&b, "}}");
        after = b.failed == OD_OK ? od_arena_strndup(r->arena, b.data, b.len) : NULL;
        od_buf_free(&b);
        if (!any && !updated)
            return true;
        rc = after ? od_api_audit(r, "update", "customers", NULL, NULL, after) : OD_ENOMEM;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return false;
    }
    return true;
}

void
od_h_customers_upsert(od_request *r)
{
    json_object *items, *normalised;
    od_writes w;
    const od_vocab *vocab;
    od_date now = od_api_today();
    PGresult *res = NULL;
    size_t n;

    od_writes_begin(&w, r, "the batch has invalid items; nothing was written");
    if ((items = od_writes_batch(&w, OD_CUSTOMER_BATCH_MAX, "customer")) == NULL)
        return;
    if ((vocab = od_api_vocab(r, OD_VOCABULARY_KIND(OD_VOCAB_GENDER), NULL)) == NULL)
        return;
    n = json_object_array_length(items);
    normalised = od_json_own(r->arena, json_object_new_array_ext((int)n));
    for (size_t i = 0; i < n; i++) {
        json_object *item = od_customer_normalise(json_object_array_get_idx(items, i), (int)i,
                                                  od_arena_printf(r->arena, "#/items/%zu", i),
                                                  vocab, now, r->arena, &w.issues);

        if (item != NULL)
            json_object_array_add(normalised, item);
    }
    od_writes_repeats(&w, normalised, "customer");
    if (w.issues.count > 0) {
        od_writes_fail(&w);
        return;
    }
    if (!write_items(r, normalised, &res) || !audit_changes(r, NULL, res))
        return;
    od_writes_answer(r, items, res, 1, 2, "");
}

/* PUT (replace) and PATCH (merge patch): the stored customer, checked against
 * If-Match, becomes the new document, which is validated like a batch item and
 * written through the same upsert (same events, same audit). */
static void
replace(od_request *r, bool merge)
{
    const char *id = od_api_id(r, "customer");
    json_object *body, *current, *doc, *item, *items, *dob = NULL, *ext = NULL;
    od_writes w;
    const od_vocab *vocab;
    PGresult *res = NULL;

    if (id == NULL || (body = od_req_json_object(r)) == NULL)
        return;
    od_writes_begin(&w, r, "the change has invalid fields; nothing was written");
    if (!load(r, id, true, &res) ||
        (current = od_writes_current(r, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
                                     "customer")) == NULL)
        return;
    od_writes_fixed(&w, body, current, od_customer_read_only, "customer");
    if (w.issues.count > 0) {
        od_writes_fail(&w);
        return;
    }
    if (merge) {
        /* The age shown with a dob is derived from it: a new dob brings its own
         * unless the patch sends an age too; removing the dob keeps today's age. */
        if (json_object_object_get_ex(body, "dob", &dob) && dob != NULL &&
            !json_object_object_get_ex(body, "age", NULL))
            json_object_object_del(current, "age");
        od_json_merge_patch(current, body);
        json_object_object_del(current, "id");
        json_object_object_del(current, "created_at");
        json_object_object_del(current, "updated_at");
        doc = current;
    } else {
        /* A PUT may leave out the external id: it is the customer's anyway. */
        doc = body;
        if (!json_object_object_get_ex(doc, "external_id", NULL) &&
            json_object_object_get_ex(current, "external_id", &ext))
            json_object_object_add(doc, "external_id", json_object_get(ext));
    }
    if ((vocab = od_api_vocab(r, OD_VOCABULARY_KIND(OD_VOCAB_GENDER), NULL)) == NULL)
        return;
    item = od_customer_normalise(doc, 0, "#", vocab, od_api_today(), r->arena, &w.issues);
    if (item == NULL) {
        od_writes_fail(&w);
        return;
    }
    items = od_json_own(r->arena, json_object_new_array());
    json_object_array_add(items, item);
    if (!write_items(r, items, &res) || !audit_changes(r, id, res))
        return;
    if (strcmp(PQgetvalue(res, 0, 2), "unchanged") != 0)
        r->rows_written = 1;
    if (load(r, id, false, &res))
        od_api_send_doc(r, res);
}

void
od_h_customers_put(od_request *r)
{
    replace(r, false);
}

void
od_h_customers_patch(od_request *r)
{
    replace(r, true);
}
