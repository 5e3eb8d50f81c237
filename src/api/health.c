/* health.c: liveness (/healthz, no dependencies) and readiness (/readyz: the
 * database answers and every migration file is applied unchanged). */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "core/json.h"
#include "db/schema.h"

void
od_h_healthz(od_request *r)
{
    static const char body[] = "{\"status\":\"ok\"}";

    od_resp_send(r, 200, "application/json", NULL, body, sizeof(body) - 1);
}

void
od_h_readyz(od_request *r)
{
    od_migration_status st;
    PGresult *res = NULL;
    json_object *o, *m;
    od_rc rc;

    rc = od_db_ready(r->db);
    if (rc == OD_OK)
        rc = od_schema_status(r->db, r->arena, od_api_get_env()->migrations, &st, &res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "42P01") == 0) {
        /* No ledger at all (undefined_table): nothing has been migrated. */
        od_resp_unavailable(r, NULL, "the database has not been migrated");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_read = PQntuples(res);
    if (st.pending > 0 || st.changed > 0 || st.missing > 0) {
        od_resp_unavailable(r, NULL, od_arena_printf(r->arena, "migrations are not current: "
                            "%zu pending, %zu changed, %zu unknown", st.pending, st.changed,
                            st.missing));
        return;
    }
    o = od_json_own(r->arena, json_object_new_object());
    m = json_object_new_object();
    json_object_object_add(o, "status", json_object_new_string("ready"));
    json_object_object_add(m, "applied", json_object_new_int64((int64_t)st.applied));
    json_object_object_add(m, "pending", json_object_new_int(0));
    json_object_object_add(o, "migrations", m);
    od_resp_json(r, 200, o);
}
