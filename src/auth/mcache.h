/* mcache.h: a worker's memory of its callers' memberships (pure: the clock is a
 * parameter). An entry lives at most OD_MCACHE_TTL_MS, so a revoked, demoted or
 * suspended membership takes effect within that bound without a query per request. */
#ifndef OD_MCACHE_H
#define OD_MCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/tenancy.h"
#include "core/arena.h"

#define OD_MCACHE_TTL_MS 4000  /* under the 5 s revocation bound, with room for a request */

typedef struct od_mcache od_mcache;

/* Creates a cache of slots entries (a power of two is best). Caller frees with
 * od_mcache_destroy. Returns NULL when out of memory. */
od_mcache *od_mcache_create(size_t slots);

/* Frees the cache and every entry. Accepts NULL. */
void od_mcache_destroy(od_mcache *c);

/* Looks up the memberships of user as seen with target (the X-Vendor-Id, or NULL).
 * On a hit younger than the TTL copies them into out (arena-owned) and returns true. */
bool od_mcache_get(od_mcache *c, const char *user, const char *target, long now_ms,
                   od_arena *a, od_membership_set *out);

/* Remembers ms (copied) for user and target from now_ms. Out of memory is not an
 * error: the entry is simply not kept. */
void od_mcache_put(od_mcache *c, const char *user, const char *target, long now_ms,
                   const od_membership_set *ms);

#endif
