/* pagination.h: the list convention every list endpoint shares: `limit` and a
 * signed `cursor` in, {"items": [...], "next_cursor": "..." | null} out, keyset
 * seeks (never OFFSET). */
#ifndef OD_PAGINATION_H
#define OD_PAGINATION_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "http/request.h"

/* Reads `limit` and `cursor` of r for a list sorted by sort with the canonical
 * filter text filters, whose keyset position has nkeys members. On success *limit
 * is set and *position is the position (NULL on the first page), nkeys strings.
 * Answers 400 and returns false when either is malformed, forged, made for
 * another vendor, sort or filter set, or of another shape. */
bool od_page_begin(od_request *r, const char *sort, const char *filters, size_t nkeys,
                   int *limit, json_object **position);

/* Returns keyset member i of position as text (arena-owned), or NULL. */
const char *od_page_key(od_request *r, json_object *position, size_t i);

/* Sends the page: res holds up to limit + 1 rows whose column 0 is an item as JSON
 * text; the extra row only says that there is more. The next cursor carries the
 * columns key_cols[0..nkeys) of the last item sent. headers: extra header lines
 * (each ending in CRLF) or NULL. */
void od_page_send(od_request *r, PGresult *res, int limit, const char *sort,
                  const char *filters, const int *key_cols, size_t nkeys, const char *headers);

#endif
