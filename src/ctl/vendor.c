/* vendor.c: odysseyctl vendor create: the vendor row and all of its partitions in
 * one transaction (od_create_vendor in the schema). */
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

int
od_ctl_vendor(const od_config *cfg, int argc, char **argv)
{
    const char *name = od_ctl_opt(argc, argv, "--name");
    const char *params[1];
    PGconn *conn;
    PGresult *res;
    json_object *after = NULL;
    int code = 1;

    if (od_ctl_wants_help(argc, argv) || argc < 2 || strcmp(argv[1], "create") != 0) {
        printf("usage: odysseyctl vendor create --name NAME\n\nCreates a vendor and its "
               "product (16 hash) and customer (32 hash) partitions in\none transaction, "
               "and prints the new vendor id.\n");
        return od_ctl_wants_help(argc, argv) ? 0 : 2;
    }
    if (name == NULL || *name == '\0' || strlen(name) > 200) {
        fprintf(stderr, "odysseyctl: --name: required, 1 to 200 characters\n");
        return 2;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    params[0] = name;
    res = od_ctl_exec(conn, "BEGIN", 0, NULL);
    if (res == NULL)
        goto done;
    PQclear(res);
    res = od_ctl_exec(conn, "SELECT od_create_vendor($1)", 1, params);
    if (res != NULL) {
        after = json_object_new_object();
        json_object_object_add(after, "name", json_object_new_string(name));
        if (od_ctl_audit(conn, "vendor.create", "vendors", PQgetvalue(res, 0, 0),
                         PQgetvalue(res, 0, 0), json_object_to_json_string(after))) {
            PGresult *c = od_ctl_exec(conn, "COMMIT", 0, NULL);

            if (c != NULL) {
                printf("%s\n", PQgetvalue(res, 0, 0));
                code = 0;
            }
            PQclear(c);
        }
        PQclear(res);
    }
done:
    json_object_put(after);
    PQfinish(conn);
    return code;
}
