/* customer_ref.c: resolves and checks the :id of a customer sub-resource route. */
#include "api/customer_ref.h"

#include "api/api.h"
#include "db/customers.h"

const char *
od_customer_ref(od_request *r, bool lock)
{
    const char *id = od_api_id(r, "customer");
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return NULL;
    rc = od_customers_exists(r->db, r->arena, r->vendor_id, id, lock, &res);
    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, "no such customer");
        return NULL;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return NULL;
    }
    return id;
}
