/* synonyms.c: /api/v1/synonyms/:set and /:set/:id for the header dictionary
 * (CSV header -> field, per mode) and the value dictionary (value -> canonical, per
 * domain). Scopes work as in taxonomy.c: global rows read-only inside a vendor, a
 * platform admin outside any vendor manages them. A word maps to one canonical per
 * scope and mode/domain (409); every write is audited. */
#include <math.h>
#include <string.h>

#include "api/api.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "core/json.h"
#include "core/uuid.h"
#include "db/synonyms.h"
#include "http/problem.h"
#include "http/query.h"

#define OD_SYN_CANONICAL_MAX 64
#define OD_SYN_WORD_MAX 200
#define OD_SYN_WORDS_MAX 500
#define OD_SYN_OPS_MAX 20

static const char *const modes[] = { "products", "customers" };
static const char *const domains[] = { "allergen", "condition", "unit", "diet", "gender",
                                       "activity" };

static bool
one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

static bool
is_group(od_syn_set s, const char *g)
{
    return s == OD_SYN_HEADER ? one_of(g, modes, 2) : one_of(g, domains, 6);
}

static const char *
group_name(od_syn_set s)
{
    return s == OD_SYN_HEADER ? "mode" : "domain";
}

/* The set of the path; answers 404 and returns false for another name. */
static bool
set_of(od_request *r, od_syn_set *s)
{
    if (od_synonyms_set(od_route_param(&r->match, "set"), s))
        return true;
    od_resp_problem(r, 404, NULL, "no such dictionary: use header or value");
    return false;
}

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
od_h_synonyms_list(od_request *r)
{
    od_syn_set s;
    const char *group, *scope, *sort, *filters, *gname;
    json_object *position, *problem;
    od_syn_filter f;
    PGresult *res = NULL;
    bool bad_g, bad_s;
    int limit;
    od_rc rc;
    static const int keys[] = { 1, 2 };

    if (!set_of(r, &s))
        return;
    gname = group_name(s);
    group = od_query_get(r->arena, r->query, gname, &bad_g);
    scope = od_query_get(r->arena, r->query, "scope", &bad_s);
    if (group != NULL && *group == '\0')
        group = NULL;
    if (scope != NULL && *scope == '\0')
        scope = NULL;
    problem = od_problem_for(r, 400, NULL, "a filter is malformed");
    if (bad_g || (group != NULL && !is_group(s, group)))
        od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", gname),
                             s == OD_SYN_HEADER ? "must be products or customers" :
                             "must be allergen, condition, unit, diet, gender or activity");
    if (bad_s || (scope && strcmp(scope, "global") != 0 && strcmp(scope, "vendor") != 0))
        od_problem_add_error(problem, "#/scope", "must be global or vendor");
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    sort = od_arena_printf(r->arena, "%s:canonical", od_synonyms_table(s));
    filters = od_arena_printf(r->arena, "%s=%s&scope=%s", gname, group ? group : "",
                              scope ? scope : "");
    if (!od_page_begin(r, sort, filters, 2, &limit, &position))
        return;
    f = (od_syn_filter){ .group = group, .scope = scope,
                         .after_canonical = od_page_key(r, position, 0),
                         .after_id = od_page_key(r, position, 1), .limit = limit + 1 };
    rc = od_synonyms_list(r->db, r->arena, s, r->vendor_id, &f, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, sort, filters, keys, 2, NULL);
}

