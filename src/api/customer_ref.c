/* customer_ref.c: resolves and checks the :id of a customer sub-resource route. */
#include "api/customer_ref.h"

#include "api/api.h"
#include "core/uuid.h"
#include "db/customer_lists.h"

const char *
od_customer_ref(od_request *r, bool lock)
{
    char id[37];
    PGresult *res = NULL;
    od_rc rc;

    if (!od_uuid_canonical(od_route_param(&r->match, "id"), id)) {
        od_resp_problem(r, 404, NULL, "no such customer");
        return NULL;
    }
    rc = od_customer_lists_customer(r->db, r->arena, r->vendor_id, id, lock, &res);
    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, "no such customer");
        return NULL;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return NULL;
    }
    return od_arena_strdup(r->arena, id);
}
