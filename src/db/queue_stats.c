/* queue_stats.c: read-only views of the jobs table. */
#include "db/queue_stats.h"

#include <stdlib.h>

static od_stmt st_available = OD_STMT("queue_available",
    "SELECT count(*) FROM jobs WHERE state = 'available' AND run_at <= now()", 0, true);

od_rc
od_queue_available(od_db *db, od_arena *a, long *n)
{
    PGresult *res;
    od_rc rc = od_db_exec(db, a, &st_available, NULL, &res);

    if (rc == OD_OK)
        *n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    return rc;
}
