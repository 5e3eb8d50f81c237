/* health_profiles.c: customer_health_profiles. The profile document is built here, once, so
 * a read and a write answer the same shape. */
#include "db/health_profiles.h"

#include "db/vendor_stmt.h"

#define PROFILE_INPUTS(h) \
    "'height_cm', " h ".height_cm, 'weight_kg', " h ".weight_kg, " \
    "'age', " h ".age, 'gender', " h ".gender, 'activity_level', " h ".activity_level, " \
    "'conditions', " h ".conditions, 'diet_goals', " h ".diet_goals, " \
    "'macro_targets', " h ".macro_targets, 'avoid_allergens', " h ".avoid_allergens, " \
    "'bmi', " h ".bmi, 'bmr', " h ".bmr, 'tdee_cached', " h ".tdee_cached, "
#define PROFILE_ROW(h) \
    "'updated_by', " h ".updated_by, 'created_at', " h ".created_at, 'updated_at', " h ".updated_at"
#define PROFILE_JSON(h) \
    "json_build_object(" PROFILE_INPUTS(h) "'derived_limits', " h ".derived_limits, " \
    PROFILE_ROW(h) ")::text"

/* Names the diet rules the vendor $1 sees as they are now: every active row, its own
 * and the global ones, and each row's version of record (xmin), so that any change
 * to one, a new version or an edit in place, gives another stamp. */
#define POLICY_STAMP \
    "(SELECT md5(coalesce(string_agg(d.id::text || '/' || d.xmin::text, ',' " \
    "ORDER BY d.id), '')) FROM diet_rules d " \
    "WHERE d.active AND (d.vendor_id = $1::uuid OR d.vendor_id IS NULL))"

/* The customer (from rel), the profile, the consent gate's inputs, the stamp of
 * the policies in force, the one the profile was derived under, the version of
 * the vocabulary (migration 029) and the digest of the stored derived_limits. */
#define LOAD(rel) \
    "SELECT c.dob::text, c.age, c.gender, " \
    "CASE WHEN h.customer_id IS NULL THEN NULL ELSE " PROFILE_JSON("h") " END, " \
    "coalesce((v.settings_json ->> 'require_health_consent')::boolean, false), " \
    "coalesce((SELECT k.granted FROM customer_consents k WHERE k.vendor_id = c.vendor_id " \
    "AND k.customer_id = c.id AND k.consent_type = 'health_data' " \
    "ORDER BY k.timestamp DESC, k.id DESC LIMIT 1), false), " POLICY_STAMP ", split_part(h.policy_stamp, '@', 1), " \
    "(SELECT od_vocabulary_version()), nullif(split_part(h.policy_stamp, '@', 3), '') " \
    "FROM " rel " c JOIN vendors v ON v.id = c.vendor_id " \
    "LEFT JOIN customer_health_profiles h ON h.vendor_id = c.vendor_id AND h.customer_id = c.id " \
    "WHERE c.vendor_id = $1::uuid AND c.id = $2::uuid"

/* The load keeps its plan per vendor (db/vendor_stmt.h). A write first takes the
 * customer's health lock (od_health_lock, migration 032): an advisory lock of
 * (vendor, customer), a statement without relations whose generic plan costs
 * nothing to run, where a row lock would name the partitioned customers and be
 * planned on every call (docs/health.md). Every writer of the customer's health data
 * takes it (this load with lock, the only way to the store, and the customer's
 * delete), so they take turns; the load that follows takes its snapshot after the
 * lock, so it reads what the previous writer committed. A missing customer is the
 * load's empty answer. */
static od_vstmt vs_load = OD_VSTMT("health_load", LOAD("{v:customers}"), 2, true);
static od_stmt st_lock = OD_GENERIC_STMT("health_lock",
    "SELECT od_health_lock($1::uuid, $2::uuid)", 2, false);

/* One row at least: with no rule in force, the stamp and NULLs. */
static od_stmt st_policies = OD_READ_GENERIC_STMT("health_policies",
    "SELECT p.condition_code, p.version, p.policy, p.scope, s.stamp "
    "FROM (SELECT " POLICY_STAMP " AS stamp) s LEFT JOIN LATERAL ("
    "SELECT DISTINCT ON (condition_code) condition_code, version, policy::text, "
    "CASE WHEN vendor_id IS NULL THEN 'global' ELSE 'vendor' END AS scope "
    "FROM diet_rules WHERE active AND (vendor_id = $1::uuid OR vendor_id IS NULL) "
    "ORDER BY condition_code, vendor_id NULLS LAST) p ON true "
    "ORDER BY p.condition_code", 1);

