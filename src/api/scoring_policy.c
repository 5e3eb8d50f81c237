/* scoring_policy.c: /api/v1/scoring-policy: the weights matching gives to preference
 * fit, budget fit and recency; the vendor's own policy, else the global default.
 * A PUT that changes the weights makes them the vendor's policy (the previous row
 * is kept inactive); the global default never changes here (docs/diet-rules.md). */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/writes.h"
#include "core/json.h"
#include "db/scoring_policies.h"
#include "domain/scoring.h"

void
od_h_scoring_get(od_request *r)
{
    PGresult *res = NULL;
    od_rc rc = od_scoring_policies_get(r->db, r->arena, r->vendor_id, &res);
    const char *doc;

    if (!od_api_found(r, rc, res, "scoring policy"))
        return;
    doc = PQgetvalue(res, 0, 0);
    r->rows_read++;
    od_resp_send(r, 200, "application/json", NULL, doc, strlen(doc));
}

/* Always 200: a policy is in force for every vendor (the global default). */
void
od_h_scoring_put(od_request *r)
{
    json_object *body = od_req_json_object(r);
    od_policy_write w;
    od_writes problem;
    PGresult *res = NULL;
    od_rc rc;

    if (body == NULL)
        return;
    od_writes_begin(&problem, r, "the scoring weights are invalid");
    if (!od_scoring_weights_check(body, r->arena, &problem.issues)) {
        od_writes_fail(&problem);
        return;
    }
    rc = od_scoring_policies_put(r->db, r->arena, r->vendor_id, od_json_text(body, NULL), &w,
                                 &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (!w.changed) {
        r->rows_read++;
        od_resp_send(r, 200, "application/json", NULL, w.after, strlen(w.after));
        return;
    }
    od_api_write_answer(r, 200, w.before ? "update" : "create", "scoring_policies", NULL, NULL,
                        w.before, w.after);
}
