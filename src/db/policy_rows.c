/* policy_rows.c: replacing a vendor's active policy row: lock, read what is in
 * force, deactivate, insert. Each step is its own statement: in READ COMMITTED the
 * reads after the lock see what the previous writer committed, and the partial
 * unique index "one active row per scope" never sees two active rows. */
#include "db/policy_rows.h"

/* A replace (revert false) or a revert, as their contracts say. */
static od_rc
change(od_db *db, od_arena *a, const od_policy_stmts *st, const char *const *params,
       bool revert, od_policy_write *out, PGresult **res)
{
    bool own = false, same = false;
    od_rc rc = od_db_exec(db, a, st->lock, params, res);

    *out = (od_policy_write){ NULL, NULL, false };
    if (rc != OD_OK || (rc = od_db_exec(db, a, st->in_force, params, res)) != OD_OK)
        return rc;
    if (PQntuples(*res) > 0) {
        out->before = PQgetvalue(*res, 0, 0);
        own = PQgetvalue(*res, 0, 1)[0] == 't';
        same = PQgetvalue(*res, 0, 2)[0] == 't';
    }
    if (revert && !own)
        return OD_ENOTFOUND;
    if (!revert && own && same) {
        out->after = out->before;
        return OD_OK;
    }
    if (own && (rc = od_db_exec(db, a, st->deactivate, params, res)) != OD_OK)
        return rc;
    if (!revert) {
        if ((rc = od_db_exec(db, a, st->insert, params, res)) != OD_OK)
            return rc;
        out->after = PQgetvalue(*res, 0, 0);
    }
    out->changed = true;
    return OD_OK;
}

od_rc
od_policy_rows_replace(od_db *db, od_arena *a, const od_policy_stmts *st,
                       const char *const *params, od_policy_write *out, PGresult **res)
{
    return change(db, a, st, params, false, out, res);
}

od_rc
od_policy_rows_revert(od_db *db, od_arena *a, const od_policy_stmts *st,
                      const char *const *params, od_policy_write *out, PGresult **res)
{
    return change(db, a, st, params, true, out, res);
}
