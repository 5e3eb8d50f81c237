/* audit.c: odysseyctl audit purge: the one way audit rows ever leave. It refuses
 * any cut-off younger than the 6-year retention (HIPAA documentation), runs as the
 * owner, lifts the insert-only trigger only inside its own transaction, and audits
 * the purge itself. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static int
usage(int code)
{
    printf("usage: odysseyctl audit purge --before DATE\n\n"
           "Deletes the audit rows older than DATE (YYYY-MM-DD), which must be at least\n"
           "6 years ago: younger rows are never deleted. One transaction; the purge is\n"
           "itself audited.\n");
    return code;
}

int
od_ctl_audit_cmd(const od_config *cfg, int argc, char **argv)
{
    const char *before = od_ctl_opt(argc - 1, argv + 1, "--before");
    const char *params[1];
    PGconn *conn;
    PGresult *res = NULL, *c;
    json_object *after;
    int code = 1;

    if (od_ctl_wants_help(argc, argv))
        return usage(0);
    if (argc < 2 || strcmp(argv[1], "purge") != 0 || before == NULL)
        return usage(2);
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    params[0] = before;
    c = od_ctl_exec(conn, "BEGIN", 0, NULL);
    if (c == NULL)
        goto done;
    PQclear(c);
    /* The date check is the database's, so there is one clock and one calendar. */
    res = od_ctl_exec(conn, "SELECT $1::date <= (now() - interval '6 years')::date", 1, params);
    if (res == NULL)
        goto rollback;
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        fprintf(stderr, "odysseyctl: refusing: audit rows are kept 6 years; --before must be "
                "on or before the date 6 years ago\n");
        code = 2;
        goto rollback;
    }
    PQclear(res);
    res = NULL;
    c = od_ctl_exec(conn, "ALTER TABLE audit_log DISABLE TRIGGER trg_audit_log_no_update_delete",
                    0, NULL);
    if (c == NULL)
        goto rollback;
    PQclear(c);
    res = od_ctl_exec(conn, "WITH d AS (DELETE FROM audit_log WHERE timestamp < $1::date "
                      "RETURNING 1) SELECT count(*) FROM d", 1, params);
    if (res == NULL)
        goto rollback;
    c = od_ctl_exec(conn, "ALTER TABLE audit_log ENABLE TRIGGER trg_audit_log_no_update_delete",
                    0, NULL);
    if (c == NULL)
        goto rollback;
    PQclear(c);
    after = json_object_new_object();
    json_object_object_add(after, "before", json_object_new_string(before));
    json_object_object_add(after, "deleted", json_object_new_string(PQgetvalue(res, 0, 0)));
    if (!od_ctl_audit(conn, "delete", "audit_log", NULL, NULL, json_object_to_json_string(after))) {
        json_object_put(after);
        goto rollback;
    }
    json_object_put(after);
    c = od_ctl_exec(conn, "COMMIT", 0, NULL);
    if (c != NULL) {
        printf("purged %s audit rows older than %s\n", PQgetvalue(res, 0, 0), before);
        code = 0;
    }
    PQclear(c);
    goto done;
rollback:
    PQclear(od_ctl_exec(conn, "ROLLBACK", 0, NULL));
done:
    PQclear(res);
    PQfinish(conn);
    return code;
}
