/* diet_rules.h: the diet rule policies a vendor sees (its own active version of a
 * condition over the global template) and the vendor's versions: a change inserts a
 * new version and deactivates the previous one, under a per vendor and condition
 * lock. Runs under RLS in the request's transaction (docs/diet-rules.md). */
#ifndef OD_DB_DIET_RULES_H
#define OD_DB_DIET_RULES_H

#include "core/arena.h"
#include "db/db.h"
#include "db/policy_rows.h"

/* Documents here are {condition_code, version, scope, policy, active, created_at,
 * updated_at} as JSON text. */

/* Lists the rules in force for the vendor, one per condition code (the vendor's
 * active version over the global one), ordered by code, after after_code (NULL:
 * from the start), at most limit rows: column 0 the document, column 1 the code. */
od_rc od_diet_rules_page(od_db *db, od_arena *a, const char *vendor_id, const char *after_code,
                         int limit, PGresult **res);

/* The rule in force for condition_code (a valid code): column 0 its document;
 * no row when neither the vendor nor the platform has one. */
od_rc od_diet_rules_get(od_db *db, od_arena *a, const char *vendor_id,
                        const char *condition_code, PGresult **res);

/* Makes policy (JSON text of a valid policy) the vendor's active version of
 * condition_code: version = the vendor's highest version of it + 1, the previous
 * active one deactivated. A policy equal to the vendor's active version writes
 * nothing (out->changed false). Writers of one vendor and condition take turns
 * (a transaction advisory lock), so versions never repeat. */
od_rc od_diet_rules_put(od_db *db, od_arena *a, const char *vendor_id,
                        const char *condition_code, const char *policy,
                        od_policy_write *out, PGresult **res);

/* Deactivates the vendor's active version of condition_code (its history stays),
 * so the global template, if any, is in force again; out->before is the version
 * deactivated. Returns OD_ENOTFOUND when the vendor has no active version of it. */
od_rc od_diet_rules_revert(od_db *db, od_arena *a, const char *vendor_id,
                           const char *condition_code, od_policy_write *out,
                           PGresult **res);

#endif
