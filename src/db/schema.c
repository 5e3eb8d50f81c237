/* schema.c: the migration ledger as the application role sees it. */
#include "db/schema.h"

static od_stmt st_ledger = OD_STMT("schema_ledger",
    "SELECT version, checksum FROM schema_migrations", 0, true);

od_rc
od_schema_status(od_db *db, od_arena *a, const od_migration_set *set,
                 od_migration_status *st, PGresult **res)
{
    const char **versions, **checksums;
    size_t n;
    od_rc rc = od_db_exec(db, a, &st_ledger, NULL, res);

    if (rc != OD_OK)
        return rc;
    n = (size_t)PQntuples(*res);
    versions = od_arena_alloc(a, (n + 1) * sizeof(*versions));
    checksums = od_arena_alloc(a, (n + 1) * sizeof(*checksums));
    if (versions == NULL || checksums == NULL)
        return OD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        versions[i] = PQgetvalue(*res, (int)i, 0);
        checksums[i] = PQgetvalue(*res, (int)i, 1);
    }
    od_migrations_compare(set, versions, checksums, n, st);
    return OD_OK;
}