void
od_h_synonyms_get(od_request *r)
{
    od_syn_set s;
    const char *id = set_of(r, &s) ? id_of(r) : NULL, *row;
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_synonyms_get(r->db, r->arena, s, r->vendor_id, id, &res);
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

/* What a create or patch body says; NULL members were not sent. */
typedef struct syn_body {
    const char *group;
    const char *canonical;
    const char *words;       /* the synonyms as JSON array text */
    const char *ops;         /* transform_ops as JSON array text (header) */
    const char *confidence;  /* (header) */
} syn_body;

/* Canonical: values ^[a-z0-9][a-z0-9_]*$, headers ^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$;
 * at most OD_SYN_CANONICAL_MAX characters. */
static bool
canonical_ok(od_syn_set s, const char *c)
{
    bool start = true;
    int dots = 0;

    if (strlen(c) > OD_SYN_CANONICAL_MAX)
        return false;
    if (s == OD_SYN_VALUE)
        return od_fields_code(c, OD_SYN_CANONICAL_MAX, true);
    for (const char *p = c; *p; p++) {
        if (start) {
            if (*p < 'a' || *p > 'z')
                return false;
            start = false;
        } else if (*p == '.') {
            if (++dots > 1)
                return false;
            start = true;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            return false;
        }
    }
    return !start;
}

/* Reads the members of body into b, adding errors to problem. */
static void
read_body(od_request *r, od_syn_set s, json_object *body, bool create, syn_body *b,
          json_object *problem)
{
    static const char *const known_header[] = { "mode", "canonical", "synonyms",
                                                "transform_ops", "confidence" };
    static const char *const known_value[] = { "domain", "canonical", "synonyms" };
    const char *gname = group_name(s);
    json_object *v;

    memset(b, 0, sizeof(*b));
    if (s == OD_SYN_HEADER)
        od_fields_unknown(r, body, known_header, 5, problem);
    else
        od_fields_unknown(r, body, known_value, 3, problem);
    if (od_fields_has(body, gname, &v)) {
        if (v != NULL && json_object_is_type(v, json_type_string) &&
            is_group(s, json_object_get_string(v)))
            b->group = json_object_get_string(v);
        else
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", gname),
                                 s == OD_SYN_HEADER ? "must be products or customers" :
                                 "must be allergen, condition, unit, diet, gender or activity");
    } else if (create) {
        od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", gname), "is required");
    }
    if (od_fields_has(body, "canonical", &v)) {
        if (v != NULL && json_object_is_type(v, json_type_string) &&
            canonical_ok(s, json_object_get_string(v)))
            b->canonical = json_object_get_string(v);
        else
            od_problem_add_error(problem, "#/canonical", s == OD_SYN_HEADER ?
                                 "must match ^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?$ "
                                 "(at most 64 characters)" :
                                 "must match ^[a-z0-9][a-z0-9_]*$ (at most 64 characters)");
    } else if (create) {
        od_problem_add_error(problem, "#/canonical", "is required");
    }
    if (od_fields_has(body, "synonyms", &v)) {
        size_t n = v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
        bool ok = v != NULL && json_object_is_type(v, json_type_array) && n <= OD_SYN_WORDS_MAX;

        if (!ok)
            od_problem_add_error(problem, "#/synonyms", od_arena_printf(r->arena,
                                 "must be an array of at most %d strings", OD_SYN_WORDS_MAX));
        for (size_t i = 0; ok && i < n; i++) {
            json_object *w = json_object_array_get_idx(v, i);

            if (w == NULL || !json_object_is_type(w, json_type_string) ||
                json_object_get_string_len(w) > OD_SYN_WORD_MAX * 4) {
                od_problem_add_error(problem, od_arena_printf(r->arena, "#/synonyms/%zu", i),
                                     "must be a string of 1 to 200 characters");
                ok = false;
            }
        }
        if (ok)
            b->words = od_arena_strdup(r->arena, od_json_text(v, NULL));
    }
    if (s == OD_SYN_HEADER && od_fields_has(body, "transform_ops", &v)) {
        size_t n = v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
        bool ok = v != NULL && json_object_is_type(v, json_type_array) && n <= OD_SYN_OPS_MAX;

        for (size_t i = 0; ok && i < n; i++) {
            json_object *op = json_object_array_get_idx(v, i);
            const char *t = op && json_object_is_type(op, json_type_string)
                            ? json_object_get_string(op) : "";
            const char *colon = strchr(t, ':');
            char *name = od_arena_strndup(r->arena, t, colon ? (size_t)(colon - t) : strlen(t));

            if (name == NULL || !od_fields_code(name, 32, false) ||
                (colon && !od_fields_code(colon + 1, 32, false)))
                ok = false;
        }
        if (ok)
            b->ops = od_arena_strdup(r->arena, od_json_text(v, NULL));
        else
            od_problem_add_error(problem, "#/transform_ops", "must be an array of at most 20 "
                                 "op names such as \"trim\" or \"parse_quantity:mg\"");
    }
    if (s == OD_SYN_HEADER && od_fields_has(body, "confidence", &v)) {
        double c = v && (json_object_is_type(v, json_type_double) ||
                         json_object_is_type(v, json_type_int)) ? json_object_get_double(v) : -1;

        /* stored as numeric(3,2): 0 < c <= 1 with two decimals */
        if (isfinite(c) && c >= 0.01 && c <= 1.0)
            b->confidence = od_arena_printf(r->arena, "%.2f",
                                            (double)(long)(c * 100 + 0.5) / 100.0);
        else
            od_problem_add_error(problem, "#/confidence", "must be a number above 0 and at "
                                 "most 1 (two decimals)");
    }
}

/* Normalises b->words in SQL and adds an error per empty or repeated word (or one
 * equal to canonical). Returns false only after answering a database failure. */
static bool
check_words(od_request *r, const char *words, const char *canonical, json_object *problem)
{
    PGresult *res = NULL;
    od_rc rc = od_synonyms_normalize(r->db, r->arena, words, canonical, &res);

    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        const char *why = PQgetvalue(res, i, 1)[0] == 't' ? "must not be empty" :
                          PQgetvalue(res, i, 2)[0] == 't' ? "repeats an earlier synonym "
                                                            "(compared lower-cased and trimmed)" :
                          PQgetvalue(res, i, 3)[0] == 't' ? "is the canonical itself" : NULL;

        if (why != NULL)
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/synonyms/%d", i), why);
    }
    return true;
}

/* The checks that need the database, for the row as it will be (self_id NULL on
 * create): the words, an allergen canonical's taxonomy row, and a word already
 * mapped to another canonical in this scope (409). Returns false after answering. */
