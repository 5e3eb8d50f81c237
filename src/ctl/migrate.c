/* migrate.c: odysseyctl migrate: apply the pending migrations of the sql/ files. */
#include "ctl/ctl.h"

#include <stdio.h>

#include "db/migrate.h"

int
od_ctl_migrate(const od_config *cfg, int argc, char **argv)
{
    od_migration_set set;
    char err[2048];
    PGconn *conn;
    od_rc rc;

    if (od_ctl_wants_help(argc, argv)) {
        printf("usage: odysseyctl migrate\n\nApplies the pending migrations of "
               "ODYSSEY_MIGRATIONS_DIR in order, each in its own\ntransaction, as the owner "
               "role (ODYSSEY_ADMIN_DATABASE_URL), recording them in\nschema_migrations. "
               "Running it again changes nothing. It refuses to run when an\napplied "
               "migration file has changed or disappeared.\n");
        return 0;
    }
    if (od_migrations_load(cfg->migrations_dir, &set, err, sizeof(err)) != OD_OK) {
        fprintf(stderr, "odysseyctl: %s\n", err);
        return 1;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL) {
        od_migrations_free(&set);
        return 1;
    }
    rc = od_migrations_apply(conn, &set, stdout, err, sizeof(err));
    if (rc != OD_OK)
        fprintf(stderr, "odysseyctl: %s\n", err);
    PQfinish(conn);
    od_migrations_free(&set);
    return rc == OD_OK ? 0 : 1;
}
