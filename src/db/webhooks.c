/* webhooks.c: webhook_endpoints and webhook_deliveries for the API. The documents
 * are built here, in SQL, so every route answers the same shape. */
#include "db/webhooks.h"

#include "db/sql.h"

/* The endpoint document of row e. The previous secret's expiry shows only while it
 * still signs. */
#define ENDPOINT_JSON(e) \
    "json_build_object('id', " e ".id, 'url', " e ".url, 'description', " e ".description, " \
    "'events', " e ".events, 'enabled', " e ".enabled, 'retries_max', " e ".retries_max, " \
    "'tolerance_sec', " e ".tolerance_sec, 'disabled_reason', " e ".disabled_reason, " \
    "'disabled_at', " e ".disabled_at, 'failing_since', " e ".failing_since, " \
    "'previous_secret_expires_at', CASE WHEN " e ".previous_secret_ref IS NOT NULL AND " \
    e ".previous_secret_expires_at > now() THEN " e ".previous_secret_expires_at END, " \
    "'created_at', " e ".created_at, 'updated_at', " e ".updated_at)::text"

/* The delivery document of row d (timestamp is when it was created; job_id the
 * webhook.deliver job that has it now). */
#define DELIVERY_JSON(d) \
    "json_build_object('id', " d ".id, 'endpoint_id', " d ".endpoint_id, " \
    "'event_id', " d ".event_id, 'event_type', " d ".event_type, 'status', " d ".status, " \
    "'attempt', " d ".attempt, 'next_attempt_at', CASE WHEN " d ".status = 'pending' " \
    "THEN " d ".next_attempt_at END, 'last_error', " d ".last_error, " \
    "'response_status', " d ".response_status, 'signature', " d ".signature, " \
    "'job_id', " d ".job_id::text, 'replays', " d ".replays, 'created_at', " d ".timestamp, " \
    "'delivered_at', " d ".delivered_at, 'updated_at', " d ".updated_at, " \
    "'payload', " d ".payload)::text"

#define TS_TEXT(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* JSON array text -> text[] */
#define EVENTS_ARRAY(p) "ARRAY(SELECT jsonb_array_elements_text(" p "::jsonb))"

static od_stmt st_insert = OD_STMT("webhooks_insert",
    "INSERT INTO webhook_endpoints AS e (id, vendor_id, url, description, events, enabled, "
    "retries_max, tolerance_sec, secret_ref) VALUES ($2::uuid, $1::uuid, $3, $4, "
    EVENTS_ARRAY("$5") ", $6::boolean, $7::int, $8::int, $9) RETURNING " ENDPOINT_JSON("e"),
    9, false);

static od_stmt st_page = OD_STMT("webhooks_page",
    "SELECT " ENDPOINT_JSON("e") ", " TS_TEXT("e.created_at") ", e.id FROM webhook_endpoints e "
    "WHERE e.vendor_id = $1::uuid AND ($2::timestamptz IS NULL OR "
    "(e.created_at, e.id) > ($2::timestamptz, $3::uuid)) "
    "ORDER BY e.created_at, e.id LIMIT $4::int", 4, true);

static od_stmt st_get = OD_STMT("webhooks_get",
    "SELECT " ENDPOINT_JSON("e") " FROM webhook_endpoints e "
    "WHERE e.vendor_id = $1::uuid AND e.id = $2::uuid", 2, true);

static od_stmt st_lock = OD_STMT("webhooks_lock",
    "SELECT " ENDPOINT_JSON("e") ", e.enabled, e.retries_max FROM webhook_endpoints e "
    "WHERE e.vendor_id = $1::uuid AND e.id = $2::uuid FOR UPDATE", 2, false);

/* $3 url, $4 description sent, $5 description, $6 events, $7 enabled, $8 retries,
 * $9 tolerance; NULL keeps. Enabling clears the failure streak. */
static od_stmt st_update = OD_STMT("webhooks_update",
    "UPDATE webhook_endpoints e SET url = coalesce($3, e.url), "
    "description = CASE WHEN $4::boolean THEN $5 ELSE e.description END, "
    "events = CASE WHEN $6::text IS NULL THEN e.events ELSE " EVENTS_ARRAY("$6") " END, "
    "enabled = coalesce($7::boolean, e.enabled), "
    "disabled_reason = CASE WHEN $7::boolean THEN NULL ELSE e.disabled_reason END, "
    "disabled_at = CASE WHEN $7::boolean THEN NULL ELSE e.disabled_at END, "
    "failing_since = CASE WHEN $7::boolean AND NOT e.enabled THEN NULL ELSE e.failing_since END, "
    "retries_max = coalesce($8::int, e.retries_max), "
    "tolerance_sec = coalesce($9::int, e.tolerance_sec) "
    "WHERE e.vendor_id = $1::uuid AND e.id = $2::uuid RETURNING " ENDPOINT_JSON("e"), 9, false);

