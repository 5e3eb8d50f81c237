/* vendor.c: GET and PATCH /api/v1/vendor: the caller's vendor (vendor_admin). PATCH
 * takes a merge patch of name and settings; status (suspend/activate) needs the
 * platform's vendor.status permission (a superadmin under break-glass). */
#include <string.h>

#include "api/api.h"
#include "api/handlers.h"
#include "auth/rbac.h"
#include "core/json.h"
#include "db/vendors.h"
#include "http/problem.h"

void
od_h_vendor_get(od_request *r)
{
    PGresult *res = NULL;
    const char *json;
    od_rc rc = od_vendors_get_json(r->db, r->arena, r->vendor_id, &json, &res);

    if (rc == OD_ENOTFOUND) {
        od_resp_problem(r, 404, NULL, "the vendor does not exist");
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_read = 1;
    od_resp_send(r, 200, "application/json", NULL, json, strlen(json));
}

/* The documented settings: name -> JSON type. */
static const struct {
    const char *name;
    json_type type;
} settings_known[] = {
    { "require_health_consent", json_type_boolean },
};

/* Validates the settings patch; adds errors to problem. */
static void
check_settings(od_request *r, json_object *settings, json_object *problem)
{
    if (!json_object_is_type(settings, json_type_object)) {
        od_problem_add_error(problem, "#/settings", "must be an object");
        return;
    }
    json_object_object_foreach(settings, key, value) {
        bool known = false;

        for (size_t i = 0; i < sizeof(settings_known) / sizeof(settings_known[0]); i++) {
            if (strcmp(key, settings_known[i].name) != 0)
                continue;
            known = true;
            if (value != NULL && !json_object_is_type(value, settings_known[i].type))
                od_problem_add_error(problem, od_arena_printf(r->arena, "#/settings/%s", key),
                                     "must be true, false or null (the default)");
        }
        if (!known)
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/settings/%s",
                                                          od_json_pointer_token(r->arena, key)),
                                 "is not a vendor setting");
    }
}

void
od_h_vendor_patch(od_request *r)
{
    json_object *body = od_req_json_object(r), *problem;
    const char *name = NULL, *status = NULL, *settings = NULL, *before, *after;
    PGresult *res = NULL;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the vendor has invalid fields");
    json_object_object_foreach(body, key, value) {
        if (strcmp(key, "name") == 0) {
            name = value && json_object_is_type(value, json_type_string)
                       ? json_object_get_string(value) : NULL;
            if (name == NULL || name[0] == '\0' || strlen(name) > 200)
                od_problem_add_error(problem, "#/name", "must be a string of 1 to 200 characters");
        } else if (strcmp(key, "settings") == 0) {
            if (value == NULL) {
                settings = "{\"require_health_consent\": null}";  /* null: all defaults */
            } else {
                check_settings(r, value, problem);
                settings = json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN);
            }
        } else if (strcmp(key, "status") == 0) {
            status = value && json_object_is_type(value, json_type_string)
                         ? json_object_get_string(value) : "";
            if (strcmp(status, "active") != 0 && strcmp(status, "suspended") != 0)
                od_problem_add_error(problem, "#/status", "must be active or suspended");
        } else {
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s",
                                                          od_json_pointer_token(r->arena, key)),
                                 "is not a field of the vendor (id, catalog_version and the "
                                 "timestamps are read-only)");
        }
    }
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (status != NULL && (r->perms & OD_PERM_VENDOR_STATUS) == 0) {
        od_resp_problem(r, 403, NULL, "only a platform admin (break-glass) may suspend or "
                        "activate a vendor");
        return;
    }
    rc = od_vendors_get_json(r->db, r->arena, r->vendor_id, &before, &res);
    if (rc == OD_OK)
        rc = od_vendors_update_json(r->db, r->arena, r->vendor_id, name, settings, status,
                                    &after, &res);
    if (rc == OD_OK)
        rc = od_api_audit(r, "update", "vendors", r->vendor_id, before, after);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_written = 1;
    od_resp_send(r, 200, "application/json", NULL, after, strlen(after));
}
