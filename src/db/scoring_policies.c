/* scoring_policies.c: scoring_policies. "In force" is the vendor's active row, else
 * the global one (vendor_id NULL sorts last); the unique index of 007 keeps one
 * active row per scope. */
#include "db/scoring_policies.h"

#define POLICY_JSON(s) \
    "json_build_object('weights', " s ".weights, 'scope', CASE WHEN " s ".vendor_id IS NULL " \
    "THEN 'global' ELSE 'vendor' END, 'updated_at', " s ".updated_at)::text"

/* Parameters: $1 vendor, $2 the new weights. */
static od_stmt st_in_force = OD_STMT("scoring_policies_in_force",
    "SELECT " POLICY_JSON("s") ", s.vendor_id IS NOT NULL, coalesce(s.weights = $2::jsonb, false) "
    "FROM scoring_policies s WHERE s.active AND (s.vendor_id = $1::uuid OR s.vendor_id IS NULL) "
    "ORDER BY s.vendor_id NULLS LAST LIMIT 1", 2, true);

static od_stmt st_lock = OD_STMT("scoring_policies_lock",
    "SELECT pg_advisory_xact_lock(hashtext('scoring_policies'), hashtext($1))", 1, false);

static od_stmt st_deactivate = OD_STMT("scoring_policies_deactivate",
    "UPDATE scoring_policies SET active = false WHERE vendor_id = $1::uuid AND active", 1,
    false);

static od_stmt st_insert = OD_STMT("scoring_policies_insert",
    "INSERT INTO scoring_policies AS s (vendor_id, weights) VALUES ($1::uuid, $2::jsonb) "
    "RETURNING " POLICY_JSON("s"), 2, false);

static const od_policy_stmts stmts = { &st_lock, &st_in_force, &st_deactivate, &st_insert };

od_rc
od_scoring_policies_get(od_db *db, od_arena *a, const char *vendor_id, PGresult **res)
{
    const char *params[] = { vendor_id, NULL };

    return od_db_exec(db, a, &st_in_force, params, res);
}

od_rc
od_scoring_policies_put(od_db *db, od_arena *a, const char *vendor_id, const char *weights,
                        od_policy_write *out, PGresult **res)
{
    const char *params[] = { vendor_id, weights };

    return od_policy_rows_replace(db, a, &stmts, params, out, res);
}
