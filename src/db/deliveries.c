/* deliveries.c: the fanout, take and record statements of the webhook kinds. One
 * statement each, so every step is atomic without a transaction of its own. */
#include "db/deliveries.h"

#include <stdlib.h>
#include <string.h>

#include "db/secrets_store.h"

/* The job still holds its lease: $3 job id, $4 lock token. */
#define LEASE_HELD \
    "EXISTS (SELECT 1 FROM jobs j WHERE j.id = $3::bigint AND j.lock_token = $4::uuid " \
    "AND j.state = 'running')"

static od_stmt st_barrier = OD_STMT("deliveries_barrier",
    "SELECT od_events_barrier($1::uuid)", 1, true);

/* $1 vendor, $2 batch, $3 now. todo is materialised once (gen_random_uuid is
 * volatile): each delivery has one id, and the one job made for it (in bulk) names
 * it. An event is taken once (row lock, published_at in the same statement); the
 * unique key (endpoint, event) is the last guard: a job whose delivery it refused
 * finds nothing to do. */
static od_stmt st_fanout = OD_STMT("deliveries_fanout",
    "WITH ev AS (SELECT v.id, v.event_id, v.event_type, v.payload, v.occurred_at "
    "FROM events v WHERE v.vendor_id = $1::uuid AND v.published_at IS NULL "
    "ORDER BY v.id LIMIT $2::int FOR UPDATE SKIP LOCKED), "
    "todo AS (SELECT gen_random_uuid() AS did, ev.event_id, ev.event_type, ev.payload, "
    "ev.occurred_at, e.id AS endpoint_id, e.retries_max "
    "FROM ev JOIN webhook_endpoints e ON e.vendor_id = $1::uuid AND e.enabled "
    "AND (e.events @> '{*}' OR ev.event_type = ANY (e.events))), "
    "agg AS (SELECT array_agg(jsonb_build_object('delivery_id', t.did, 'replays', 0) "
    "ORDER BY t.did) AS p, array_agg(t.retries_max + 1 ORDER BY t.did) AS m FROM todo t), "
    "jobs AS (SELECT j FROM agg, od_job_enqueue_many('webhook.deliver', $1::uuid, agg.p, "
    "agg.m) AS j WHERE agg.p IS NOT NULL), "
    "ins AS (INSERT INTO webhook_deliveries (id, vendor_id, endpoint_id, event_id, event_type, "
    "payload) SELECT t.did, $1::uuid, t.endpoint_id, t.event_id, t.event_type, "
    "jsonb_build_object('vendor_id', $1::uuid, 'event_id', t.event_id, 'event_type', "
    "t.event_type, 'occurred_at', t.occurred_at, 'data', t.payload) FROM todo t "
    "ON CONFLICT ON CONSTRAINT webhook_deliveries_endpoint_event_key DO NOTHING RETURNING 1), "
    "pub AS (UPDATE events v SET published_at = to_timestamp($3::bigint) FROM ev "
    "WHERE v.id = ev.id RETURNING 1) "
    "SELECT (SELECT count(*) FROM pub), (SELECT count(*) FROM ins), "
    "(SELECT count(*) FROM jobs)", 3, false);

/* $1 vendor, $2 delivery, $3 job, $4 token, $5 attempt, $6 now, $7 the replays the
 * job was made for. The previous secret joins only while it still signs. */
static od_stmt st_take = OD_STMT("deliveries_take",
    "UPDATE webhook_deliveries d SET status = 'delivering', attempt = $5::int, "
    "job_id = $3::bigint "
    "FROM webhook_endpoints e "
    "JOIN secrets s ON s.vendor_id = e.vendor_id AND s.id = e.secret_ref::uuid "
    "LEFT JOIN secrets p ON p.vendor_id = e.vendor_id AND p.id = e.previous_secret_ref::uuid "
    "AND e.previous_secret_expires_at > to_timestamp($6::bigint) "
    "WHERE d.vendor_id = $1::uuid AND d.id = $2::uuid AND d.replays = $7::int "
    "AND d.status IN ('pending', 'delivering') AND e.vendor_id = d.vendor_id "
    "AND e.id = d.endpoint_id AND " LEASE_HELD " "
    "RETURNING d.event_id, d.event_type, d.payload::text, e.id, e.url, e.enabled, "
    "e.retries_max, " OD_SECRETS_ENVELOPE("s") ", p.id IS NOT NULL, "
    OD_SECRETS_ENVELOPE("p"), 7, false);

