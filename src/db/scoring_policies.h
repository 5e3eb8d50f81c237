/* scoring_policies.h: the scoring weights a vendor's matching uses (its active row,
 * else the global default) and the vendor's changes: each inserts a new active row
 * and keeps the previous one inactive as history, under a per vendor lock. Runs
 * under RLS in the request's transaction (docs/diet-rules.md). */
#ifndef OD_DB_SCORING_POLICIES_H
#define OD_DB_SCORING_POLICIES_H

#include "core/arena.h"
#include "db/db.h"
#include "db/policy_rows.h"

/* Documents here are {weights, scope, updated_at} as JSON text. */

/* The policy in force for the vendor: column 0 its document; no row when neither
 * the vendor nor the platform has one. */
od_rc od_scoring_policies_get(od_db *db, od_arena *a, const char *vendor_id, PGresult **res);

/* Makes weights (JSON text of valid weights) the vendor's active policy: a new row,
 * the previous active one deactivated. Weights equal to the vendor's active ones
 * write nothing (out->changed false). Writers of one vendor take turns (a
 * transaction advisory lock). */
od_rc od_scoring_policies_put(od_db *db, od_arena *a, const char *vendor_id,
                              const char *weights, od_policy_write *out, PGresult **res);

#endif
