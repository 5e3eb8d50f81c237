-- 008 plumbing: webhook endpoints and deliveries, the transactional events outbox, the
-- Postgres job queue (first version, see reference/queue.md), the idempotency-key
-- store (reference/http-conventions.md), and the insert-only audit log.

-- ---------------------------------------------------------------------------------
-- Webhooks
-- ---------------------------------------------------------------------------------
CREATE TABLE webhook_endpoints (
    id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id           uuid        NOT NULL REFERENCES vendors (id),
    url                 text        NOT NULL CHECK (url ~* '^https?://' AND length(url) <= 2048),
    secret_ref          text        NOT NULL,  -- reference into the encrypted secret store
    -- rotation window: while previous_secret_expires_at > now() both signatures are sent
    previous_secret_ref        text,
    previous_secret_expires_at timestamptz,
    enabled             boolean     NOT NULL DEFAULT true,
    description         text,
    retries_max         integer     NOT NULL DEFAULT 10 CHECK (retries_max BETWEEN 0 AND 50),
    tolerance_sec       integer     NOT NULL DEFAULT 300 CHECK (tolerance_sec BETWEEN 1 AND 86400),
    failing_since       timestamptz,   -- first failure of the current failure streak
    disabled_reason     text,          -- e.g. 'http_410', 'failing_5_days'
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_endpoints_vendor_id_key UNIQUE (vendor_id, id)
);
CREATE INDEX webhook_endpoints_vendor_idx ON webhook_endpoints (vendor_id) WHERE enabled;

