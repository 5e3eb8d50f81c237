/* audit.c: GET /api/v1/audit: the vendor's audit trail, newest first, filtered by
 * entity, entity_id, actor, action and a time range [from, to), cursor-paginated. */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "db/audit.h"
#include "http/problem.h"
#include "http/query.h"

#define OD_AUDIT_SORT "-timestamp"

static const char *const filter_names[] = { "entity", "entity_id", "actor", "action",
                                            "from", "to" };

void
od_h_audit_list(od_request *r)
{
    const char *values[6];
    od_audit_filter f = { 0 };
    json_object *position, *problem;
    PGresult *res = NULL;
    char *filters = "";
    int limit;
    od_rc rc;
    static const int keys[] = { 1, 2 };

    problem = od_problem_for(r, 400, NULL, "a filter is malformed");
    for (size_t i = 0; i < 6; i++) {
        bool bad;

        values[i] = od_query_get(r->arena, r->query, filter_names[i], &bad);
        if (bad || (values[i] != NULL && strlen(values[i]) > 256))
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", filter_names[i]),
                                 "not a valid value");
        if (values[i] != NULL && values[i][0] == '\0')
            values[i] = NULL;
        filters = od_arena_printf(r->arena, "%s%s=%s&", filters, filter_names[i],
                                  values[i] ? values[i] : "");
    }
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (!od_page_begin(r, OD_AUDIT_SORT, filters, 2, &limit, &position))
        return;
    f = (od_audit_filter){ .entity = values[0], .entity_id = values[1], .actor = values[2],
                           .action = values[3], .from = values[4], .to = values[5],
                           .after_ts = od_page_key(r, position, 0),
                           .after_id = od_page_key(r, position, 1), .limit = limit + 1 };
    rc = od_audit_list(r->db, r->arena, r->vendor_id, &f, &res);
    if (rc == OD_EDB && strncmp(od_db_sqlstate(res), "22", 2) == 0) {
        /* from/to that are not timestamps */
        problem = od_problem_for(r, 400, NULL, "from and to must be RFC 3339 timestamps");
        od_problem_add_error(problem, "#/from", "a timestamp such as 2026-11-26T00:00:00Z");
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, OD_AUDIT_SORT, filters, keys, 2, NULL);
}
