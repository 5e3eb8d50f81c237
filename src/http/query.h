/* query.h: the query string of a request (pure): percent-decoded parameters and
 * the list-endpoint `limit` rule. */
#ifndef OD_QUERY_H
#define OD_QUERY_H

#include <stdbool.h>

#include "core/arena.h"

#define OD_LIMIT_DEFAULT 50
#define OD_LIMIT_MAX 200

/* Returns the decoded value of the first parameter name in query (arena-owned),
 * "" for a name without "=", or NULL when absent. *bad is set when the value holds
 * an invalid percent escape or a NUL. */
const char *od_query_get(od_arena *a, const char *query, const char *name, bool *bad);

/* Parses a limit: absent or 0 means OD_LIMIT_DEFAULT, above OD_LIMIT_MAX is
 * clamped. Returns false for a negative or non-numeric value. */
bool od_query_limit(const char *value, int *limit);

#endif
