/* vendors.c: the vendors table. */
#include "db/vendors.h"

static od_stmt st_get = OD_STMT("vendors_get",
    "SELECT json_build_object('id', id, 'name', name, 'status', status, "
    "'settings', settings_json, 'catalog_version', catalog_version, "
    "'created_at', created_at, 'updated_at', updated_at)::text "
    "FROM vendors WHERE id = $1::uuid", 1, true);

od_rc
od_vendors_get_json(od_db *db, od_arena *a, const char *id, const char **json, PGresult **res)
{
    const char *params[] = { id };
    od_rc rc = od_db_exec(db, a, &st_get, params, res);

    if (rc != OD_OK)
        return rc;
    if (PQntuples(*res) == 0)
        return OD_ENOTFOUND;
    *json = PQgetvalue(*res, 0, 0);
    return OD_OK;
}