/* The replaced previous secret goes; with no overlap the current one goes too. */
static od_stmt st_rotate = OD_STMT("webhooks_rotate",
    "WITH old AS (SELECT e.secret_ref, e.previous_secret_ref FROM webhook_endpoints e "
    "WHERE e.vendor_id = $1::uuid AND e.id = $2::uuid FOR UPDATE), "
    "upd AS (UPDATE webhook_endpoints e SET secret_ref = $3, "
    "previous_secret_ref = CASE WHEN $4::int > 0 THEN e.secret_ref END, "
    "previous_secret_expires_at = CASE WHEN $4::int > 0 "
    "THEN now() + make_interval(secs => $4::int) END "
    "FROM old WHERE e.vendor_id = $1::uuid AND e.id = $2::uuid RETURNING " ENDPOINT_JSON("e")
    " AS doc), "
    "gone AS (DELETE FROM secrets s USING old WHERE s.vendor_id = $1::uuid AND "
    "(s.id = old.previous_secret_ref::uuid OR ($4::int = 0 AND s.id = old.secret_ref::uuid))) "
    "SELECT doc FROM upd", 4, false);

static od_stmt st_delete = OD_STMT("webhooks_delete",
    "WITH gone AS (DELETE FROM webhook_endpoints e WHERE e.vendor_id = $1::uuid "
    "AND e.id = $2::uuid RETURNING " ENDPOINT_JSON("e") " AS doc, e.secret_ref, "
    "e.previous_secret_ref), "
    "s AS (DELETE FROM secrets s USING gone WHERE s.vendor_id = $1::uuid AND "
    "(s.id = gone.secret_ref::uuid OR s.id = gone.previous_secret_ref::uuid)) "
    "SELECT doc FROM gone", 2, false);

/* The envelope receivers get: {vendor_id, event_id, event_type, occurred_at, data}. */
static od_stmt st_ping = OD_STMT("webhooks_ping",
    "WITH ids AS (SELECT gen_random_uuid() AS id, gen_random_uuid() AS ev, now() AS at), "
    "ins AS (INSERT INTO webhook_deliveries AS d (id, vendor_id, endpoint_id, event_id, "
    "event_type, payload, job_id) "
    "SELECT ids.id, $1::uuid, $2::uuid, ids.ev, 'webhook.ping', "
    "jsonb_build_object('vendor_id', $1::uuid, 'event_id', ids.ev, 'event_type', "
    "'webhook.ping', 'occurred_at', ids.at, 'data', jsonb_build_object('endpoint_id', "
    "$2::uuid)), od_job_enqueue('webhook.deliver', $1::uuid, "
    "jsonb_build_object('delivery_id', ids.id, 'replays', 0), NULL, NULL::smallint, $3::int, "
    "NULL) "
    "FROM ids RETURNING " DELIVERY_JSON("d") " AS doc) "
    "SELECT doc FROM ins", 3, false);

static od_stmt st_delivery_lock = OD_STMT("webhooks_delivery_lock",
    "SELECT d.status, e.enabled, e.retries_max, " DELIVERY_JSON("d")
    " FROM webhook_deliveries d JOIN webhook_endpoints e ON e.vendor_id = d.vendor_id "
    "AND e.id = d.endpoint_id WHERE d.vendor_id = $1::uuid AND d.id = $2::uuid "
    "FOR UPDATE OF d", 2, false);

static od_stmt st_replay = OD_STMT("webhooks_replay",
    "UPDATE webhook_deliveries d SET status = 'pending', attempt = 0, next_attempt_at = now(), "
    "delivered_at = NULL, replays = d.replays + 1, job_id = od_job_enqueue('webhook.deliver', "
    "$1::uuid, jsonb_build_object('delivery_id', d.id, 'replays', d.replays + 1), NULL, "
    "NULL::smallint, $3::int, NULL) "
    "WHERE d.vendor_id = $1::uuid AND d.id = $2::uuid RETURNING " DELIVERY_JSON("d"), 3, false);

/* Runs st with ($1 vendor, $2 id). */
static od_rc
by_id(od_db *db, od_arena *a, od_stmt *st, const char *vendor_id, const char *id,
      PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, st, params, res);
}