/* $1 vendor, $2 delivery, $3 job, $4 token, $5 status, $6 attempt, $7 last_error,
 * $8 response status, $9 signature, $10 now (ms), $11 next attempt, $12::text end (ok, failed,
 * gone, skipped), $13 disable_after. The endpoint row is locked and written only
 * when its streak changes (a success on a healthy endpoint writes nothing). */
static od_stmt st_record = OD_STMT("deliveries_record",
    "WITH d AS (UPDATE webhook_deliveries d SET status = $5::webhook_delivery_status, "
    "attempt = $6::int, last_error = $7, response_status = $8::int, signature = $9, "
    "delivered_at = CASE WHEN $5 = 'delivered' THEN to_timestamp($10::bigint / 1000.0) END, "
    "next_attempt_at = coalesce(to_timestamp($11::bigint), d.next_attempt_at) "
    "WHERE d.vendor_id = $1::uuid AND d.id = $2::uuid AND d.job_id = $3::bigint "
    "AND " LEASE_HELD " RETURNING d.endpoint_id), "
    "cur AS (SELECT e.id, e.failing_since, e.enabled AND ($12::text = 'gone' OR ($12::text = 'failed' "
    "AND coalesce(e.failing_since, to_timestamp($10::bigint / 1000.0)) <= "
    "to_timestamp($10::bigint / 1000.0) - make_interval(secs => $13::int))) AS disable "
    "FROM webhook_endpoints e JOIN d ON e.id = d.endpoint_id WHERE e.vendor_id = $1::uuid "
    "AND (($12::text = 'ok' AND e.failing_since IS NOT NULL) OR ($12::text IN ('failed', 'gone') "
    "AND (e.failing_since IS NULL OR e.enabled))) FOR UPDATE OF e), "
    "upd AS (UPDATE webhook_endpoints e SET "
    "failing_since = CASE WHEN $12::text = 'ok' THEN NULL "
    "ELSE coalesce(e.failing_since, to_timestamp($10::bigint / 1000.0)) END, "
    "enabled = e.enabled AND NOT c.disable, "
    "disabled_reason = CASE WHEN c.disable THEN CASE WHEN $12::text = 'gone' THEN 'http_410' "
    "ELSE 'failing' END ELSE e.disabled_reason END, "
    "disabled_at = CASE WHEN c.disable THEN to_timestamp($10::bigint / 1000.0) ELSE e.disabled_at END "
    "FROM cur c WHERE e.id = c.id AND e.vendor_id = $1::uuid "
    "AND ($12::text = 'ok' OR c.disable OR e.failing_since IS NULL) RETURNING e.id), "
    "audit AS (INSERT INTO audit_log (actor_role, vendor_id, action, entity, entity_id, after) "
    "SELECT 'system', $1::uuid, 'webhook.endpoint_disabled', 'webhook_endpoints', c.id::text, "
    "jsonb_build_object('reason', CASE WHEN $12::text = 'gone' THEN 'http_410' ELSE 'failing' END, "
    "'failing_since', coalesce(c.failing_since, to_timestamp($10::bigint / 1000.0)), "
    "'delivery_id', $2::uuid, 'response_status', $8::int) FROM cur c WHERE c.disable "
    "RETURNING 1) "
    "SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM audit), (SELECT count(*) FROM upd)",
    13, false);

od_rc
od_deliveries_barrier(od_db *db, od_arena *a, const char *vendor_id)
{
    const char *params[] = { vendor_id };
    PGresult *res = NULL;

    return od_db_exec(db, a, &st_barrier, params, &res);
}