static bool
check_row(od_request *r, od_syn_set s, const char *self_id, const char *group,
          const char *canonical, const char *words, bool check_allergen, json_object *problem)
{
    const char *word, *other;
    PGresult *res = NULL;
    bool ok;
    od_rc rc;

    if (words != NULL && !check_words(r, words, canonical, problem))
        return false;
    if (check_allergen && s == OD_SYN_VALUE && strcmp(group, "allergen") == 0) {
        rc = od_synonyms_allergen_ok(r->db, r->arena, r->vendor_id, canonical, &ok, &res);
        if (rc != OD_OK) {
            od_api_db_fail(r, rc, res);
            return false;
        }
        if (!ok)
            od_problem_add_error(problem, "#/canonical", "must be the code of an active "
                                 "allergen (GET /api/v1/taxonomy/allergens)");
    }
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return false;
    }
    rc = od_synonyms_conflict(r->db, r->arena, s, r->vendor_id, group, self_id, canonical,
                              words, &word, &other, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    if (word != NULL) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena, "\"%s\" already "
                        "maps to %s in this scope and %s %s: a word maps to one canonical",
                        word, other, group_name(s), group));
        return false;
    }
    return true;
}

/* Audits and answers a write (od_api_write_answer) for this set. */
static void
answer_write(od_request *r, int status, const char *action, od_syn_set s, const char *id,
             const char *before, const char *after)
{
    od_api_write_answer(r, status, action, od_synonyms_table(s),
                        od_arena_printf(r->arena, "/api/v1/synonyms/%s", od_route_param(&r->match, "set")),
                        id, before, after);
}

void
od_h_synonyms_create(od_request *r)
{
    od_syn_set s;
    json_object *body = set_of(r, &s) ? od_req_json_object(r) : NULL, *problem;
    const char *row, *id;
    PGresult *res = NULL;
    syn_body b;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the row has invalid fields");
    read_body(r, s, body, true, &b, problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (!check_row(r, s, NULL, b.group, b.canonical, b.words, true, problem))
        return;
    rc = od_synonyms_insert(r->db, r->arena, s, r->vendor_id, b.group, b.canonical, b.words,
                            b.ops, b.confidence, &res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "23505") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena, "%s already has a "
                        "row for %s in this scope: change that one", od_synonyms_table(s),
                        b.canonical));
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    row = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    id = od_arena_strdup(r->arena, PQgetvalue(res, 0, 1));
    answer_write(r, 201, "create", s, id, NULL, row);
}

/* Locks the row the caller may change, as taxonomy.c does: 404 when not visible,
 * 403 for a global row seen from a vendor. res keeps the lock's columns. */
static bool
lock_row(od_request *r, od_syn_set s, const char *id, PGresult **res)
{
    od_rc rc = od_synonyms_lock(r->db, r->arena, s, r->vendor_id, id, res);

    if (rc == OD_OK && PQntuples(*res) == 1)
        return true;
    if (rc == OD_OK)
        rc = od_synonyms_get(r->db, r->arena, s, r->vendor_id, id, res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, *res);
        return false;
    }
    if (PQntuples(*res) == 1)
        od_resp_problem(r, 403, NULL, "global rows are read-only inside a vendor: create a "
                        "row of your own (it overrides the global words in your vendor)");
    else
        od_resp_problem(r, 404, NULL, "no such row");
    return false;
}

void
od_h_synonyms_patch(od_request *r)
{
    od_syn_set s;
    const char *id = set_of(r, &s) ? id_of(r) : NULL, *before, *group, *canonical, *after;
    json_object *body = id ? od_req_json_object(r) : NULL, *problem;
    PGresult *res = NULL;
    syn_body b;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the row has invalid fields");
    read_body(r, s, body, false, &b, problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (!lock_row(r, s, id, &res))
        return;
    before = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    group = od_arena_strdup(r->arena, PQgetvalue(res, 0, 1));
    canonical = b.canonical ? b.canonical : od_arena_strdup(r->arena, PQgetvalue(res, 0, 2));
    if (b.group != NULL && strcmp(b.group, group) != 0) {
        od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", group_name(s)),
                             "cannot change: create a row in the other one");
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (!check_row(r, s, id, group, canonical,
                   b.words ? b.words : od_arena_strdup(r->arena, PQgetvalue(res, 0, 3)),
                   b.canonical != NULL, problem))
        return;
    rc = od_synonyms_update(r->db, r->arena, s, r->vendor_id, id, b.canonical, b.words, b.ops,
                            b.confidence, &res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "23505") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, od_arena_printf(r->arena, "%s already has a "
                        "row for %s in this scope", od_synonyms_table(s), canonical));
        return;
    }
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, "no such row");
        return;
    }
    after = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    answer_write(r, 200, "update", s, id, before, after);
}

void
od_h_synonyms_delete(od_request *r)
{
    od_syn_set s;
    const char *id = set_of(r, &s) ? id_of(r) : NULL, *before;
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL || !lock_row(r, s, id, &res))
        return;
    before = od_arena_strdup(r->arena, PQgetvalue(res, 0, 0));
    rc = od_synonyms_delete(r->db, r->arena, s, r->vendor_id, id, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, "no such row");
        return;
    }
    answer_write(r, 204, "delete", s, id, before, NULL);
}