/* Runs st with ($1 vendor, $2 id, $3 n). */
static od_rc
by_id_n(od_db *db, od_arena *a, od_stmt *st, const char *vendor_id, const char *id, int n,
        PGresult **res)
{
    const char *params[] = { vendor_id, id, od_arena_printf(a, "%d", n) };

    return od_db_exec(db, a, st, params, res);
}

static const char *
fields_param(const od_endpoint_fields *f, int i)
{
    switch (i) {
    case 0: return f->url;
    case 1: return f->description_set ? "true" : "false";
    case 2: return f->description;
    case 3: return f->events;
    case 4: return f->enabled;
    case 5: return f->retries_max;
    default: return f->tolerance_sec;
    }
}

od_rc
od_webhooks_insert(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                   const od_endpoint_fields *f, const char *secret_ref, PGresult **res)
{
    const char *params[] = { vendor_id, id, f->url, f->description, f->events, f->enabled,
                             f->retries_max, f->tolerance_sec, secret_ref };

    return od_db_exec(db, a, &st_insert, params, res);
}

od_rc
od_webhooks_page(od_db *db, od_arena *a, const char *vendor_id, const char *after_created,
                 const char *after_id, int limit, PGresult **res)
{
    const char *params[] = { vendor_id, after_created, after_id, od_arena_printf(a, "%d", limit) };

    return od_db_exec(db, a, &st_page, params, res);
}

od_rc
od_webhooks_get(od_db *db, od_arena *a, const char *vendor_id, const char *id, bool lock,
                PGresult **res)
{
    return by_id(db, a, lock ? &st_lock : &st_get, vendor_id, id, res);
}

od_rc
od_webhooks_update(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                   const od_endpoint_fields *f, PGresult **res)
{
    const char *params[9] = { vendor_id, id };

    for (int i = 0; i < 7; i++)
        params[2 + i] = fields_param(f, i);
    return od_db_exec(db, a, &st_update, params, res);
}

od_rc
od_webhooks_rotate(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                   const char *new_ref, int overlap_sec, PGresult **res)
{
    const char *params[] = { vendor_id, id, new_ref, od_arena_printf(a, "%d", overlap_sec) };

    return od_db_exec(db, a, &st_rotate, params, res);
}

od_rc
od_webhooks_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                   PGresult **res)
{
    return by_id(db, a, &st_delete, vendor_id, id, res);
}

od_rc
od_webhooks_ping(od_db *db, od_arena *a, const char *vendor_id, const char *endpoint_id,
                 int max_attempts, PGresult **res)
{
    return by_id_n(db, a, &st_ping, vendor_id, endpoint_id, max_attempts, res);
}

od_rc
od_webhooks_deliveries(od_db *db, od_arena *a, const char *vendor_id,
                       const od_delivery_filter *f, PGresult **res)
{
    od_sql q;
    int p;

    /* Built per filter set, so each shape is planned with its own index: the
     * vendor's list, one endpoint's, or the dead ones. */
    od_sql_init(&q);
    p = od_sql_param(&q, vendor_id);
    od_buf_printf(&q.sql, "SELECT " DELIVERY_JSON("d") ", " TS_TEXT("d.timestamp") ", d.id "
                  "FROM webhook_deliveries d WHERE d.vendor_id = $%d::uuid", p);
    if (f->status != NULL) {
        p = od_sql_param(&q, f->status);
        od_buf_printf(&q.sql, " AND d.status = $%d::webhook_delivery_status", p);
    }
    if (f->endpoint_id != NULL) {
        p = od_sql_param(&q, f->endpoint_id);
        od_buf_printf(&q.sql, " AND d.endpoint_id = $%d::uuid", p);
    }
    if (f->after_ts != NULL && f->after_id != NULL) {
        p = od_sql_param(&q, f->after_ts);
        od_buf_printf(&q.sql, " AND (d.timestamp, d.id) < ($%d::timestamptz, ", p);
        p = od_sql_param(&q, f->after_id);
        od_buf_printf(&q.sql, "$%d::uuid)", p);
    }
    p = od_sql_param(&q, od_arena_printf(a, "%d", f->limit));
    od_buf_printf(&q.sql, " ORDER BY d.timestamp DESC, d.id DESC LIMIT $%d::int", p);
    return od_sql_run(db, a, &q, res);
}

od_rc
od_webhooks_delivery_lock(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                          PGresult **res)
{
    return by_id(db, a, &st_delivery_lock, vendor_id, id, res);
}

od_rc
od_webhooks_replay(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                   int max_attempts, PGresult **res)
{
    return by_id_n(db, a, &st_replay, vendor_id, id, max_attempts, res);
}
