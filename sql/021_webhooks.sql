-- 021 webhooks (issue 6, docs/webhooks.md): what endpoints subscribe to, the indexes
-- of the deliveries listing, and the outbox trigger that wakes the fanout.
--  * webhook_endpoints.events: the event types an endpoint receives ('*': all);
--  * webhook_deliveries: listed newest first per vendor, per endpoint, and the dead
--    ones (the DLQ); the queue (jobs, 020) schedules attempts, so the due index of
--    008 goes; job_id names the webhook.deliver job of the latest (re)queue;
--  * events: a statement-level trigger enqueues one events.fanout job per vendor
--    (od_job_enqueue, unique key 'events': one pending job per vendor). It takes a
--    shared advisory lock of the vendor first, held to commit; the fanout job takes
--    the same lock exclusively before it reads, so every transaction whose enqueue
--    found a pending job has committed its events before that job looks for them
--    (docs/webhooks.md, "Exactly once").

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
    ADD COLUMN job_id bigint;
ALTER TABLE webhook_deliveries SET (fillfactor = 90);

-- The lock both sides take: (namespace, vendor). Its hash collisions only make
-- two vendors wait for each other now and then.
CREATE FUNCTION od_events_lock_key(p_vendor uuid) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT hashtext(p_vendor::text) $$;

CREATE FUNCTION od_events_enqueue_fanout() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v uuid;
BEGIN
    FOR v IN SELECT DISTINCT vendor_id FROM new_events ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock_shared(hashtext('events.fanout'), od_events_lock_key(v));
        PERFORM od_job_enqueue('events.fanout', v, '{}'::jsonb, NULL, NULL::smallint, 25,
                               'events');
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER trg_events_fanout AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION od_events_enqueue_fanout();

-- The fanout's barrier (see the header): waits until every transaction of the
-- vendor that wrote events has ended.
CREATE FUNCTION od_events_barrier(p_vendor uuid) RETURNS void
LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(hashtext('events.fanout'), od_events_lock_key(p_vendor)) $$;

REVOKE EXECUTE ON FUNCTION od_events_lock_key(uuid), od_events_enqueue_fanout(),
    od_events_barrier(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_events_lock_key(uuid), od_events_barrier(uuid) TO odyssey_app;

-- Events written before this migration had no subscriber (there was no endpoint
-- API): the fanout of each vendor publishes them.
SELECT od_job_enqueue('events.fanout', e.vendor_id, '{}'::jsonb, NULL, NULL::smallint, 25,
                      'events')
  FROM (SELECT DISTINCT vendor_id FROM events WHERE published_at IS NULL) e;
