/* customer_lists.c: /api/v1/customers/:id/whitelist and /blacklist: the products a
 * customer always wants offered or never wants offered. A product is on at most one
 * of the two lists (409); it must be a live product of the vendor (422). Adding a
 * product already on the list replaces its note (200); removing is 204, or 404 when
 * it was not there. Changes are audited with the product id only: a note is free
 * text and may say why. */
#include <string.h>

#include "api/api.h"
#include "api/customer_ref.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "core/json.h"
#include "core/uuid.h"
#include "db/customer_lists.h"
#include "http/problem.h"

#define LIST_SORT "product_id"
#define NOTE_MAX 1000

static const char *const table[] = { "customer_whitelists", "customer_blacklists" };
static const char *const name[] = { "whitelist", "blacklist" };

static void
page(od_request *r, od_customer_list list)
{
    static const int keys[] = { 1 };
    const char *customer = od_customer_ref(r, false);
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;

    if (customer == NULL || !od_page_begin(r, LIST_SORT, "", 1, &limit, &position))
        return;
    rc = od_customer_lists_page(r->db, r->arena, list, r->vendor_id, customer,
                                od_page_key(r, position, 0), limit + 1, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, LIST_SORT, "", keys, 1, NULL);
}

static void
add(od_request *r, od_customer_list list)
{
    static const char *const known[] = { "product_id", "note" };
    json_object *body = od_req_json_object(r), *problem, *audit;
    const char *customer, *product, *note, *entry;
    char id[37];
    od_list_add outcome;
    PGresult *res = NULL;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the entry has invalid fields");
    od_fields_unknown(r, body, known, sizeof(known) / sizeof(known[0]), problem);
    product = od_fields_text(r, body, "product_id", 36, true, problem);
    if (product != NULL && !od_uuid_canonical(product, id))
        od_problem_add_error(problem, "#/product_id", "must be a product id (a UUID)");
    note = od_fields_text(r, body, "note", NOTE_MAX, false, problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if ((customer = od_customer_ref(r, true)) == NULL)
        return;
    rc = od_customer_lists_add(r->db, r->arena, list, r->vendor_id, customer, id, note,
                               &outcome, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (outcome == OD_LIST_NO_PRODUCT) {
        od_problem_add_error(problem, "#/product_id", "is not a product of this vendor");
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (outcome == OD_LIST_ON_OTHER_LIST) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena,
                        "the product is on the customer's %s; remove it there first",
                        name[list == OD_LIST_WHITELIST ? OD_LIST_BLACKLIST : OD_LIST_WHITELIST]));
        return;
    }
    entry = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    audit = od_json_own(r->arena, json_object_new_object());
    json_object_object_add(audit, "product_id", json_object_new_string(id));
    rc = od_api_audit(r, outcome == OD_LIST_ADDED ? "create" : "update", table[list], customer,
                      NULL, od_json_text(audit, NULL));
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return;
    }
    r->rows_written = 2;
    od_resp_send(r, outcome == OD_LIST_ADDED ? 201 : 200, "application/json", NULL, entry,
                 strlen(entry));
}

static void
remove_entry(od_request *r, od_customer_list list)
{
    const char *customer;
    json_object *audit;
    PGresult *res = NULL;
    char id[37];
    od_rc rc;

    if ((customer = od_customer_ref(r, true)) == NULL)
        return;
    if (!od_uuid_canonical(od_route_param(&r->match, "productId"), id)) {
        od_resp_problem(r, 404, NULL, od_arena_printf(r->arena, "the product is not on the %s",
                                                      name[list]));
        return;
    }
    rc = od_customer_lists_remove(r->db, r->arena, list, r->vendor_id, customer, id, &res);
    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, od_arena_printf(r->arena, "the product is not on the %s",
                                                      name[list]));
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    audit = od_json_own(r->arena, json_object_new_object());
    json_object_object_add(audit, "product_id", json_object_new_string(id));
    od_api_write_answer(r, 204, "delete", table[list], NULL, customer,
                        od_json_text(audit, NULL), NULL);
}

void od_h_whitelist_list(od_request *r) { page(r, OD_LIST_WHITELIST); }
void od_h_whitelist_add(od_request *r) { add(r, OD_LIST_WHITELIST); }
void od_h_whitelist_remove(od_request *r) { remove_entry(r, OD_LIST_WHITELIST); }
void od_h_blacklist_list(od_request *r) { page(r, OD_LIST_BLACKLIST); }
void od_h_blacklist_add(od_request *r) { add(r, OD_LIST_BLACKLIST); }
void od_h_blacklist_remove(od_request *r) { remove_entry(r, OD_LIST_BLACKLIST); }
