/* members.c: a vendor's members (vendor_admin): GET and POST /api/v1/users,
 * PUT and DELETE /api/v1/users/:userId/link. The vendor's last active admin can be
 * neither demoted, deactivated nor removed (409). Every change is audited with its
 * before and after. */
#include <string.h>

#include "api/api.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "auth/rbac.h"
#include "core/json.h"
#include "db/members.h"
#include "http/problem.h"

#define OD_MEMBERS_SORT "user_id"

void
od_h_members_list(od_request *r)
{
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;
    static const int keys[] = { 1 };

    if (!od_page_begin(r, OD_MEMBERS_SORT, "", 1, &limit, &position))
        return;
    rc = od_members_list(r->db, r->arena, r->vendor_id, od_page_key(r, position, 0), limit + 1,
                         &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, OD_MEMBERS_SORT, "", keys, 1, NULL);
}

/* Reads a string member: absent is fine unless required; present must be a string
 * of 1..max characters. Adds an error to problem otherwise. */
static const char *
string_member(od_request *r, json_object *body, const char *name, size_t max, bool required,
              json_object *problem)
{
    json_object *v;
    const char *s;

    if (!json_object_object_get_ex(body, name, &v) || v == NULL) {
        if (required)
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", name), "is required");
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string) || (s = json_object_get_string(v))[0] == '\0' ||
        strlen(s) > max) {
        od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", name),
                             od_arena_printf(r->arena, "must be a string of 1 to %zu characters",
                                             max));
        return NULL;
    }
    return s;
}

static const char *
role_member(od_request *r, json_object *body, bool required, json_object *problem)
{
    const char *role = string_member(r, body, "role", 32, required, problem);
    od_role parsed = role ? od_rbac_role_parse(role) : OD_ROLE_NONE;

    if (role != NULL && (parsed == OD_ROLE_NONE || parsed == OD_ROLE_SUPERADMIN)) {
        od_problem_add_error(problem, "#/role",
                             "must be vendor_viewer, vendor_operator or vendor_admin");
        return NULL;
    }
    return role;
}

/* Percent-encodes s for one path segment (RFC 3986 unreserved characters stay). */
static const char *
path_segment(od_arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = od_arena_alloc(a, strlen(s) * 3 + 1), *p = out;

    if (out == NULL)
        return "";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '.' || *c == '_' || *c == '~') {
            *p++ = (char)*c;
        } else {
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 15];
        }
    }
    *p = '\0';
    return out;
}

void
od_h_members_add(od_request *r)
{
    static const char *const known[] = { "id", "email", "display_name", "role" };
    json_object *body = od_req_json_object(r), *problem;
    const char *id, *email, *name, *role, *member;
    PGresult *res = NULL;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the member has invalid fields");
    od_fields_unknown(r, body, known, 4, problem);
    id = string_member(r, body, "id", 255, true, problem);
    email = string_member(r, body, "email", 320, true, problem);
    name = string_member(r, body, "display_name", 200, false, problem);
    role = role_member(r, body, true, problem);
    if (email != NULL && (strchr(email, '@') == NULL || strchr(email, ' ') != NULL))
        od_problem_add_error(problem, "#/email", "must be an email address");
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    rc = od_members_add(r->db, r->arena, r->vendor_id, id, email, name, role, &res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "23505") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "the user is already a member: change the "
                        "link with PUT /api/v1/users/{userId}/link");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    member = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    rc = od_api_audit(r, "create", "user_links", id, NULL, member);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return;
    }
    r->rows_written = 2;
    od_resp_send(r, 201, "application/json", od_arena_printf(r->arena, "Location: "
                 "/api/v1/users/%s/link\r\n", path_segment(r->arena, id)), member,
                 strlen(member));
}

/* Refuses (409) a change that would leave the vendor without an active admin. */
static bool
keeps_an_admin(od_request *r, const char *user_id, const char *before_role,
               const char *before_status, const char *role, const char *status)
{
    bool was_admin = strcmp(before_role, "vendor_admin") == 0 &&
                     strcmp(before_status, "active") == 0;
    bool stays_admin = role != NULL && status != NULL && strcmp(role, "vendor_admin") == 0 &&
                       strcmp(status, "active") == 0;
    PGresult *res = NULL;
    long others = 0;
    od_rc rc;

    if (!was_admin || stays_admin)
        return true;
    rc = od_members_other_admins(r->db, r->arena, r->vendor_id, user_id, &others, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    if (others == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "this is the vendor's last active admin: "
                        "make another member admin first");
        return false;
    }
    return true;
}

/* Loads the member (before) as JSON text and its role and status. */
static bool
load_member(od_request *r, const char *user_id, const char **json, const char **role,
            const char **status)
{
    PGresult *res = NULL;
    json_object *o, *v;
    od_rc rc = od_members_get(r->db, r->arena, r->vendor_id, user_id, &res);
    size_t off;
    const char *why;

    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, "the user is not a member of this vendor");
        return false;
    }
    *json = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    if (od_json_parse(*json, strlen(*json), &o, &off, &why) != OD_OK || o == NULL) {
        od_resp_problem(r, 500, NULL, "the member could not be read");
        return false;
    }
    od_json_own(r->arena, o);
    *role = json_object_object_get_ex(o, "role", &v) ? json_object_get_string(v) : "";
    *status = json_object_object_get_ex(o, "status", &v) ? json_object_get_string(v) : "";
    return true;
}

void
od_h_members_link_put(od_request *r)
{
    static const char *const known[] = { "role", "status" };
    const char *user_id = od_route_param(&r->match, "userId");
    json_object *body = od_req_json_object(r), *problem, *v;
    const char *role, *status = NULL, *before, *brole, *bstatus, *after;
    PGresult *res = NULL;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the link has invalid fields");
    od_fields_unknown(r, body, known, 2, problem);
    role = role_member(r, body, false, problem);
    if (json_object_object_get_ex(body, "status", &v)) {
        status = v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strcmp(status, "active") != 0 && strcmp(status, "suspended") != 0 &&
            strcmp(status, "revoked") != 0)
            od_problem_add_error(problem, "#/status", "must be active, suspended or revoked");
    }
    if (role == NULL && status == NULL && od_problem_error_count(problem) == 0)
        od_problem_add_error(problem, "#", "send role, status or both");
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (!load_member(r, user_id, &before, &brole, &bstatus) ||
        !keeps_an_admin(r, user_id, brole, bstatus, role ? role : brole,
                        status ? status : bstatus))
        return;
    rc = od_members_update(r->db, r->arena, r->vendor_id, user_id, role, status, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (PQntuples(res) == 0) {
        /* removed by a concurrent request since it was loaded */
        od_resp_problem(r, 404, NULL, "the user is not a member of this vendor");
        return;
    }
    after = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    rc = od_api_audit(r, "update", "user_links", user_id, before, after);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, NULL);
        return;
    }
    r->rows_written = 1;
    od_resp_send(r, 200, "application/json", NULL, after, strlen(after));
}

void
od_h_members_link_delete(od_request *r)
{
    const char *user_id = od_route_param(&r->match, "userId");
    const char *before, *brole, *bstatus;
    PGresult *res = NULL;
    od_rc rc;

    if (!load_member(r, user_id, &before, &brole, &bstatus) ||
        !keeps_an_admin(r, user_id, brole, bstatus, NULL, NULL))
        return;
    rc = od_members_remove(r->db, r->arena, r->vendor_id, user_id, &res);
    if (rc == OD_OK)
        rc = od_api_audit(r, "delete", "user_links", user_id, before, NULL);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_written = 1;
    od_resp_send(r, 204, "application/json", NULL, "", 0);
}
