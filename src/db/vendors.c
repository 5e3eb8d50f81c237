/* vendors.c: the vendors table. */
#include "db/vendors.h"

/* Settings are shown with their defaults filled in (docs/security.md). */
#define VENDOR_JSON \
    "json_build_object('id', id, 'name', name, 'status', status, " \
    "'settings', '{\"require_health_consent\": false}'::jsonb || settings_json, " \
    "'catalog_version', catalog_version, 'created_at', created_at, " \
    "'updated_at', updated_at)::text"

static od_stmt st_get = OD_STMT("vendors_get",
    "SELECT " VENDOR_JSON " FROM vendors WHERE id = $1::uuid", 1, true);

/* A merge patch of the settings: members set to null go back to their default. */
static od_stmt st_update = OD_STMT("vendors_update",
    "UPDATE vendors SET name = coalesce($2, name), "
    "settings_json = CASE WHEN $3::jsonb IS NULL THEN settings_json "
    "ELSE jsonb_strip_nulls(settings_json || $3::jsonb) END, "
    "status = coalesce($4::vendor_status, status) "
    "WHERE id = $1::uuid RETURNING " VENDOR_JSON, 4, false);

od_rc
od_vendors_update_json(od_db *db, od_arena *a, const char *id, const char *name,
                       const char *settings_patch, const char *status, const char **json,
                       PGresult **res)
{
    const char *params[] = { id, name, settings_patch, status };
    od_rc rc = od_db_exec(db, a, &st_update, params, res);

    if (rc != OD_OK)
        return rc;
    if (PQntuples(*res) == 0)
        return OD_ENOTFOUND;
    *json = PQgetvalue(*res, 0, 0);
    return OD_OK;
}

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
