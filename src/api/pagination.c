/* pagination.c: cursors and pages of list endpoints. */
#include "api/pagination.h"

#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "http/cursor.h"
#include "http/problem.h"
#include "http/query.h"

#define OD_PAGE_MAX_BYTES ((size_t)32 * 1024 * 1024)

static const unsigned char *
cursor_key(const od_request *r, size_t *len)
{
    *len = strlen(r->cfg->cursor_secret);
    return (const unsigned char *)r->cfg->cursor_secret;
}

/* True when position is an array of exactly n strings. */
static bool
position_shape(json_object *position, size_t n)
{
    if (!json_object_is_type(position, json_type_array) ||
        json_object_array_length(position) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!json_object_is_type(json_object_array_get_idx(position, i), json_type_string))
            return false;
    }
    return true;
}

bool
od_page_begin(od_request *r, const char *sort, const char *filters, size_t nkeys,
              int *limit, json_object **position)
{
    bool bad_limit, bad_cursor;
    const char *l = od_query_get(r->arena, r->query, "limit", &bad_limit);
    const char *c = od_query_get(r->arena, r->query, "cursor", &bad_cursor);
    size_t keylen;
    const unsigned char *key = cursor_key(r, &keylen);

    *position = NULL;
    if (bad_limit || !od_query_limit(l, limit)) {
        od_resp_problem(r, 400, NULL, "limit must be a whole number from 0 to 200");
        return false;
    }
    if (bad_cursor || (c != NULL && (*c == '\0' ||
        od_cursor_decode(r->arena, key, keylen, c, r->vendor_id, sort, filters,
                         position) != OD_OK || !position_shape(*position, nkeys)))) {
        od_resp_problem(r, 400, NULL, "the cursor is not valid for this list: start again "
                        "without it, with the same filters");
        return false;
    }
    return true;
}

const char *
od_page_key(od_request *r, json_object *position, size_t i)
{
    json_object *v;

    if (position == NULL || i >= json_object_array_length(position))
        return NULL;
    v = json_object_array_get_idx(position, i);
    return json_object_is_type(v, json_type_string) ? od_arena_strdup(r->arena,
                                                                      json_object_get_string(v))
                                                    : NULL;
}

void
od_page_send(od_request *r, PGresult *res, int limit, const char *sort, const char *filters,
             const int *key_cols, size_t nkeys, const char *headers)
{
    int n = PQntuples(res), shown = n > limit ? limit : n;
    od_buf b;
    char *body, *cursor = NULL;
    size_t keylen;
    const unsigned char *key = cursor_key(r, &keylen);

    if (n > limit && shown > 0) {
        json_object *pos = od_json_own(r->arena, json_object_new_array());

        for (size_t k = 0; k < nkeys; k++)
            json_object_array_add(pos, json_object_new_string(PQgetvalue(res, shown - 1,
                                                                          key_cols[k])));
        cursor = od_cursor_encode(r->arena, key, keylen, r->vendor_id, sort, filters, pos);
    }
    od_buf_init(&b, OD_PAGE_MAX_BYTES);
    od_buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < shown; i++) {
        if (i > 0)
            od_buf_puts(&b, ",");
        od_buf_puts(&b, PQgetvalue(res, i, 0));
    }
    od_buf_puts(&b, "],\"next_cursor\":");
    od_buf_printf(&b, cursor ? "\"%s\"}" : "null}", cursor ? cursor : "");
    if (b.failed != OD_OK) {
        od_buf_free(&b);
        od_resp_problem(r, 500, NULL, "the page could not be built");
        return;
    }
    body = od_arena_strndup(r->arena, b.data, b.len);
    od_buf_free(&b);
    r->rows_read += shown;
    if (body == NULL) {
        od_resp_problem(r, 500, NULL, "the page could not be built");
        return;
    }
    od_resp_send(r, 200, "application/json", headers, body, strlen(body));
}
