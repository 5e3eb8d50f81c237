/* cursor.h: opaque, tamper-proof pagination cursors (pure). A cursor carries the
 * keyset position of the last item and is bound, by an HMAC-SHA256 under a server
 * key, to the vendor, the sort and the filters it was made for: reused with other
 * filters, by another vendor, or modified, it is refused. */
#ifndef OD_CURSOR_H
#define OD_CURSOR_H

#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/status.h"

/* Returns an arena-owned cursor for the keyset position (a JSON array, borrowed),
 * bound to vendor, sort and filters (a canonical text of the filter values). */
char *od_cursor_encode(od_arena *a, const unsigned char *key, size_t keylen,
                       const char *vendor, const char *sort, const char *filters,
                       json_object *position);

/* Checks cursor and returns its keyset position (an arena-owned JSON array) in
 * *position. Returns OD_OK, or OD_EINVAL when it is malformed, forged, or made
 * for another vendor, sort or filter set. */
od_rc od_cursor_decode(od_arena *a, const unsigned char *key, size_t keylen,
                       const char *cursor, const char *vendor, const char *sort,
                       const char *filters, json_object **position);

#endif
