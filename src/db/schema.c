/* schema.c: the migration ledger as the application role sees it. */
#include "db/schema.h"

static od_stmt st_ledger = OD_STMT("schema_ledger",
    "SELECT version, checksum FROM schema_migrations", 0, true);

od_rc
od_schema_status(od_db *db, od_arena *a, const od_migration_set *set,
                 od_migration_status *st, PGresult **res)
{
    od_rc rc = od_db_exec(db, a, &st_ledger, NULL, res);

    return rc == OD_OK ? od_migrations_compare_result(set, *res, st) : rc;
}