/* The profile's columns come from the JSON object $3 (names as in PROFILE_JSON),
 * derived_limits from $7, parsed once as jsonb and not sent back; $5 is the stamp
 * of the policies it was derived under, stored with the writing transaction's id
 * so that each derivation writes a new value (migration 028), and $6 the digest of
 * derived_limits as sent: <stamp>@<txid>@<digest>. The stamp goes whole when
 * derived_limits changes without a new one (migration 028's trigger), and the
 * digest with it.
 * Generic: its tables are plain, and the statement trigger that checks the new
 * profile's customer (od_check_parent_refs) names customers only through EXECUTE,
 * which is always planned with its values. */
static od_stmt st_store = OD_GENERIC_STMT("health_store",
    "WITH p AS (SELECT * FROM json_to_record($3::json) AS x(height_cm numeric, weight_kg numeric, "
    "age integer, gender gender, activity_level activity_level, conditions text[], "
    "diet_goals text[], macro_targets jsonb, avoid_allergens text[], bmi numeric, bmr numeric, "
    "tdee_cached numeric)), "
    "h AS (INSERT INTO customer_health_profiles AS t (vendor_id, customer_id, height_cm, "
    "weight_kg, age, gender, activity_level, conditions, diet_goals, macro_targets, "
    "avoid_allergens, bmi, bmr, tdee_cached, derived_limits, updated_by, policy_stamp) "
    "SELECT $1::uuid, $2::uuid, p.height_cm, p.weight_kg, p.age, p.gender, p.activity_level, "
    "p.conditions, p.diet_goals, p.macro_targets, p.avoid_allergens, p.bmi, p.bmr, "
    "p.tdee_cached, $7::jsonb, $4, $5 || '@' || txid_current() || '@' || $6 FROM p "
    "ON CONFLICT (vendor_id, customer_id) DO UPDATE SET height_cm = excluded.height_cm, "
    "weight_kg = excluded.weight_kg, age = excluded.age, gender = excluded.gender, "
    "activity_level = excluded.activity_level, conditions = excluded.conditions, "
    "diet_goals = excluded.diet_goals, macro_targets = excluded.macro_targets, "
    "avoid_allergens = excluded.avoid_allergens, bmi = excluded.bmi, bmr = excluded.bmr, "
    "tdee_cached = excluded.tdee_cached, derived_limits = excluded.derived_limits, "
    "updated_by = excluded.updated_by, policy_stamp = excluded.policy_stamp "
    "RETURNING t.*), "
    "m AS (DELETE FROM matches_cache WHERE vendor_id = $1::uuid AND customer_id = $2::uuid) "
    "SELECT json_build_object(" PROFILE_INPUTS("h") PROFILE_ROW("h") ")::text FROM h", 7, false);

od_rc
od_health_load(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
               bool lock, PGresult **res)
{
    /* In the arena: the queue borrows them until the lock is sent, which a load that
     * fails before its round trip leaves to the request's end. */
    const char **params = od_arena_alloc(a, 2 * sizeof(*params));
    od_rc rc = OD_OK;

    if (params == NULL)
        return OD_ENOMEM;
    params[0] = vendor_id;
    params[1] = customer_id;
    /* The lock goes out in front of the load, in the same round trip. */
    if (lock)
        rc = od_db_defer(db, &st_lock, params);
    if (rc == OD_OK)
        rc = od_vendor_stmt_exec(db, a, &vs_load, vendor_id, params, res);
    if (rc == OD_OK && PQntuples(*res) == 0)
        return OD_ENOTFOUND;
    return rc;
}

od_rc
od_health_policies(od_db *db, od_arena *a, const char *vendor_id, PGresult **res)
{
    const char *params[] = { vendor_id };

    return od_db_exec(db, a, &st_policies, params, res);
}

od_rc
od_health_store(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                const char *profile_json, const char *derived_json, const char *updated_by,
                const char *policy_stamp, const char *derived_digest, PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, profile_json, updated_by, policy_stamp,
                             derived_digest, derived_json };

    return od_db_exec(db, a, &st_store, params, res);
}