-- One delivery per (endpoint, event); retries update the row (attempt, next_attempt_at).
-- status 'dead' is the dead-letter queue; a replay re-queues it with the same event_id.
CREATE TABLE webhook_deliveries (
    id               uuid                    NOT NULL DEFAULT gen_random_uuid(),
    vendor_id        uuid                    NOT NULL REFERENCES vendors (id),
    endpoint_id      uuid                    NOT NULL,
    event_id         uuid                    NOT NULL,
    event_type       text                    NOT NULL CHECK (event_type ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$'),
    payload          jsonb                   NOT NULL,
    status           webhook_delivery_status NOT NULL DEFAULT 'pending',
    attempt          integer                 NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    next_attempt_at  timestamptz             NOT NULL DEFAULT now(),
    last_error       text,
    response_status  integer,
    signature        text,                   -- X-Signature of the last attempt
    timestamp        timestamptz             NOT NULL DEFAULT now(),   -- created
    delivered_at     timestamptz,
    updated_at       timestamptz             NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT webhook_deliveries_endpoint_event_key UNIQUE (vendor_id, endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_endpoint_fkey FOREIGN KEY (vendor_id, endpoint_id)
        REFERENCES webhook_endpoints (vendor_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_vendor_idx ON webhook_deliveries (vendor_id, timestamp DESC);
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (vendor_id, endpoint_id) WHERE status = 'dead';

-- ---------------------------------------------------------------------------------
-- Transactional outbox: written in the same transaction as the change it announces;
-- a publisher fans unpublished rows out to webhook_deliveries and sets published_at.
-- ---------------------------------------------------------------------------------
CREATE TABLE events (
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    vendor_id    uuid        NOT NULL REFERENCES vendors (id),
    event_id     uuid        NOT NULL DEFAULT gen_random_uuid(),
    event_type   text        NOT NULL CHECK (event_type ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$'),
    payload      jsonb       NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    CONSTRAINT events_pkey PRIMARY KEY (id),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX events_unpublished_idx ON events (id) WHERE published_at IS NULL;
CREATE INDEX events_vendor_occurred_idx ON events (vendor_id, occurred_at DESC);

-- ---------------------------------------------------------------------------------
-- Job queue. Claim: state='available' AND run_at <= now() ORDER BY priority, run_at, id
-- FOR UPDATE SKIP LOCKED (partial index jobs_claim_idx). A retry is 'available' with a
-- future run_at; 'dead' is the DLQ. Heartbeats update lease_until/progress only; those
-- columns are not indexed so heartbeats stay HOT updates (fillfactor leaves room).
-- ---------------------------------------------------------------------------------
CREATE TABLE jobs (
    id               bigint      GENERATED ALWAYS AS IDENTITY,
    kind             text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    vendor_id        uuid        REFERENCES vendors (id),   -- NULL for global jobs
    state            job_state   NOT NULL DEFAULT 'available',
    priority         smallint    NOT NULL DEFAULT 100,      -- lower runs first
    run_at           timestamptz NOT NULL DEFAULT now(),
    attempt          integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts     integer     NOT NULL DEFAULT 25 CHECK (max_attempts >= 1),
    lease_until      timestamptz,
    locked_by        text,
    lock_token       uuid,       -- fencing token: finish/heartbeat say AND lock_token = $t
    unique_key       text,
    payload          jsonb       NOT NULL DEFAULT '{}',
    progress         jsonb,
    last_error       text,
    cancel_requested boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CONSTRAINT jobs_pkey PRIMARY KEY (id),
    CONSTRAINT jobs_running_lease_chk CHECK (
        state <> 'running' OR (lease_until IS NOT NULL AND lock_token IS NOT NULL)),
    CONSTRAINT jobs_finished_chk CHECK (
        (state IN ('completed', 'dead', 'canceled')) = (finished_at IS NOT NULL))
) WITH (
    fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 500,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);
CREATE INDEX jobs_claim_idx ON jobs (priority, run_at, id) WHERE state = 'available';
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (kind, unique_key)
    WHERE state IN ('available', 'running') AND unique_key IS NOT NULL;
-- rescuer (expired leases) and per-vendor running counts; indexes only columns that a
-- heartbeat does not change
CREATE INDEX jobs_running_idx ON jobs (vendor_id, kind) WHERE state = 'running';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- ---------------------------------------------------------------------------------
-- Idempotency keys (scoped by vendor). The INSERT of (vendor_id, key) is the atomic
-- claim; request_hash = SHA-256(method, path, query, raw body). in_flight rows carry a
-- lease (locked_until) so a key left by a crashed worker can be taken over.
-- ---------------------------------------------------------------------------------
CREATE TABLE idempotency_keys (
    vendor_id        uuid              NOT NULL REFERENCES vendors (id),
    key              text              NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method           text              NOT NULL CHECK (method IN ('POST', 'PUT', 'PATCH')),
    path             text              NOT NULL,
    request_hash     bytea             NOT NULL CHECK (length(request_hash) = 32),
    user_id          text,
    state            idempotency_state NOT NULL DEFAULT 'in_flight',
    locked_until     timestamptz,
    response_status  integer           CHECK (response_status BETWEEN 100 AND 599),
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz       NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    expires_at       timestamptz       NOT NULL DEFAULT now() + interval '24 hours',
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (vendor_id, key),
    CONSTRAINT idempotency_keys_state_chk CHECK (
        (state = 'in_flight' AND locked_until IS NOT NULL)
        OR (state = 'completed' AND response_status IS NOT NULL))
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- ---------------------------------------------------------------------------------
-- Audit log (HIPAA; retained 6 years). Insert-only: UPDATE, DELETE and TRUNCATE raise,
-- for every role including the owner. A retention purge is an owner maintenance step
-- (ALTER TABLE audit_log DISABLE TRIGGER ..., DELETE old rows, ENABLE TRIGGER).
-- ---------------------------------------------------------------------------------
CREATE TABLE audit_log (
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    actor_user_id text,       -- NULL for system actors (worker, migration)
    actor_role    text,       -- od_role value or 'system'
    vendor_id     uuid        REFERENCES vendors (id),
    action        text        NOT NULL,   -- e.g. 'health.read', 'product.delete', 'rbac.grant'
    entity        text        NOT NULL,   -- e.g. 'customer_health_profile'
    entity_id     text,
    before        jsonb,
    after         jsonb,
    ip            inet,
    ua            text,
    request_id    text,
    justification text,       -- required by the app for break-glass (superadmin) access
    timestamp     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_log_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_log_vendor_ts_idx ON audit_log (vendor_id, timestamp DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, timestamp DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, timestamp DESC);

CREATE FUNCTION od_audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is insert-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit rows are retained for 6 years and are never modified.';
END
$$;
CREATE TRIGGER trg_audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION od_audit_log_immutable();
CREATE TRIGGER trg_audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION od_audit_log_immutable();

CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON webhook_endpoints
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
