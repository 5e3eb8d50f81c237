/* consents.h: a customer's consent records, append-only under RLS: every grant or
 * withdrawal is a new row, and the latest row of a type is the one in force. */
#ifndef OD_DB_CONSENTS_H
#define OD_DB_CONSENTS_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

/* Lists the customer's records newest first, after the position (after_ts,
 * after_id) (NULL: from the start), at most limit rows: column 0 is the record as
 * JSON text with "in_force" (the latest of its type), columns 1 and 2 its
 * timestamp and id. */
od_rc od_consents_page(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                       const char *after_ts, const char *after_id, int limit, PGresult **res);

/* Appends a record (granted is "true" or "false"); recorded_by is the caller's user
 * id. Returns the record as JSON text in column 0. */
od_rc od_consents_add(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                      const char *consent_type, const char *granted, const char *version,
                      const char *recorded_by, PGresult **res);

/* Sets *granted to whether the latest record of consent_type grants it (false when
 * there is none). */
od_rc od_consents_granted(od_db *db, od_arena *a, const char *vendor_id,
                          const char *customer_id, const char *consent_type, bool *granted,
                          PGresult **res);

#endif
