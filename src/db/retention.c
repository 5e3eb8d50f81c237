/* retention.c: the retention purge and the outbox sweep. Each
 * call is one statement in autocommit, so each batch is its own short transaction. */
#include "db/retention.h"

#include <stdlib.h>

static od_stmt st_purge = OD_STMT("retention_purge",
    "SELECT od_retention_purge($1, to_timestamp($2::bigint), $3::int)", 3, false);

static od_stmt st_sweep = OD_STMT("events_sweep",
    "SELECT od_events_sweep(to_timestamp($1::bigint))", 1, false);

/* Runs st and reads its single integer into *n. */
static od_rc
exec_count(od_db *db, od_arena *a, od_stmt *st, const char *const *params, long *n)
{
    PGresult *res;
    od_rc rc = od_db_exec(db, a, st, params, &res);

    *n = 0;
    if (rc == OD_OK && PQntuples(res) == 1)
        *n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    return rc;
}

od_rc
od_retention_purge(od_db *db, od_arena *a, const char *target, time_t now, int batch,
                   long *deleted)
{
    const char *params[] = { target, od_arena_printf(a, "%lld", (long long)now),
                             od_arena_printf(a, "%d", batch) };

    return exec_count(db, a, &st_purge, params, deleted);
}

od_rc
od_events_sweep(od_db *db, od_arena *a, time_t now, long *queued)
{
    const char *params[] = { od_arena_printf(a, "%lld", (long long)now) };

    return exec_count(db, a, &st_sweep, params, queued);
}
