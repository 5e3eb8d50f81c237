/* diet_rules.c: /api/v1/diet-rules[/:conditionCode]: the diet rule policies in force
 * for the vendor (its own active version of a condition over the global template)
 * and the vendor's versions: a PUT that changes the policy adds a version, a DELETE
 * returns the condition to the global template. Global rows never change here
 * (docs/diet-rules.md). */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "api/writes.h"
#include "core/json.h"
#include "db/diet_rules.h"
#include "db/vocabulary.h"
#include "domain/dietrule.h"

#define RULES_SORT "condition_code"
#define RULES_PATH "/api/v1/diet-rules"

/* The :conditionCode of the route, or NULL after answering 404: a code that
 * cannot exist is simply not found. */
static const char *
condition_code(od_request *r)
{
    const char *code = od_route_param(&r->match, "conditionCode");

    if (!od_dietrule_code_ok(code)) {
        od_resp_problem(r, 404, NULL, "no such diet rule: a condition code is 1 to 64 of a-z, "
                        "0-9 and _, starting with a letter or digit");
        return NULL;
    }
    return code;
}

/* Answers 200 with doc, a JSON text. */
static void
send_doc(od_request *r, const char *doc)
{
    r->rows_read++;
    od_resp_send(r, 200, "application/json", NULL, doc, strlen(doc));
}

void
od_h_diet_rules_list(od_request *r)
{
    static const int keys[] = { 1 };
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;

    if (!od_page_begin(r, RULES_SORT, "", 1, &limit, &position))
        return;
    rc = od_diet_rules_page(r->db, r->arena, r->vendor_id, od_page_key(r, position, 0),
                            limit + 1, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, RULES_SORT, "", keys, 1, NULL);
}

void
od_h_diet_rules_get(od_request *r)
{
    const char *code = condition_code(r);
    PGresult *res = NULL;
    od_rc rc;

    if (code == NULL)
        return;
    rc = od_diet_rules_get(r->db, r->arena, r->vendor_id, code, &res);
    if (od_api_found(r, rc, res, "diet rule"))
        send_doc(r, PQgetvalue(res, 0, 0));
}

/* 201 when no rule was in force for the condition (a condition of the vendor's
 * own), 200 when the vendor's version replaces the one in force, global or its
 * own; a policy equal to the vendor's active version is 200 without a version. */
void
od_h_diet_rules_put(od_request *r)
{
    const char *code = condition_code(r);
    json_object *body;
    const od_vocab *vocab;
    od_policy_write w;
    od_writes problem;
    PGresult *res = NULL;
    od_rc rc;

    if (code == NULL || (body = od_req_json_object(r)) == NULL)
        return;
    if ((vocab = od_api_vocab(r, OD_VOCABULARY_KIND(OD_VOCAB_ALLERGEN), NULL)) == NULL)
        return;
    od_writes_begin(&problem, r, "the diet rule policy has invalid fields");
    if (od_dietrule_read(body, code, vocab, r->arena, &problem.issues) == NULL) {
        od_writes_fail(&problem);
        return;
    }
    rc = od_diet_rules_put(r->db, r->arena, r->vendor_id, code, od_json_text(body, NULL), &w,
                           &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (!w.changed) {
        send_doc(r, w.after);
        return;
    }
    od_api_write_answer(r, w.before ? 200 : 201, w.before ? "update" : "create", "diet_rules",
                        RULES_PATH, code, w.before, w.after);
}

void
od_h_diet_rules_delete(od_request *r)
{
    const char *code = condition_code(r);
    od_policy_write w;
    PGresult *res = NULL;
    od_rc rc;

    if (code == NULL)
        return;
    rc = od_diet_rules_revert(r->db, r->arena, r->vendor_id, code, &w, &res);
    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, "the vendor has no diet rule of its own for this "
                        "condition");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_api_write_answer(r, 204, "delete", "diet_rules", NULL, code, w.before, NULL);
}
