/* user.c: odysseyctl user add (the shadow row of an identity-provider user) and
 * user link (membership of a vendor with a role). Both are audited. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static const char *const roles[] = { "vendor_admin", "vendor_operator", "vendor_viewer",
                                     "superadmin" };

static int
usage(int code)
{
    printf("usage: odysseyctl user add --id ID --email EMAIL [--name DISPLAY_NAME]\n"
           "       odysseyctl user link --user ID --vendor VENDOR_ID --role ROLE\n\n"
           "add: creates or updates the shadow row of an identity-provider user (ID is\n"
           "the provider's user id, the token's sub).\n"
           "link: makes the user an active member of the vendor with ROLE, one of\n"
           "vendor_admin, vendor_operator, vendor_viewer.\n");
    return code;
}

/* Runs one audited statement in a transaction. Returns the exit code. */
static int
audited(PGconn *conn, const char *sql, int n, const char *const *params, const char *action,
        const char *entity, const char *vendor_id, json_object *after, bool print_first)
{
    PGresult *res = od_ctl_exec(conn, "BEGIN", 0, NULL), *c = NULL;
    int code = 1;

    if (res == NULL)
        return 1;
    PQclear(res);
    res = od_ctl_exec(conn, sql, n, params);
    if (res != NULL && od_ctl_audit(conn, action, entity, PQgetvalue(res, 0, 0), vendor_id,
                                    json_object_to_json_string(after)) &&
        (c = od_ctl_exec(conn, "COMMIT", 0, NULL)) != NULL) {
        if (print_first)
            printf("%s\n", PQgetvalue(res, 0, 0));
        code = 0;
    }
    PQclear(c);
    PQclear(res);
    return code;
}

static int
user_add(const od_config *cfg, int argc, char **argv)
{
    const char *id = od_ctl_opt(argc, argv, "--id");
    const char *email = od_ctl_opt(argc, argv, "--email");
    const char *name = od_ctl_opt(argc, argv, "--name");
    const char *params[3];
    json_object *after;
    PGconn *conn;
    int code;

    if (id == NULL || *id == '\0' || strlen(id) > 255 || email == NULL ||
        strchr(email, '@') == NULL) {
        fprintf(stderr, "odysseyctl: user add needs --id (1-255 characters) and --email\n");
        return 2;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    params[0] = id;
    params[1] = email;
    params[2] = name;
    after = json_object_new_object();
    json_object_object_add(after, "email", json_object_new_string(email));
    code = audited(conn,
                   "INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3) "
                   "ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, "
                   "display_name = COALESCE(EXCLUDED.display_name, users.display_name) "
                   "RETURNING id", 3, params, "create", "users", NULL, after, true);
    json_object_put(after);
    PQfinish(conn);
    return code;
}

static int
user_link(const od_config *cfg, int argc, char **argv)
{
    const char *user = od_ctl_opt(argc, argv, "--user");
    const char *vendor = od_ctl_opt(argc, argv, "--vendor");
    const char *role = od_ctl_opt(argc, argv, "--role");
    const char *params[3];
    bool role_ok = false;
    json_object *after;
    PGconn *conn;
    int code;

    for (size_t i = 0; role != NULL && i < 3; i++)
        role_ok = role_ok || strcmp(role, roles[i]) == 0;
    if (user == NULL || vendor == NULL || !role_ok) {
        fprintf(stderr, "odysseyctl: user link needs --user, --vendor and --role "
                "(vendor_admin, vendor_operator or vendor_viewer; superadmin is granted "
                "with 'admin grant')\n");
        return 2;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    params[0] = user;
    params[1] = vendor;
    params[2] = role;
    after = json_object_new_object();
    json_object_object_add(after, "user_id", json_object_new_string(user));
    json_object_object_add(after, "role", json_object_new_string(role));
    json_object_object_add(after, "status", json_object_new_string("active"));
    code = audited(conn,
                   "INSERT INTO user_links (user_id, vendor_id, role, status) "
                   "VALUES ($1, $2::uuid, $3::od_role, 'active') "
                   "ON CONFLICT (user_id, vendor_id) DO UPDATE SET role = EXCLUDED.role, "
                   "status = 'active' RETURNING id", 3, params, "create", "user_links",
                   vendor, after, false);
    json_object_put(after);
    PQfinish(conn);
    if (code == 0)
        printf("linked %s to vendor %s as %s\n", user, vendor, role);
    return code;
}

int
od_ctl_user(const od_config *cfg, int argc, char **argv)
{
    if (od_ctl_wants_help(argc, argv))
        return usage(0);
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return user_add(cfg, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "link") == 0)
        return user_link(cfg, argc - 1, argv + 1);
    return usage(2);
}

int
od_ctl_admin(const od_config *cfg, int argc, char **argv)
{
    const char *user = od_ctl_opt(argc - 1, argv + 1, "--user");
    const char *params[1];
    json_object *after;
    PGconn *conn;
    int code;

    if (od_ctl_wants_help(argc, argv) || argc < 2 || strcmp(argv[1], "grant") != 0 ||
        user == NULL) {
        printf("usage: odysseyctl admin grant --user ID\n\nRegisters the user as a "
               "platform superadmin (break-glass access only).\n");
        return od_ctl_wants_help(argc, argv) ? 0 : 2;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    params[0] = user;
    after = json_object_new_object();
    json_object_object_add(after, "user_id", json_object_new_string(user));
    code = audited(conn,
                   "INSERT INTO platform_admins (user_id, granted_by) VALUES ($1, 'odysseyctl') "
                   "ON CONFLICT (user_id) DO UPDATE SET revoked_at = NULL, revoked_by = NULL, "
                   "granted_at = now(), granted_by = 'odysseyctl' "
                   "RETURNING user_id", 1, params, "create", "platform_admins", NULL,
                   after, false);
    json_object_put(after);
    PQfinish(conn);
    if (code == 0)
        printf("%s is a platform admin\n", user);
    return code;
}
