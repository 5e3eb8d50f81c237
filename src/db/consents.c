/* consents.c: customer_consents. Records are only ever inserted; "latest" orders
 * by timestamp, then id, so two records of one instant still have one winner. */
#include "db/consents.h"

#define RECORD_JSON(c) \
    "json_build_object('id', " c ".id, 'consent_type', " c ".consent_type, " \
    "'granted', " c ".granted, 'version', " c ".version, 'timestamp', " c ".timestamp, " \
    "'recorded_by', " c ".recorded_by)"

/* in_force: the record is the latest of its type for the customer. */
static od_stmt st_page = OD_STMT("consents_page",
    "SELECT jsonb_set(" RECORD_JSON("c") "::jsonb, '{in_force}', to_jsonb(c.id = ("
    "SELECT l.id FROM customer_consents l WHERE l.vendor_id = c.vendor_id "
    "AND l.customer_id = c.customer_id AND l.consent_type = c.consent_type "
    "ORDER BY l.timestamp DESC, l.id DESC LIMIT 1)))::text, c.timestamp, c.id "
    "FROM customer_consents c WHERE c.vendor_id = $1::uuid AND c.customer_id = $2::uuid "
    "AND ($3::timestamptz IS NULL OR (c.timestamp, c.id) < ($3::timestamptz, $4::uuid)) "
    "ORDER BY c.timestamp DESC, c.id DESC LIMIT $5::int", 5, true);

static od_stmt st_add = OD_STMT("consents_add",
    "WITH c AS (INSERT INTO customer_consents (vendor_id, customer_id, consent_type, granted, "
    "version, recorded_by) VALUES ($1::uuid, $2::uuid, $3, $4::boolean, $5, $6) RETURNING *) "
    "SELECT " RECORD_JSON("c") "::text FROM c", 6, false);

static od_stmt st_granted = OD_STMT("consents_granted",
    "SELECT c.granted FROM customer_consents c WHERE c.vendor_id = $1::uuid "
    "AND c.customer_id = $2::uuid AND c.consent_type = $3 "
    "ORDER BY c.timestamp DESC, c.id DESC LIMIT 1", 3, true);

od_rc
od_consents_page(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                 const char *after_ts, const char *after_id, int limit, PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, after_ts, after_id,
                             od_arena_printf(a, "%d", limit) };

    return od_db_exec(db, a, &st_page, params, res);
}

od_rc
od_consents_add(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                const char *consent_type, const char *granted, const char *version,
                const char *recorded_by, PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, consent_type, granted, version,
                             recorded_by };

    return od_db_exec(db, a, &st_add, params, res);
}

od_rc
od_consents_granted(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                    const char *consent_type, bool *granted, PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, consent_type };
    od_rc rc = od_db_exec(db, a, &st_granted, params, res);

    *granted = rc == OD_OK && PQntuples(*res) == 1 && PQgetvalue(*res, 0, 0)[0] == 't';
    return rc;
}
