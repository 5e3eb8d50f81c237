/* taxonomy.c: /api/v1/taxonomy/:kind and /:kind/:id for categories, tags,
 * allergens, cuisines and certifications. In a vendor: global rows are read-only
 * (403), the vendor's own are managed with taxonomy.manage. A platform admin
 * outside any vendor manages the global rows. Every write is audited. */
#include <string.h>

#include "api/api.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "core/uuid.h"
#include "db/taxonomy.h"
#include "http/problem.h"
#include "http/query.h"

#define OD_TAX_LABEL_MAX 200
#define OD_TAX_CODE_MAX 64

/* The kind of the path, or NULL after answering 404. */
static const od_tax_kind *
kind_of(od_request *r)
{
    const od_tax_kind *k = od_taxonomy_kind(od_route_param(&r->match, "kind"));

    if (k == NULL)
        od_resp_problem(r, 404, NULL, "no such taxonomy: use categories, tags, allergens, "
                        "cuisines or certifications");
    return k;
}

/* The row id of the path (canonical), or NULL after answering 404. */
static const char *
id_of(od_request *r)
{
    char *id = od_arena_alloc(r->arena, 37);

    if (id == NULL || !od_uuid_canonical(od_route_param(&r->match, "id"), id)) {
        od_resp_problem(r, 404, NULL, "no such row");
        return NULL;
    }
    return id;
}

void
od_h_taxonomy_list(od_request *r)
{
    const od_tax_kind *k = kind_of(r);
    const char *active, *scope, *sort, *filters;
    json_object *position, *problem;
    od_tax_filter f = { 0 };
    PGresult *res = NULL;
    bool bad_a, bad_s;
    int limit;
    od_rc rc;
    static const int keys[] = { 1, 2 };

    if (k == NULL)
        return;
    active = od_query_get(r->arena, r->query, "active", &bad_a);
    scope = od_query_get(r->arena, r->query, "scope", &bad_s);
    problem = od_problem_for(r, 400, NULL, "a filter is malformed");
    if (active != NULL && *active == '\0')
        active = NULL;
    if (scope != NULL && *scope == '\0')
        scope = NULL;
    if (bad_a || (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0))
        od_problem_add_error(problem, "#/active", "must be true or false");
    if (bad_s || (scope && strcmp(scope, "global") != 0 && strcmp(scope, "vendor") != 0))
        od_problem_add_error(problem, "#/scope", "must be global or vendor");
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    /* The cursor is bound to the kind (through the sort) and to the filters. */
    sort = od_arena_printf(r->arena, "%s:code", od_taxonomy_table(k));
    filters = od_arena_printf(r->arena, "active=%s&scope=%s", active ? active : "",
                              scope ? scope : "");
    if (!od_page_begin(r, sort, filters, 2, &limit, &position))
        return;
    f = (od_tax_filter){ .active = active, .scope = scope,
                         .after_code = od_page_key(r, position, 0),
                         .after_id = od_page_key(r, position, 1), .limit = limit + 1 };
    rc = od_taxonomy_list(r->db, r->arena, k, r->vendor_id, &f, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, sort, filters, keys, 2, NULL);
}

void
od_h_taxonomy_get(od_request *r)
{
    const od_tax_kind *k = kind_of(r);
    const char *id = k ? id_of(r) : NULL, *row;
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_taxonomy_get(r->db, r->arena, k, r->vendor_id, id, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, "no such row");
        return;
    }
    row = PQgetvalue(res, 0, 0);
    r->rows_read = 1;
    od_resp_send(r, 200, "application/json", NULL, row, strlen(row));
}

/* Checks parent_id for the row id (NULL on create): it must name a visible row of
 * the same kind, and (on a change) must not make the row its own ancestor. Adds
 * to problem; returns false only after answering a database failure. */
