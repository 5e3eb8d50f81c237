-- 021 webhooks (issue 6, docs/webhooks.md): what endpoints subscribe to, the indexes
-- of the deliveries listing, and the outbox trigger that wakes the fanout.
--  * webhook_endpoints.events: the event types an endpoint receives ('*': all);
--  * webhook_deliveries: listed newest first per vendor, per endpoint, and the dead
--    ones (the DLQ); the queue (jobs, 020) schedules attempts, so the due index of
--    008 goes; replays counts the replays: a webhook.deliver job carries the count
--    it was made for ({"delivery_id", "replays"}) and delivers only while it is
--    current, so a job from before a replay changes nothing; job_id is the job
--    that took it last;
--  * events: a statement-level trigger enqueues one events.fanout job per vendor
--    (od_job_enqueue, unique key 'events': one pending job per vendor). It takes a
--    shared advisory lock of the vendor first, held to commit; before it reads, the
--    fanout job waits until every transaction holding that lock when it looked has
--    ended, so every transaction whose enqueue found a pending job has committed its
--    events before that job looks for them (docs/webhooks.md, "Exactly once").

ALTER TABLE webhook_endpoints
    ADD COLUMN events text[] NOT NULL DEFAULT '{*}'
        CHECK (cardinality(events) BETWEEN 1 AND 16 AND array_position(events, NULL) IS NULL),
    ADD COLUMN disabled_at timestamptz;   -- when enabled last became false by itself

-- The deliveries listing: newest first (timestamp = created), by vendor, by endpoint,
-- and the dead ones.
DROP INDEX webhook_deliveries_due_idx;
DROP INDEX webhook_deliveries_vendor_idx;
DROP INDEX webhook_deliveries_dead_idx;
CREATE INDEX webhook_deliveries_list_idx
    ON webhook_deliveries (vendor_id, timestamp DESC, id DESC);
CREATE INDEX webhook_deliveries_endpoint_list_idx
    ON webhook_deliveries (vendor_id, endpoint_id, timestamp DESC, id DESC);
CREATE INDEX webhook_deliveries_dead_list_idx
    ON webhook_deliveries (vendor_id, timestamp DESC, id DESC) WHERE status = 'dead';
ALTER TABLE webhook_deliveries
    ADD COLUMN replays integer NOT NULL DEFAULT 0 CHECK (replays >= 0),
    ADD COLUMN job_id bigint;
ALTER TABLE webhook_deliveries SET (fillfactor = 90);

-- Endpoints listed in creation order.
CREATE INDEX webhook_endpoints_list_idx ON webhook_endpoints (vendor_id, created_at, id);

-- Bulk enqueue for the fanout (one statement for a batch of deliveries instead of
-- one od_job_enqueue call each): the same lane and row od_job_enqueue (020) makes,
-- without a unique key, due now; p_payloads and p_max_attempts are aligned.
CREATE FUNCTION od_job_enqueue_many(p_kind text, p_vendor uuid, p_payloads jsonb[],
                                    p_max_attempts int[])
RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM job_lanes
     WHERE lane_vendor = coalesce(p_vendor, '00000000-0000-0000-0000-000000000000')
       AND kind = p_kind;
    IF NOT FOUND THEN
        INSERT INTO job_lanes (vendor_id, kind) VALUES (p_vendor, p_kind)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN QUERY
    INSERT INTO jobs (kind, vendor_id, payload, run_at, max_attempts)
    SELECT p_kind, p_vendor, u.payload, now(), coalesce(u.max_attempts, 25)
      FROM unnest(p_payloads, p_max_attempts) AS u (payload, max_attempts)
    RETURNING id;
END
$$;

-- The lock both sides take: (namespace, vendor). Its hash collisions only make
-- two vendors wait for each other now and then.
CREATE FUNCTION od_events_lock_key(p_vendor uuid) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT hashtext(p_vendor::text) $$;

-- The vendor's pending fanout job (unique key 'events'): enqueued by the outbox
-- trigger, by this migration for older events, and by the events.sweep job (022).
-- Returns the new job's id, or NULL when one is pending already.
CREATE FUNCTION od_events_fanout_enqueue(p_vendor uuid) RETURNS bigint
LANGUAGE sql AS
$$ SELECT od_job_enqueue('events.fanout', p_vendor, '{}'::jsonb, NULL, NULL::smallint, 25,
                         'events') $$;

