/* consents.c: /api/v1/customers/:id/consents: the customer's consent history,
 * append-only. GET pages through the records newest first, each marked "in_force"
 * when it is the latest of its type; POST appends a grant or a withdrawal (201). A
 * granted "health_data" consent is what health writes need when the vendor's
 * require_health_consent setting is on (docs/customers.md). */
#include <string.h>

#include "api/api.h"
#include "api/customer_ref.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "core/json.h"
#include "db/consents.h"
#include "http/problem.h"

#define CONSENTS_SORT "-timestamp"
#define TYPE_MAX 64
#define VERSION_MAX 64

void
od_h_consents_list(od_request *r)
{
    static const int keys[] = { 1, 2 };
    const char *customer = od_customer_ref(r, false);
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;

    if (customer == NULL || !od_page_begin(r, CONSENTS_SORT, "", 2, &limit, &position))
        return;
    rc = od_consents_page(r->db, r->arena, r->vendor_id, customer, od_page_key(r, position, 0),
                          od_page_key(r, position, 1), limit + 1, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, CONSENTS_SORT, "", keys, 2, NULL);
}

/* A consent type: a lowercase code of letters, digits, '_', '.', '-' (the column's
 * CHECK), e.g. "health_data", "marketing.email". */
static bool
consent_type_ok(const char *s)
{
    if (s == NULL || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
        return false;
    for (const char *c = s + 1; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' ||
              *c == '-'))
            return false;
    return strlen(s) <= TYPE_MAX;
}

void
od_h_consents_add(od_request *r)
{
    static const char *const known[] = { "consent_type", "granted", "version" };
    json_object *body = od_req_json_object(r), *problem, *audit;
    const char *customer, *type, *version, *record;
    PGresult *res = NULL;
    int granted;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the consent has invalid fields");
    od_fields_unknown(r, body, known, sizeof(known) / sizeof(known[0]), problem);
    type = od_fields_text(r, body, "consent_type", TYPE_MAX, true, problem);
    if (type != NULL && !consent_type_ok(type))
        od_problem_add_error(problem, "#/consent_type",
                             "must be a lowercase code of letters, digits, '_', '.' or '-'");
    granted = od_fields_bool(r, body, "granted", problem);
    if (granted == -1)
        od_problem_add_error(problem, "#/granted", "is required");
    version = od_fields_text(r, body, "version", VERSION_MAX, true, problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if ((customer = od_customer_ref(r, false)) == NULL)
        return;
    rc = od_consents_add(r->db, r->arena, r->vendor_id, customer, type,
                         granted ? "true" : "false", version, r->user_id, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    record = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    audit = od_json_own(r->arena, json_object_new_object());
    json_object_object_add(audit, "consent_type", json_object_new_string(type));
    json_object_object_add(audit, "granted", json_object_new_boolean(granted));
    json_object_object_add(audit, "version", json_object_new_string(version));
    rc = od_api_audit(r, "create", "customer_consents", customer, NULL,
                      od_json_text(audit, NULL));
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return;
    }
    r->rows_written = 2;
    od_resp_send(r, 201, "application/json", NULL, record, strlen(record));
}
