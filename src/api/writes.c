/* writes.c: validation problems, batches and preconditions of the write handlers. */
#include "api/writes.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "http/problem.h"

#define OD_ERRORS_SHOWN 500   /* a 422 lists at most this many field errors */
#define OD_ANSWER_MAX   ((size_t)64 * 1024 * 1024)

static void
add(void *arg, const char *pointer, const char *detail)
{
    od_writes *w = arg;

    if (od_problem_error_count(w->problem) < OD_ERRORS_SHOWN)
        od_problem_add_error(w->problem, pointer, detail);
}

void
od_writes_begin(od_writes *w, od_request *r, const char *detail)
{
    w->r = r;
    w->problem = od_problem_for(r, 422, OD_PT_VALIDATION, detail);
    w->issues = (od_issues){ add, w, 0 };
}

void
od_writes_issue(od_writes *w, const char *pointer, const char *detail)
{
    w->issues.count++;
    add(w, pointer, detail);
}

void
od_writes_fail(od_writes *w)
{
    if (w->issues.count > OD_ERRORS_SHOWN)
        json_object_object_add(w->problem, "errors_total",
                               json_object_new_int((int)w->issues.count));
    od_resp_problem_doc(w->r, w->problem, NULL);
}

json_object *
od_writes_batch(od_writes *w, size_t max, const char *noun)
{
    od_request *r = w->r;
    json_object *body = od_req_json_object(r), *items;
    size_t n;

    if (body == NULL)
        return NULL;
    json_object_object_foreach(body, key, value) {
        (void)value;
        if (strcmp(key, "items") != 0)
            od_writes_issue(w, od_arena_printf(r->arena, "#/%s",
                                               od_json_pointer_token(r->arena, key)),
                            "is not a field here: send {\"items\": [...]}");
    }
    if (!json_object_object_get_ex(body, "items", &items) || items == NULL ||
        !json_object_is_type(items, json_type_array)) {
        od_writes_issue(w, "#/items", od_arena_printf(r->arena, "is required: an array of 1 "
                                                      "to %zu %ss", max, noun));
        od_writes_fail(w);
        return NULL;
    }
    n = json_object_array_length(items);
    if (n > max) {
        od_resp_problem(r, 413, OD_PT_BODY_TOO_LARGE, od_arena_printf(r->arena, "a batch holds "
                        "at most %zu items; this one has %zu: split it", max, n));
        return NULL;
    }
    if (n == 0)
        od_writes_issue(w, "#/items", od_arena_printf(r->arena, "must hold at least one %s",
                                                      noun));
    return items;
}

typedef struct ext_ref {
    const char *external_id;
    size_t index;
} ext_ref;

static int
cmp_ext(const void *a, const void *b)
{
    const ext_ref *x = a, *y = b;
    int c = strcmp(x->external_id, y->external_id);

    return c != 0 ? c : (x->index < y->index ? -1 : x->index > y->index);
}

void
od_writes_repeats(od_writes *w, json_object *normalised, const char *noun)
{
    od_arena *a = w->r->arena;
    size_t n = json_object_array_length(normalised), k = 0;
    ext_ref *refs = od_arena_alloc(a, sizeof(*refs) * (n + 1));

    if (refs == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(normalised, i), *v, *ord;

        if (json_object_object_get_ex(item, "external_id", &v) &&
            json_object_object_get_ex(item, "ord", &ord))
            refs[k++] = (ext_ref){ json_object_get_string(v), (size_t)json_object_get_int(ord) };
    }
    qsort(refs, k, sizeof(*refs), cmp_ext);
    for (size_t i = 1; i < k; i++) {
        if (strcmp(refs[i].external_id, refs[i - 1].external_id) == 0)
            od_writes_issue(w, od_arena_printf(a, "#/items/%zu/external_id", refs[i].index),
                            od_arena_printf(a, "repeats #/items/%zu/external_id: each %s "
                                            "once per batch", refs[i - 1].index, noun));
    }
}

void
od_writes_answer(od_request *r, json_object *items, PGresult *res, int id_col, int status_col,
                 const char *tail)
{
    od_buf b;
    char *out;

    od_buf_init(&b, OD_ANSWER_MAX);
    od_buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < PQntuples(res); i++) {
        json_object *item = json_object_array_get_idx(items, (size_t)i), *ext = NULL;

        json_object_object_get_ex(item, "external_id", &ext);
        od_buf_printf(&b, "%s{\"external_id\":%s,\"id\":\"%s\",\"status\":\"%s\"}",
                      i ? "," : "", od_json_text(ext, NULL), PQgetvalue(res, i, id_col),
                      PQgetvalue(res, i, status_col));
        if (strcmp(PQgetvalue(res, i, status_col), "unchanged") != 0)
            r->rows_written++;
    }
    od_buf_printf(&b, "]%s}", tail);
    out = b.failed == OD_OK ? od_arena_strndup(r->arena, b.data, b.len) : NULL;
    od_buf_free(&b);
    if (out == NULL) {
        od_resp_problem(r, 500, NULL, "the answer could not be built");
        return;
    }
    od_resp_send(r, 200, "application/json", NULL, out, strlen(out));
}

json_object *
od_writes_current(od_request *r, const char *doc, const char *etag, const char *what)
{
    json_object *current;
    size_t off;
    const char *why;

    if (!od_req_if_match(r, etag)) {
        od_resp_problem(r, 412, NULL, od_arena_printf(r->arena, "the %s changed since you read "
                        "it (its ETag is now %s): read it again", what, etag));
        return NULL;
    }
    if (od_json_parse(doc, strlen(doc), &current, &off, &why) != OD_OK || current == NULL) {
        od_resp_problem(r, 500, NULL, od_arena_printf(r->arena, "the %s could not be read",
                                                      what));
        return NULL;
    }
    return od_json_own(r->arena, current);
}

void
od_writes_fixed(od_writes *w, json_object *body, json_object *current,
                bool (*read_only)(const char *member), const char *what)
{
    od_arena *a = w->r->arena;
    json_object *v;

    json_object_object_foreach(body, key, value) {
        if (read_only(key)) {
            od_writes_issue(w, od_arena_printf(a, "#/%s", od_json_pointer_token(a, key)),
                            "is set by the server and cannot be changed");
        } else if (strcmp(key, "external_id") == 0 &&
                   json_object_object_get_ex(current, "external_id", &v) &&
                   (value == NULL || strcmp(json_object_get_string(value),
                                            json_object_get_string(v)) != 0)) {
            od_writes_issue(w, "#/external_id", od_arena_printf(a, "cannot be changed: the "
                                                                "%s's id derives from it", what));
        }
    }
}
