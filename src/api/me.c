/* me.c: GET /api/v1/me (who the token says the caller is) and PATCH /api/v1/me
 * (the caller's display name; the email belongs to the identity provider). */
#include <string.h>

#include "api/api.h"
#include "auth/rbac.h"
#include "auth/tenancy.h"
#include "api/handlers.h"
#include "core/json.h"
#include "db/users.h"
#include "http/problem.h"

#define OD_DISPLAY_NAME_MAX 200

static void
add_perm(const char *name, void *arg)
{
    json_object_array_add(arg, json_object_new_string(name));
}

static json_object *
str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

/* The caller: who, where, as what, allowed to do what, and where else. */
static void
send_user(od_request *r, const od_user *u)
{
    json_object *o = od_json_own(r->arena, json_object_new_object());
    json_object *user = json_object_new_object(), *perms = json_object_new_array();
    json_object *links = json_object_new_array(), *vendor = NULL;
    const od_membership_set *ms = r->memberships;

    json_object_object_add(user, "id", json_object_new_string(u->id));
    json_object_object_add(user, "email", str_or_null(u->email));
    json_object_object_add(user, "display_name", str_or_null(u->display_name));
    json_object_object_add(o, "user", user);
    if (r->vendor_id != NULL) {
        vendor = json_object_new_object();
        json_object_object_add(vendor, "id", json_object_new_string(r->vendor_id));
        json_object_object_add(vendor, "name", str_or_null(r->vendor_name));
    }
    json_object_object_add(o, "vendor", vendor);
    json_object_object_add(o, "role", str_or_null(r->role));
    od_rbac_perm_each(r->perms, add_perm, perms);
    json_object_object_add(o, "permissions", perms);
    json_object_object_add(o, "break_glass", json_object_new_boolean(r->break_glass));
    json_object_object_add(o, "platform_admin",
                           json_object_new_boolean(ms != NULL && ms->platform_admin));
    for (size_t i = 0; ms != NULL && i < ms->n; i++) {
        json_object *l = json_object_new_object();

        json_object_object_add(l, "vendor_id", json_object_new_string(ms->items[i].vendor_id));
        json_object_object_add(l, "vendor_name", str_or_null(ms->items[i].vendor_name));
        json_object_object_add(l, "vendor_status", json_object_new_string(
                                   ms->items[i].vendor_active ? "active" : "suspended"));
        json_object_object_add(l, "role", str_or_null(od_rbac_role_name(ms->items[i].role)));
        json_object_array_add(links, l);
    }
    json_object_object_add(o, "memberships", links);
    od_resp_json(r, 200, o);
}

static void
no_account(od_request *r)
{
    od_resp_problem(r, 403, OD_PT_NO_ACCOUNT, "the token is valid but no account exists "
                    "for its user");
}

void
od_h_me_get(od_request *r)
{
    PGresult *res = NULL;
    od_user u;
    od_rc rc = od_db_ready(r->db);

    if (rc == OD_OK)
        rc = od_users_get(r->db, r->arena, r->user_id, &u, &res);
    if (rc == OD_ENOTFOUND) {
        no_account(r);
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_read = 1;
    send_user(r, &u);
}

/* Counts UTF-8 code points (the body was validated as UTF-8 by the parser). */
static size_t
utf8_len(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void
od_h_me_patch(od_request *r)
{
    json_object *body = od_req_json_object(r), *problem, *name = NULL;
    const char *display_name = NULL;
    PGresult *res = NULL;
    od_user u;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the body has invalid fields");
    json_object_object_foreach(body, key, value) {
        char *ptr = od_arena_printf(r->arena, "#/%s", od_json_pointer_token(r->arena, key));

        if (strcmp(key, "display_name") == 0) {
            name = value;
            if (value != NULL && !json_object_is_type(value, json_type_string))
                od_problem_add_error(problem, ptr, "must be a string or null");
            else if (value != NULL && (utf8_len(json_object_get_string(value)) == 0 ||
                                       utf8_len(json_object_get_string(value)) >
                                           OD_DISPLAY_NAME_MAX))
                od_problem_add_error(problem, ptr, "must be 1 to 200 characters");
        } else if (strcmp(key, "email") == 0 || strcmp(key, "id") == 0) {
            od_problem_add_error(problem, ptr, "is managed by the identity provider "
                                 "and cannot be changed here");
        } else {
            od_problem_add_error(problem, ptr, "is not a field of the user");
        }
    }
    if (name == NULL && !json_object_object_get_ex(body, "display_name", NULL) &&
        od_problem_error_count(problem) == 0)
        od_problem_add_error(problem, "#", "nothing to change: send display_name");
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (name != NULL)
        display_name = json_object_get_string(name);
    rc = od_db_ready(r->db);
    if (rc == OD_OK)
        rc = od_users_set_display_name(r->db, r->arena, r->user_id, display_name, &u, &res);
    if (rc == OD_ENOTFOUND) {
        no_account(r);
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_written = 1;
    send_user(r, &u);
}
