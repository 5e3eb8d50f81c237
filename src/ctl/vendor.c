/* vendor.c: odysseyctl vendor create (the vendor row and all of its partitions in
 * one transaction: od_create_vendor in the schema) and vendor suspend|activate. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static int
usage(int code)
{
    printf("usage: odysseyctl vendor create --name NAME\n"
           "       odysseyctl vendor suspend --vendor VENDOR_ID\n"
           "       odysseyctl vendor activate --vendor VENDOR_ID\n\n"
           "create: makes a vendor and its product (16 hash) and customer (32 hash)\n"
           "partitions in one transaction, and prints the new vendor id.\n"
           "suspend: every request of the vendor's members gets 403 (within 5 s).\n"
           "activate: lifts a suspension. All three are audited.\n");
    return code;
}

/* Runs sql (one row back: the entity id) and its audit row in one transaction.
 * Returns the exit code; prints the id when print is true. */
static int
audited(const od_config *cfg, const char *sql, int n, const char *const *params,
        const char *action, const char *vendor_id_param, json_object *after, bool print)
{
    PGconn *conn = od_ctl_connect_admin(cfg);
    PGresult *res = NULL, *c;
    int code = 1;

    if (conn == NULL)
        return 1;
    c = od_ctl_exec(conn, "BEGIN", 0, NULL);
    if (c == NULL)
        goto done;
    PQclear(c);
    res = od_ctl_exec(conn, sql, n, params);
    if (res == NULL)
        goto done;
    if (PQntuples(res) == 0) {
        fprintf(stderr, "odysseyctl: no such vendor\n");
        goto done;
    }
    if (!od_ctl_audit(conn, action, "vendors", PQgetvalue(res, 0, 0),
                      vendor_id_param ? vendor_id_param : PQgetvalue(res, 0, 0),
                      json_object_to_json_string(after)))
        goto done;
    c = od_ctl_exec(conn, "COMMIT", 0, NULL);
    if (c != NULL) {
        if (print)
            printf("%s\n", PQgetvalue(res, 0, 0));
        code = 0;
    }
    PQclear(c);
done:
    PQclear(res);
    PQfinish(conn);
    return code;
}

static int
create(const od_config *cfg, int argc, char **argv)
{
    const char *name = od_ctl_opt(argc, argv, "--name");
    json_object *after;
    int code;

    if (name == NULL || *name == '\0' || strlen(name) > 200) {
        fprintf(stderr, "odysseyctl: --name: required, 1 to 200 characters\n");
        return 2;
    }
    after = json_object_new_object();
    json_object_object_add(after, "name", json_object_new_string(name));
    code = audited(cfg, "SELECT od_create_vendor($1)", 1, (const char *const[]){ name },
                   "create", NULL, after, true);
    json_object_put(after);
    return code;
}

static int
set_status(const od_config *cfg, int argc, char **argv, const char *status)
{
    const char *vendor = od_ctl_opt(argc, argv, "--vendor");
    const char *params[2];
    json_object *after;
    int code;

    if (vendor == NULL) {
        fprintf(stderr, "odysseyctl: --vendor: required\n");
        return 2;
    }
    params[0] = vendor;
    params[1] = status;
    after = json_object_new_object();
    json_object_object_add(after, "status", json_object_new_string(status));
    code = audited(cfg, "UPDATE vendors SET status = $2::vendor_status WHERE id = $1::uuid "
                   "RETURNING id", 2, params, "update", NULL, after, false);
    json_object_put(after);
    if (code == 0)
        printf("vendor %s is %s\n", vendor, status);
    return code;
}

int
od_ctl_vendor(const od_config *cfg, int argc, char **argv)
{
    if (od_ctl_wants_help(argc, argv))
        return usage(0);
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return create(cfg, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "suspend") == 0)
        return set_status(cfg, argc - 1, argv + 1, "suspended");
    if (argc >= 2 && strcmp(argv[1], "activate") == 0)
        return set_status(cfg, argc - 1, argv + 1, "active");
    return usage(2);
}
