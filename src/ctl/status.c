/* status.c: odysseyctl status: is the database reachable, are the migrations
 * current, how many vendors and queued jobs. */
#include "ctl/ctl.h"

#include <stdio.h>

#include "db/migrate.h"

int
od_ctl_status(const od_config *cfg, int argc, char **argv)
{
    od_migration_set set;
    od_migration_status st;
    char err[512];
    PGconn *conn;
    PGresult *res = NULL, *counts = NULL;
    int code = 1;

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
    if (res == NULL || od_migrations_compare_result(&set, res, &st) != OD_OK)
        goto done;
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
    PQclear(counts);
    PQclear(res);
    PQfinish(conn);
    od_migrations_free(&set);
    return code;
}