od_rc
od_deliveries_fanout(od_db *db, od_arena *a, const char *vendor_id, int limit, time_t now,
                     long *events, long *deliveries)
{
    const char *params[] = { vendor_id, od_arena_printf(a, "%d", limit),
                             od_arena_printf(a, "%lld", (long long)now) };
    PGresult *res = NULL;
    od_rc rc = od_db_exec(db, a, &st_fanout, params, &res);

    *events = *deliveries = 0;
    if (rc != OD_OK)
        return rc;
    *events = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    *deliveries = strtol(PQgetvalue(res, 0, 1), NULL, 10);
    return OD_OK;
}

/* Copies column c of row 0 into the arena. */
static const char *
col(od_arena *a, PGresult *res, int c)
{
    return od_arena_strdup(a, PQgetvalue(res, 0, c));
}

od_rc
od_deliveries_take(od_db *db, od_arena *a, const char *vendor_id, const char *delivery_id,
                   int replays, const char *job_id, const char *lock_token, int attempt,
                   time_t now, od_delivery *out)
{
    const char *params[] = { vendor_id, delivery_id, job_id, lock_token,
                             od_arena_printf(a, "%d", attempt),
                             od_arena_printf(a, "%lld", (long long)now),
                             od_arena_printf(a, "%d", replays) };
    PGresult *res = NULL;
    od_rc rc = od_db_exec(db, a, &st_take, params, &res);

    memset(out, 0, sizeof(*out));
    if (rc != OD_OK)
        return rc;
    if (PQntuples(res) == 0)
        return OD_ENOTFOUND;
    out->event_id = col(a, res, 0);
    out->event_type = col(a, res, 1);
    out->body = col(a, res, 2);
    out->endpoint_id = col(a, res, 3);
    out->url = col(a, res, 4);
    out->enabled = PQgetvalue(res, 0, 5)[0] == 't';
    out->retries_max = (int)strtol(PQgetvalue(res, 0, 6), NULL, 10);
    if (out->event_id == NULL || out->event_type == NULL || out->body == NULL ||
        out->endpoint_id == NULL || out->url == NULL)
        return OD_ENOMEM;
    rc = od_secrets_store_envelope(res, 0, 7, a, &out->secret);
    if (rc != OD_OK)
        return rc;
    out->has_previous = PQgetvalue(res, 0, 12)[0] == 't';
    if (out->has_previous)
        return od_secrets_store_envelope(res, 0, 13, a, &out->previous);
    return OD_OK;
}

static const char *
end_name(od_attempt_end e)
{
    switch (e) {
    case OD_ATTEMPT_OK:      return "ok";
    case OD_ATTEMPT_FAILED:  return "failed";
    case OD_ATTEMPT_GONE:    return "gone";
    case OD_ATTEMPT_SKIPPED: break;
    }
    return "skipped";
}

od_rc
od_deliveries_record(od_db *db, od_arena *a, const char *vendor_id, const char *delivery_id,
                     const char *job_id, const char *lock_token, const od_attempt *at,
                     bool *disabled)
{
    const char *params[] = {
        vendor_id, delivery_id, job_id, lock_token, at->status,
        od_arena_printf(a, "%d", at->attempt), at->last_error,
        at->response_status > 0 ? od_arena_printf(a, "%d", at->response_status) : NULL,
        at->signature, od_arena_printf(a, "%lld", at->now_ms),
        at->next_attempt_at > 0 ? od_arena_printf(a, "%lld", (long long)at->next_attempt_at)
                                : NULL,
        end_name(at->end), od_arena_printf(a, "%d", at->disable_after),
    };
    PGresult *res = NULL;
    od_rc rc = od_db_exec(db, a, &st_record, params, &res);

    *disabled = false;
    if (rc != OD_OK)
        return rc;
    *disabled = strcmp(PQgetvalue(res, 0, 1), "0") != 0;
    return strcmp(PQgetvalue(res, 0, 0), "0") != 0 ? OD_OK : OD_ENOTFOUND;
}
