/* diet_rules.c: diet_rules. "In force" is the vendor's active row of a condition,
 * else the global one (vendor_id NULL sorts last); the unique indexes of 007 keep
 * one active row per scope and condition and one row per version. */
#include "db/diet_rules.h"

#define RULE_JSON(d) \
    "json_build_object('condition_code', " d ".condition_code, 'version', " d ".version, " \
    "'scope', CASE WHEN " d ".vendor_id IS NULL THEN 'global' ELSE 'vendor' END, " \
    "'policy', " d ".policy, 'active', " d ".active, 'created_at', " d ".created_at, " \
    "'updated_at', " d ".updated_at)::text"

/* The rows the vendor sees of one condition: its own and the global ones. */
#define SEEN(d) "(" d ".vendor_id = $1::uuid OR " d ".vendor_id IS NULL)"

static od_stmt st_page = OD_STMT("diet_rules_page",
    "SELECT " RULE_JSON("d") ", d.condition_code FROM ("
    "SELECT DISTINCT ON (r.condition_code) r.* FROM diet_rules r WHERE r.active AND " SEEN("r")
    " AND ($2::text IS NULL OR r.condition_code > $2) "
    "ORDER BY r.condition_code, r.vendor_id NULLS LAST) d "
    "ORDER BY d.condition_code LIMIT $3::int", 3, true);

/* Parameters of the rest: $1 vendor, $2 condition code, $3 the new policy. */
static od_stmt st_in_force = OD_STMT("diet_rules_in_force",
    "SELECT " RULE_JSON("d") ", d.vendor_id IS NOT NULL, coalesce(d.policy = $3::jsonb, false) "
    "FROM diet_rules d WHERE d.active AND d.condition_code = $2 AND " SEEN("d")
    " ORDER BY d.vendor_id NULLS LAST LIMIT 1", 3, true);

static od_stmt st_lock = OD_STMT("diet_rules_lock",
    "SELECT pg_advisory_xact_lock(hashtext('diet_rules'), hashtext($1 || '/' || $2))", 2,
    false);

static od_stmt st_deactivate = OD_STMT("diet_rules_deactivate",
    "UPDATE diet_rules SET active = false WHERE vendor_id = $1::uuid AND condition_code = $2 "
    "AND active", 2, false);

/* The next version counts every version of the vendor's, active or not. */
static od_stmt st_insert = OD_STMT("diet_rules_insert",
    "INSERT INTO diet_rules AS d (vendor_id, condition_code, policy, version) "
    "SELECT $1::uuid, $2, $3::jsonb, coalesce(max(version), 0) + 1 FROM diet_rules "
    "WHERE vendor_id = $1::uuid AND condition_code = $2 RETURNING " RULE_JSON("d"), 3, false);

static const od_policy_stmts stmts = { &st_lock, &st_in_force, &st_deactivate, &st_insert };

od_rc
od_diet_rules_page(od_db *db, od_arena *a, const char *vendor_id, const char *after_code,
                   int limit, PGresult **res)
{
    const char *params[] = { vendor_id, after_code, od_arena_printf(a, "%d", limit) };

    return od_db_exec(db, a, &st_page, params, res);
}

od_rc
od_diet_rules_get(od_db *db, od_arena *a, const char *vendor_id, const char *condition_code,
                  PGresult **res)
{
    const char *params[] = { vendor_id, condition_code, NULL };

    return od_db_exec(db, a, &st_in_force, params, res);
}

od_rc
od_diet_rules_put(od_db *db, od_arena *a, const char *vendor_id, const char *condition_code,
                  const char *policy, od_policy_write *out, PGresult **res)
{
    const char *params[] = { vendor_id, condition_code, policy };

    return od_policy_rows_replace(db, a, &stmts, params, out, res);
}

od_rc
od_diet_rules_revert(od_db *db, od_arena *a, const char *vendor_id, const char *condition_code,
                     od_policy_write *out, PGresult **res)
{
    const char *params[] = { vendor_id, condition_code, NULL };

    return od_policy_rows_revert(db, a, &stmts, params, out, res);
}
