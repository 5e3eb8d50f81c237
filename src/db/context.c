/* context.c: memberships and the request transaction's RLS context. */
#include "db/context.h"

#include <string.h>

static od_stmt st_memberships = OD_STMT("context_memberships",
    "SELECT vendor_id, vendor_name, vendor_status = 'active', role, platform_admin "
    "FROM od_request_memberships($1, $2::uuid) ORDER BY platform_admin, vendor_name, vendor_id",
    2, true);

static od_stmt st_set = OD_STMT("context_set",
    "SELECT set_config('odyssey.user_id', $1, true), "
    "set_config('odyssey.vendor_id', coalesce($2, ''), true), "
    "set_config('odyssey.platform_admin', $3, true)", 3, false);

od_rc
od_context_memberships(od_db *db, od_arena *a, const char *user_id, const char *target,
                       od_membership_set *out, PGresult **res)
{
    const char *params[] = { user_id, target };
    od_membership *items;
    od_rc rc = od_db_exec(db, a, &st_memberships, params, res);
    int n;

    memset(out, 0, sizeof(*out));
    if (rc != OD_OK)
        return rc;
    n = PQntuples(*res);
    items = od_arena_alloc(a, sizeof(*items) * (size_t)(n + 1));
    if (items == NULL)
        return OD_ENOMEM;
    for (int i = 0; i < n; i++) {
        bool platform = PQgetvalue(*res, i, 4)[0] == 't';
        od_membership m = {
            .vendor_id = PQgetisnull(*res, i, 0) ? NULL : PQgetvalue(*res, i, 0),
            .vendor_name = PQgetisnull(*res, i, 1) ? NULL : PQgetvalue(*res, i, 1),
            .vendor_active = PQgetvalue(*res, i, 2)[0] == 't',
            .role = od_rbac_role_parse(PQgetvalue(*res, i, 3)),
        };

        if (!platform) {
            items[out->n++] = m;
            continue;
        }
        out->platform_admin = true;
        if (m.vendor_id != NULL) {
            items[n] = m;  /* the break-glass target, kept past the links */
            out->target = &items[n];
        }
    }
    out->items = items;
    return OD_OK;
}

od_rc
od_context_begin(od_db *db, od_arena *a, const char *user_id, const char *vendor_id,
                 bool platform)
{
    const char **params = od_arena_alloc(a, 3 * sizeof(*params));

    if (params == NULL)
        return OD_ENOMEM;
    params[0] = user_id;
    params[1] = vendor_id;
    params[2] = platform ? "on" : "off";
    /* BEGIN and the settings travel with the request's first statement. */
    od_db_defer_begin(db, &st_set, params);
    return OD_OK;
}

static od_stmt st_set_lazy = OD_STMT("context_set_lazy",
    "SELECT set_config('odyssey.user_id', '', true), "
    "set_config('odyssey.vendor_id', $1, true), "
    "set_config('odyssey.platform_admin', 'off', true), "
    "set_config('synchronous_commit', 'off', true)", 1, false);

od_rc
od_context_begin_lazy(od_db *db, od_arena *a, const char *vendor_id)
{
    const char **params = od_arena_alloc(a, sizeof(*params));

    if (params == NULL)
        return OD_ENOMEM;
    params[0] = vendor_id;
    od_db_defer_begin(db, &st_set_lazy, params);
    return OD_OK;
}

od_rc
od_context_end(od_db *db, bool commit)
{
    od_rc rc;

    /* A commit sends what is still queued (it opens the transaction if nothing ran
     * yet), with the COMMIT in the same round trip; a rollback drops it. */
    if (commit) {
        od_db_commit_with_next(db);
        if ((rc = od_db_flush(db)) != OD_OK) {
            od_db_cancel_deferred(db);
            if (od_db_in_transaction(db))
                od_db_command(db, "ROLLBACK");
            return rc;
        }
    }
    if (od_db_cancel_deferred(db))
        return OD_OK;  /* no statement ran: no transaction was ever opened */
    if (od_db_conn(db) == NULL)
        return commit ? OD_EUNAVAIL : OD_OK;
    if (!od_db_in_transaction(db))
        return OD_OK;  /* it ended with its last statement (od_db_commit_with_next) */
    rc = od_db_command(db, commit ? "COMMIT" : "ROLLBACK");
    if (rc == OD_EDB && commit)
        od_db_command(db, "ROLLBACK");  /* a failed COMMIT leaves nothing behind */
    return rc;
}