static bool
check_parent(od_request *r, const od_tax_kind *k, const char *id, const char *parent_id,
             json_object *problem)
{
    PGresult *res = NULL;
    bool ok, cycle;
    od_rc rc = od_taxonomy_parent_visible(r->db, r->arena, k, r->vendor_id, parent_id, &ok, &res);

    if (rc == OD_OK && !ok) {
        od_problem_add_error(problem, "#/parent_id", od_arena_printf(r->arena,
                             "must name a row of %s that you can see", od_taxonomy_table(k)));
        return true;
    }
    if (rc == OD_OK && id != NULL) {
        rc = od_taxonomy_would_cycle(r->db, r->arena, k, r->vendor_id, id, parent_id, &cycle,
                                     &res);
        if (rc == OD_OK && cycle)
            od_problem_add_error(problem, "#/parent_id", "would make a cycle: the row would "
                                 "be its own ancestor");
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    return true;
}

/* Reads parent_id: absent (*set false), null, or a uuid. */
static const char *
parent_member(od_request *r, json_object *body, bool *set, json_object *problem)
{
    json_object *v;
    char *id;

    *set = od_fields_has(body, "parent_id", &v);
    if (!*set || v == NULL)
        return NULL;
    id = od_arena_alloc(r->arena, 37);
    if (id != NULL && json_object_is_type(v, json_type_string) &&
        od_uuid_canonical(json_object_get_string(v), id))
        return id;
    od_problem_add_error(problem, "#/parent_id", "must be the id (a uuid) of a row, or null");
    return NULL;
}

/* Reads code: exactly ^[a-z0-9][a-z0-9_]{0,63}$ (not trimmed). */
static const char *
code_member(od_request *r, json_object *body, bool required, json_object *problem)
{
    json_object *v;

    if (!od_fields_has(body, "code", &v)) {
        if (required)
            od_problem_add_error(problem, "#/code", "is required");
        return NULL;
    }
    if (v != NULL && json_object_is_type(v, json_type_string) &&
        od_fields_code(json_object_get_string(v), OD_TAX_CODE_MAX, true))
        return od_arena_strdup(r->arena, json_object_get_string(v));
    od_problem_add_error(problem, "#/code", "must match ^[a-z0-9][a-z0-9_]{0,63}$");
    return NULL;
}

/* Audits and answers a write (od_api_write_answer) for this kind. */
static void
answer_write(od_request *r, int status, const char *action, const od_tax_kind *k, const char *id,
             const char *before, const char *after)
{
    od_api_write_answer(r, status, action, od_taxonomy_table(k),
                        od_arena_printf(r->arena, "/api/v1/taxonomy/%s", od_route_param(&r->match, "kind")),
                        id, before, after);
}

void
od_h_taxonomy_create(od_request *r)
{
    static const char *const known[] = { "code", "label", "parent_id", "active" };
    const od_tax_kind *k = kind_of(r);
    json_object *body = k ? od_req_json_object(r) : NULL, *problem;
    const char *code, *label, *parent, *row, *id;
    PGresult *res = NULL;
    bool has_parent;
    int active;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the row has invalid fields");
    od_fields_unknown(r, body, known, 4, problem);
    code = code_member(r, body, true, problem);
    label = od_fields_text(r, body, "label", OD_TAX_LABEL_MAX, true, problem);
    parent = parent_member(r, body, &has_parent, problem);
    active = od_fields_bool(r, body, "active", problem);
    if (parent != NULL && !check_parent(r, k, NULL, parent, problem))
        return;
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    rc = od_taxonomy_insert(r->db, r->arena, k, r->vendor_id, code, label, parent,
                            active < 0 ? NULL : active ? "true" : "false", &res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "23505") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena, "the code %s is "
                        "already taken in this scope of %s", code, od_taxonomy_table(k)));
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    row = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    id = od_arena_strdup(r->arena, PQgetvalue(res, 0, 1));
    answer_write(r, 201, "create", k, id, NULL, row);
}

/* Locks the row the caller may change. Answers 404 (not visible) or 403 (a global
 * row seen from a vendor) and returns NULL otherwise; *code is the row's code. */
static const char *
lock_row(od_request *r, const od_tax_kind *k, const char *id, const char **code)
{
    PGresult *res = NULL;
    od_rc rc = od_taxonomy_lock(r->db, r->arena, k, r->vendor_id, id, &res);

    if (rc == OD_OK && PQntuples(res) == 1) {
        *code = od_arena_strdup(r->arena, PQgetvalue(res, 0, 1));
        return od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    }
    if (rc == OD_OK)
        rc = od_taxonomy_get(r->db, r->arena, k, r->vendor_id, id, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return NULL;
    }
    if (PQntuples(res) == 1)
        od_resp_problem(r, 403, NULL, "global rows are read-only inside a vendor: create a "
                        "row of your own (it may reuse the code) or ask the platform team");
    else
        od_resp_problem(r, 404, NULL, "no such row");
    return NULL;
}

void
od_h_taxonomy_patch(od_request *r)
{
    static const char *const known[] = { "code", "label", "parent_id", "active" };
    const od_tax_kind *k = kind_of(r);
    const char *id = k ? id_of(r) : NULL, *code, *label, *parent, *before, *bcode, *after;
    json_object *body = id ? od_req_json_object(r) : NULL, *problem;
    PGresult *res = NULL;
    bool has_parent;
    int active;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the row has invalid fields");
    od_fields_unknown(r, body, known, 4, problem);
    code = code_member(r, body, false, problem);
    label = od_fields_text(r, body, "label", OD_TAX_LABEL_MAX, false, problem);
    parent = parent_member(r, body, &has_parent, problem);
    active = od_fields_bool(r, body, "active", problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if ((before = lock_row(r, k, id, &bcode)) == NULL)
        return;
    /* Codes are what products store (tags, allergens, certifications): a rename
     * would orphan them silently, so a code never changes. */
    if (code != NULL && strcmp(code, bcode) != 0)
        od_problem_add_error(problem, "#/code", "cannot change: create a row with the new "
                             "code and deactivate this one");
    if (parent != NULL && !check_parent(r, k, id, parent, problem))
        return;
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    rc = od_taxonomy_update(r->db, r->arena, k, r->vendor_id, id, label, has_parent, parent,
                            active < 0 ? NULL : active ? "true" : "false", &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, "no such row");
        return;
    }
    after = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    answer_write(r, 200, "update", k, id, before, after);
}

void
od_h_taxonomy_delete(od_request *r)
{
    const od_tax_kind *k = kind_of(r);
    const char *id = k ? id_of(r) : NULL, *before, *code, *why;
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL || (before = lock_row(r, k, id, &code)) == NULL)
        return;
    rc = od_taxonomy_in_use(r->db, r->arena, k, id, &why, &res);
    if (rc == OD_OK && why == NULL)
        rc = od_taxonomy_delete(r->db, r->arena, k, r->vendor_id, id, &res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "23503") == 0)
        why = "products";
    else if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (why != NULL) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena, "the row is in use "
                        "(%s refer to it): deactivate it instead with PATCH {\"active\": false}",
                        strcmp(why, "children") == 0 ? "child rows" :
                        strcmp(why, "synonyms") == 0 ? "allergen value synonyms" : "products"));
        return;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, "no such row");
        return;
    }
    answer_write(r, 204, "delete", k, id, before, NULL);
}
