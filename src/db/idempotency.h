/* idempotency.h: stored outcomes of idempotent requests (idempotency_keys) and
 * the session advisory lock that marks a key in flight. */
#ifndef OD_DB_IDEMPOTENCY_H
#define OD_DB_IDEMPOTENCY_H

#include <stdbool.h>

#include "db/db.h"

/* Tries to take the session-level advisory lock lock_id (decimal text), without
 * waiting. Returns OD_OK with *locked telling whether it was taken, else the
 * failure (then *locked is false). */
od_rc od_idem_try_lock(od_db *db, od_arena *a, const char *lock_id, bool *locked,
                       PGresult **res);

/* Releases the lock (outside any transaction). Returns OD_OK, or the failure. */
od_rc od_idem_unlock(od_db *db, od_arena *a, const char *lock_id);

/* Reads the unexpired outcome stored for (vendor, key). Row 0, when there is one:
 * request_hash hex, method, path, status, content type, extra header lines, body. */
od_rc od_idem_find(od_db *db, od_arena *a, const char *vendor_id, const char *key,
                   PGresult **res);

/* What a stored outcome holds. */
typedef struct od_idem_outcome {
    const char *vendor_id, *key, *method, *path, *request_hash_hex, *user_id;
    int status;
    const char *content_type;
    const char *headers;        /* extra header lines, or NULL */
    const char *body;           /* UTF-8 text */
} od_idem_outcome;

/* Stores the outcome (replacing an expired row of the same key), retained 24 h. */
od_rc od_idem_store(od_db *db, od_arena *a, const od_idem_outcome *o, PGresult **res);

#endif
