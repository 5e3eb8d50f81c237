/* status.c: odysseyctl status: is the database reachable, are the migrations
 * current, how many vendors and queued jobs. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <stdlib.h>

#include "db/migrate.h"

int
od_ctl_status(const od_config *cfg, int argc, char **argv)
{
    od_migration_set set;
    od_migration_status st;
    const char **versions = NULL, **checksums = NULL;
    char err[512];
    PGconn *conn;
    PGresult *res = NULL, *counts = NULL;
    int code = 1;
    size_t n;

    if (od_ctl_wants_help(argc, argv)) {
        printf("usage: odysseyctl status\n\nReports whether the database is reachable, "
               "whether every migration is applied,\nand how many vendors and available "
               "jobs there are. Exits 0 only when the\nschema is current.\n");
        return 0;
    }
    if (od_migrations_load(cfg->migrations_dir, &set, err, sizeof(err)) != OD_OK) {
        fprintf(stderr, "odysseyctl: %s\n", err);
        return 1;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL) {
        printf("database: unreachable\n");
        od_migrations_free(&set);
        return 1;
    }
    printf("database: reachable (server %d)\n", PQserverVersion(conn));
    res = od_ctl_exec(conn, "SELECT version, checksum FROM schema_migrations", 0, NULL);
    n = res ? (size_t)PQntuples(res) : 0;
    versions = calloc(n + 1, sizeof(*versions));
    checksums = calloc(n + 1, sizeof(*checksums));
    if (versions == NULL || checksums == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        versions[i] = PQgetvalue(res, (int)i, 0);
        checksums[i] = PQgetvalue(res, (int)i, 1);
    }
    od_migrations_compare(&set, versions, checksums, n, &st);
    printf("migrations: %zu applied, %zu pending, %zu changed, %zu unknown\n", st.applied,
           st.pending, st.changed, st.missing);
    if (st.applied > 0) {
        counts = od_ctl_exec(conn, "SELECT (SELECT count(*) FROM vendors), "
                             "(SELECT count(*) FROM jobs WHERE state = 'available')", 0, NULL);
        if (counts != NULL)
            printf("vendors: %s\njobs available: %s\n", PQgetvalue(counts, 0, 0),
                   PQgetvalue(counts, 0, 1));
    }
    code = (st.pending == 0 && st.changed == 0 && st.missing == 0) ? 0 : 1;
done:
    free(versions);
    free(checksums);
    PQclear(counts);
    PQclear(res);
    PQfinish(conn);
    od_migrations_free(&set);
    return code;
}
