-- 022 retention: the scheduled jobs table and what the retention.purge job deletes.
-- Every purge is a batch of at most p_batch rows per call and per transaction, so no
-- purge holds its locks for long; the job calls again until a batch comes back short.
-- Time is the daemon's clock, passed in (p_now), never now(). audit_log is never
-- touched here: its rows are kept 6 years and leave only through `odysseyctl audit
-- purge`, which refuses anything younger.

-- ---------------------------------------------------------------------------------
-- Scheduled jobs: od_jobs_schedule(p_now), called by the daemon's supervisor at each
-- tick, enqueues every kind whose next run is due (one pending job per kind, through
-- the unique key 'schedule:<kind>') and moves its next run one period on.
-- ---------------------------------------------------------------------------------
CREATE TABLE job_schedules (
    kind        text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    every       interval    NOT NULL CHECK (every >= interval '1 minute'),
    next_run_at timestamptz NOT NULL,
    CONSTRAINT job_schedules_pkey PRIMARY KEY (kind)
);
INSERT INTO job_schedules (kind, every, next_run_at)
VALUES ('retention.purge', interval '1 hour', '-infinity'),
       ('events.sweep', interval '1 minute', '-infinity');

CREATE FUNCTION od_jobs_schedule(p_now timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    v_kind text;
    v_queued integer := 0;
BEGIN
    PERFORM od_job_system_only('od_jobs_schedule');
    FOR v_kind IN
        UPDATE job_schedules s SET next_run_at = p_now + s.every
         WHERE s.next_run_at <= p_now
        RETURNING s.kind
    LOOP
        IF od_job_enqueue(v_kind, NULL, '{}'::jsonb, p_now, 100::smallint, 3,
                          'schedule:' || v_kind) IS NOT NULL THEN
            v_queued := v_queued + 1;
        END IF;
    END LOOP;
    RETURN v_queued;
END
$$;

-- ---------------------------------------------------------------------------------
-- The outbox sweep (events.sweep, every minute): an event still unpublished a minute
-- after it occurred lost its fanout job (one that went dead after its attempts, or
-- an outbox row written with the trigger disabled); the vendor gets a fanout again.
-- Returns how many vendors it enqueued a fanout for (0 when each had one pending).
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_events_sweep(p_now timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    v_vendor uuid;
    v_queued integer := 0;
BEGIN
    PERFORM od_job_system_only('od_events_sweep');
    FOR v_vendor IN
        SELECT DISTINCT e.vendor_id FROM events e
         WHERE e.published_at IS NULL AND e.occurred_at < p_now - interval '1 minute'
    LOOP
        IF od_events_fanout_enqueue(v_vendor) IS NOT NULL THEN
            v_queued := v_queued + 1;
        END IF;
    END LOOP;
    RETURN v_queued;
END
$$;

-- ---------------------------------------------------------------------------------
-- Retention periods (PRD 8.3 and the queue issue):
--   idempotency_keys  expired (24 h after creation), unless a request still holds it
--   raw_pages         stg_vendor_raw fetched more than 30 days ago
--   matches_cache     rows past ttl_at
--   ingest_errors     ingestion_job_errors of jobs finished more than 90 days ago
--                     (the errors.csv files go by their age on disk: the daemon)
--   events            outbox rows published more than 30 days ago
--   webhook_deliveries delivered or dead deliveries created more than 30 days ago
--                     (a pending one stays until it is delivered or dead)
--   webhook_secrets   an endpoint's previous signing secret once its rotation
--                     overlap has ended (deliveries stopped using it then)
-- ---------------------------------------------------------------------------------
ALTER TABLE ingestion_jobs ADD COLUMN errors_purged_at timestamptz;
CREATE INDEX ingestion_jobs_errors_due_idx ON ingestion_jobs (finished_at)
    WHERE finished_at IS NOT NULL AND errors_purged_at IS NULL;
CREATE INDEX events_published_idx ON events (published_at) WHERE published_at IS NOT NULL;
-- timestamp (creation) never changes, so this index keeps the attempts' updates HOT
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (timestamp);

-- Deletes at most p_batch rows of p_target that are past their retention at p_now and
-- returns how many it deleted. SECURITY DEFINER: the purge crosses vendors, and the
-- tenant tables' row-level security shows the application role one vendor at a time;
-- like the queue's own functions it refuses any session outside the system context.
CREATE FUNCTION od_retention_purge(p_target text, p_now timestamptz, p_batch integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    v_deleted integer := 0;
    v_rows integer;
    v_job record;
BEGIN
    PERFORM od_job_system_only('od_retention_purge');
    IF p_batch IS NULL OR p_batch < 1 OR p_batch > 100000 THEN
        RAISE EXCEPTION 'od_retention_purge: batch % out of range 1..100000', p_batch
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CASE p_target
    WHEN 'idempotency_keys' THEN
        DELETE FROM idempotency_keys k
         USING (SELECT i.vendor_id, i.key FROM idempotency_keys i
                 WHERE i.expires_at < p_now
                   AND (i.state = 'completed' OR i.locked_until < p_now)
                 ORDER BY i.expires_at LIMIT p_batch
                   FOR UPDATE SKIP LOCKED) d
         WHERE k.vendor_id = d.vendor_id AND k.key = d.key;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    WHEN 'raw_pages' THEN
        DELETE FROM stg_vendor_raw r
         WHERE r.id IN (SELECT s.id FROM stg_vendor_raw s
                         WHERE s.fetched_at < p_now - interval '30 days'
                         ORDER BY s.fetched_at LIMIT p_batch
                           FOR UPDATE SKIP LOCKED);
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    WHEN 'matches_cache' THEN
        DELETE FROM matches_cache m
         USING (SELECT c.vendor_id, c.customer_id, c.catalog_version FROM matches_cache c
                 WHERE c.ttl_at < p_now
                 ORDER BY c.ttl_at LIMIT p_batch
                   FOR UPDATE SKIP LOCKED) d
         WHERE m.vendor_id = d.vendor_id AND m.customer_id = d.customer_id
           AND m.catalog_version = d.catalog_version;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    WHEN 'ingest_errors' THEN
        -- Job by job, oldest first; a job whose rows are all gone is marked so it is
        -- never looked at again.
        FOR v_job IN
            SELECT j.vendor_id, j.id FROM ingestion_jobs j
             WHERE j.finished_at < p_now - interval '90 days' AND j.errors_purged_at IS NULL
             ORDER BY j.finished_at LIMIT p_batch
               FOR UPDATE SKIP LOCKED
        LOOP
            DELETE FROM ingestion_job_errors e
             WHERE e.id IN (SELECT x.id FROM ingestion_job_errors x
                             WHERE x.vendor_id = v_job.vendor_id AND x.job_id = v_job.id
                             LIMIT p_batch - v_deleted);
            GET DIAGNOSTICS v_rows = ROW_COUNT;
            v_deleted := v_deleted + v_rows;
            EXIT WHEN v_deleted >= p_batch;
            UPDATE ingestion_jobs j SET errors_purged_at = p_now, error_url = NULL
             WHERE j.vendor_id = v_job.vendor_id AND j.id = v_job.id;
            -- a job with no rows left counts as one unit of work
            v_deleted := v_deleted + 1;
            EXIT WHEN v_deleted >= p_batch;
        END LOOP;
    WHEN 'events' THEN
        DELETE FROM events e
         WHERE e.id IN (SELECT v.id FROM events v
                         WHERE v.published_at < p_now - interval '30 days'
                         ORDER BY v.published_at LIMIT p_batch
                           FOR UPDATE SKIP LOCKED);
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    WHEN 'webhook_deliveries' THEN
        DELETE FROM webhook_deliveries d
         WHERE d.id IN (SELECT w.id FROM webhook_deliveries w
                         WHERE w.timestamp < p_now - interval '30 days'
                           AND w.status IN ('delivered', 'dead')
                         ORDER BY w.timestamp LIMIT p_batch
                           FOR UPDATE SKIP LOCKED);
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    WHEN 'webhook_secrets' THEN
        WITH ended AS (
            SELECT e.id, e.vendor_id, e.previous_secret_ref FROM webhook_endpoints e
             WHERE e.previous_secret_expires_at < p_now
             ORDER BY e.previous_secret_expires_at LIMIT p_batch
               FOR UPDATE SKIP LOCKED
        ), cleared AS (
            UPDATE webhook_endpoints w
               SET previous_secret_ref = NULL, previous_secret_expires_at = NULL
              FROM ended WHERE w.id = ended.id
            RETURNING ended.vendor_id, ended.previous_secret_ref
        )
        DELETE FROM secrets s USING cleared c
         WHERE s.vendor_id = c.vendor_id AND s.id = c.previous_secret_ref::uuid;
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
    ELSE
        RAISE EXCEPTION 'od_retention_purge: unknown target %', p_target
            USING ERRCODE = 'invalid_parameter_value';
    END CASE;
    RETURN v_deleted;
END
$$;

REVOKE EXECUTE ON FUNCTION od_events_sweep(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_events_sweep(timestamptz) TO odyssey_app;
REVOKE EXECUTE ON FUNCTION od_jobs_schedule(timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION od_retention_purge(text, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_jobs_schedule(timestamptz) TO odyssey_app;
GRANT EXECUTE ON FUNCTION od_retention_purge(text, timestamptz, integer) TO odyssey_app;
