/* common.c: what every odysseyctl command shares: the owner connection, option
 * lookup, error printing and the audit record of administrative changes. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>

static void
quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *
od_ctl_connect_admin(const od_config *cfg)
{
    char timeout[16];
    const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
    const char *vals[] = { cfg->admin_database_url, "odysseyctl", timeout, NULL };
    PGconn *conn;

    if (cfg->admin_database_url[0] == '\0') {
        fprintf(stderr, "odysseyctl: ODYSSEY_ADMIN_DATABASE_URL: required (the owner "
                "role's URL), not set\n");
        return NULL;
    }
    snprintf(timeout, sizeof(timeout), "%d", cfg->db_connect_timeout);
    conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "odysseyctl: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, quiet, NULL);  /* IF NOT EXISTS chatter */
    return conn;
}

PGresult *
od_ctl_exec(PGconn *conn, const char *sql, int n, const char *const *params)
{
    PGresult *res;
    ExecStatusType st;

    res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    fprintf(stderr, "odysseyctl: %s", PQresultErrorMessage(res));
    PQclear(res);
    return NULL;
}

bool
od_ctl_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

const char *
od_ctl_opt(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    }
    return NULL;
}

bool
od_ctl_audit(PGconn *conn, const char *action, const char *entity, const char *entity_id,
             const char *vendor_id, const char *after_json)
{
    const char *params[] = { action, entity, entity_id, vendor_id, after_json };
    PGresult *res = od_ctl_exec(conn,
        "INSERT INTO audit_log (actor_user_id, actor_role, vendor_id, action, entity, "
        "entity_id, after, ua) VALUES (NULL, 'system', $4::uuid, $1, $2, $3, "
        "$5::jsonb, 'odysseyctl')", 5, params);

    PQclear(res);
    return res != NULL;
}
