/* vendor.c: GET /api/v1/vendor: the caller's vendor (vendor_admin). */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "db/vendors.h"

void
od_h_vendor_get(od_request *r)
{
    PGresult *res = NULL;
    const char *json;
    od_rc rc = od_vendors_get_json(r->db, r->arena, r->vendor_id, &json, &res);

    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, "the vendor does not exist");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_read = 1;
    od_resp_send(r, 200, "application/json", NULL, json, strlen(json));
}