CREATE FUNCTION od_events_enqueue_fanout() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v uuid;
BEGIN
    FOR v IN SELECT DISTINCT vendor_id FROM new_events ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock_shared(hashtext('events.fanout'), od_events_lock_key(v));
        PERFORM od_events_fanout_enqueue(v);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER trg_events_fanout AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION od_events_enqueue_fanout();

-- The fanout's barrier (see the header): waits until every transaction of the
-- vendor that held the shared lock when it looked has ended. It never asks for the
-- lock itself: a waiting exclusive request would queue every new writer of the
-- vendor behind it (a convoy as long as the oldest writer), so it watches the
-- holders in pg_locks instead (a two-key advisory lock shows as classid, objid,
-- objsubid 2); a writer that starts later enqueues a job of its own.
CREATE FUNCTION od_events_barrier(p_vendor uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_holders text[];
BEGIN
    SELECT array_agg(l.virtualtransaction) INTO v_holders
      FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
       AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
       AND l.classid = hashtext('events.fanout')::oid
       AND l.objid = od_events_lock_key(p_vendor)::oid;
    WHILE v_holders IS NOT NULL AND EXISTS (
            SELECT 1 FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.objsubid = 2
               AND l.classid = hashtext('events.fanout')::oid
               AND l.objid = od_events_lock_key(p_vendor)::oid
               AND l.virtualtransaction = ANY (v_holders)) LOOP
        PERFORM pg_sleep(0.005);
    END LOOP;
END
$$;

-- A delivery whose job ends dead or canceled without recording it (a runner killed
-- on the last attempt and rescued to dead, a setup failure, an operator's cancel)
-- would stay pending with no job to carry it: it is marked dead with the job's
-- error, so it shows in the DLQ and can be replayed. A job of an older replay
-- (payload replays behind the row's) leaves the delivery alone; a delivery already
-- recorded as delivered or dead is not touched.
CREATE FUNCTION od_deliveries_job_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    UPDATE webhook_deliveries d
       SET status = 'dead',
           last_error = coalesce(NEW.last_error, d.last_error,
                                 'its delivery job ended ' || NEW.state::text)
     WHERE d.vendor_id = NEW.vendor_id
       AND d.id = (NEW.payload ->> 'delivery_id')::uuid
       AND d.replays = coalesce((NEW.payload ->> 'replays')::int, 0)
       AND d.status IN ('pending', 'delivering');
    RETURN NULL;
END
$$;
-- dead and canceled-in-place rows stay in jobs; canceled runs go to the archive
CREATE TRIGGER trg_jobs_delivery_ended AFTER UPDATE OF state ON jobs FOR EACH ROW
    WHEN (NEW.kind = 'webhook.deliver' AND NEW.state IN ('dead', 'canceled')
          AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION od_deliveries_job_ended();
CREATE TRIGGER trg_jobs_archive_delivery_ended AFTER INSERT ON jobs_archive FOR EACH ROW
    WHEN (NEW.kind = 'webhook.deliver' AND NEW.state IN ('dead', 'canceled'))
    EXECUTE FUNCTION od_deliveries_job_ended();
REVOKE EXECUTE ON FUNCTION od_deliveries_job_ended() FROM PUBLIC;

REVOKE EXECUTE ON FUNCTION od_events_lock_key(uuid), od_events_enqueue_fanout(),
    od_events_fanout_enqueue(uuid),
    od_events_barrier(uuid), od_job_enqueue_many(text, uuid, jsonb[], int[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_events_lock_key(uuid), od_events_barrier(uuid),
    od_events_fanout_enqueue(uuid),
    od_job_enqueue_many(text, uuid, jsonb[], int[]) TO odyssey_app;

-- Events written before this migration had no subscriber (there was no endpoint
-- API): the fanout of each vendor publishes them.
SELECT od_events_fanout_enqueue(e.vendor_id)
  FROM (SELECT DISTINCT vendor_id FROM events WHERE published_at IS NULL) e;
