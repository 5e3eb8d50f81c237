-- 020 the job queue (issue 6, docs/queue.md). Evolves the jobs table of 008:
--  * lanes: one row per (vendor, kind) (vendor NULL: global jobs). A claim locks lane
--    rows FOR UPDATE SKIP LOCKED in the order they were last served (round-robin),
--    counts the lane's running jobs under that lock and claims at most cap - running;
--  * every scheduling time is a parameter (the daemon's clock), never now();
--  * heartbeat, finish, rescue and cancel are fenced by lock_token AND state='running';
--  * completed and canceled rows leave the hot table for jobs_archive (kept for the
--    retention period, so GET /api/v1/jobs/:id still answers); dead rows (the DLQ)
--    stay in jobs until replayed or past the retention;
--  * unique_key means one PENDING (available) job per (kind, vendor, key): a running
--    job does not block a new one, so work committed during a run is never missed.
-- The functions the API and triggers call (enqueue, cancel, retry, the job document)
-- run under the caller's row-level security. The daemon's own (claim, heartbeat,
-- finish, rescue, archive, purge) are SECURITY DEFINER and refuse to run outside the
-- system context: under RLS the planner estimates every row filter of the policy as
-- rare and picked bitmap scans plus sorts over whole lanes (10 ms a claim; 0.7 ms
-- without), and the policy is evaluated for each row. They also turn sequential scans
-- off: a plan made while the table was empty must not scan it once it is not.

-- ---------------------------------------------------------------------------------
-- jobs: new columns and indexes
-- ---------------------------------------------------------------------------------
-- is_available and is_running stand for state = 'available' / 'running', and
-- lane_vendor for the lane's vendor (a fixed uuid for global jobs), in the queue's
-- statements and indexes: plain columns stay usable as index conditions under
-- row-level security (the enqueue and the API's statements run under it), where the
-- enum's equality and coalesce(), not being leakproof, are not. graphile-worker has
-- the same kind of generated column.
ALTER TABLE jobs
    ADD COLUMN rescues      integer NOT NULL DEFAULT 0 CHECK (rescues >= 0),
    ADD COLUMN attempted_at timestamptz,   -- start of the latest attempt (claim time)
    ADD COLUMN is_available boolean GENERATED ALWAYS AS (state = 'available') STORED,
    ADD COLUMN is_running   boolean GENERATED ALWAYS AS (state = 'running') STORED,
    ADD COLUMN lane_vendor  uuid GENERATED ALWAYS AS
        (coalesce(vendor_id, '00000000-0000-0000-0000-000000000000')) STORED;

-- The claim reads one lane at a time: (vendor, kind), then priority and run_at.
DROP INDEX jobs_claim_idx;
CREATE INDEX jobs_lane_claim_idx
    ON jobs (lane_vendor, kind, priority, run_at, id)
    WHERE is_available;
-- One pending job per key and lane (vendor NULL = global counts as one value).
DROP INDEX jobs_unique_key_idx;
CREATE UNIQUE INDEX jobs_pending_key_idx ON jobs (kind, lane_vendor, unique_key)
    WHERE is_available AND unique_key IS NOT NULL;
-- Running jobs per lane (the cap) and for the rescuer.
DROP INDEX jobs_running_idx;
CREATE INDEX jobs_running_idx ON jobs (vendor_id, kind) WHERE is_running;

-- The hot table churns (insert, claim, delete on completion): vacuum it early and
-- without throttling; heartbeats are HOT updates (fillfactor 80 from 008).
ALTER TABLE jobs SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 2000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 5000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0
);

-- ---------------------------------------------------------------------------------
-- Finished jobs (completed, canceled; dead ones after the retention are deleted):
-- same columns, no queue indexes. Read by GET /api/v1/jobs/:id; purged by age.
-- ---------------------------------------------------------------------------------
CREATE TABLE jobs_archive (
    id               bigint      NOT NULL,
    kind             text        NOT NULL,
    vendor_id        uuid,
    state            job_state   NOT NULL,
    priority         smallint    NOT NULL,
    run_at           timestamptz NOT NULL,
    attempt          integer     NOT NULL,
    max_attempts     integer     NOT NULL,
    unique_key       text,
    payload          jsonb       NOT NULL,
    progress         jsonb,
    last_error       text,
    cancel_requested boolean     NOT NULL,
    rescues          integer     NOT NULL,
    created_at       timestamptz NOT NULL,
    attempted_at     timestamptz,
    finished_at      timestamptz NOT NULL,
    CONSTRAINT jobs_archive_pkey PRIMARY KEY (id),
    CONSTRAINT jobs_archive_state_chk CHECK (state IN ('completed', 'canceled', 'dead'))
) WITH (autovacuum_vacuum_insert_scale_factor = 0.05);
CREATE INDEX jobs_archive_finished_idx ON jobs_archive USING brin (finished_at);

-- ---------------------------------------------------------------------------------
-- Lanes: the unit of the per-vendor cap and of round-robin fairness. served_seq is
-- not indexed, so serving a lane is a HOT update of a tiny table.
-- ---------------------------------------------------------------------------------
CREATE SEQUENCE job_lanes_served_seq;
CREATE TABLE job_lanes (
    id         bigint GENERATED ALWAYS AS IDENTITY,
    vendor_id  uuid   REFERENCES vendors (id),   -- NULL: global jobs (no vendor cap)
    kind       text   NOT NULL,
    served_seq bigint NOT NULL DEFAULT 0,        -- lower: served longer ago (0: never)
    lane_vendor uuid GENERATED ALWAYS AS
        (coalesce(vendor_id, '00000000-0000-0000-0000-000000000000')) STORED,
    CONSTRAINT job_lanes_pkey PRIMARY KEY (id),
    CONSTRAINT job_lanes_key UNIQUE (lane_vendor, kind)
) WITH (
    fillfactor = 50,
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 200,
    autovacuum_vacuum_cost_delay = 0
);

-- Row-level security as for jobs (012): the vendor's rows, or the system context.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['jobs_archive', 'job_lanes']
    LOOP
        PERFORM od_enable_rls(t::regclass);
        EXECUTE format('CREATE POLICY tenant_or_system ON %I TO odyssey_app '
                       'USING (vendor_id = od_current_vendor() OR od_system_context()) '
                       'WITH CHECK (vendor_id = od_current_vendor() OR od_system_context())', t);
    END LOOP;
END
$$;
GRANT SELECT, INSERT, DELETE ON jobs_archive TO odyssey_app;
GRANT SELECT, INSERT, UPDATE ON job_lanes TO odyssey_app;
GRANT USAGE, SELECT ON SEQUENCE job_lanes_served_seq TO odyssey_app;

-- Lanes of the jobs enqueued before this migration.
INSERT INTO job_lanes (vendor_id, kind)
SELECT DISTINCT vendor_id, kind FROM jobs ON CONFLICT DO NOTHING;

-- Raises unless the session is in the daemon's system context (odyssey.system=on):
-- the first statement of the daemon's SECURITY DEFINER functions.
CREATE FUNCTION od_job_system_only(p_function text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT od_system_context() THEN
        RAISE EXCEPTION '% is the queue daemon''s: it needs the system context', p_function
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------
-- Wake-up: one NOTIFY per statement that inserted a job runnable now (a delayed job
-- is found by polling). Notifications of one transaction fold into one.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_jobs WHERE run_at <= statement_timestamp()) THEN
        PERFORM pg_notify('odyssey_jobs', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER trg_jobs_notify AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION od_jobs_notify();

-- ---------------------------------------------------------------------------------
-- Enqueue. Usable by the API (vendor context), by triggers and by the daemon.
-- p_run_at NULL: now (the database's clock; the job is due at once). Returns the id,
-- or NULL when a pending (available) job of the same kind, vendor and unique_key
-- exists: that job will do the work.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_enqueue(p_kind text, p_vendor uuid, p_payload jsonb,
                               p_run_at timestamptz, p_priority smallint,
                               p_max_attempts int, p_unique_key text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_lane uuid := coalesce(p_vendor, '00000000-0000-0000-0000-000000000000');
BEGIN
    PERFORM 1 FROM job_lanes WHERE lane_vendor = v_lane AND kind = p_kind;
    IF NOT FOUND THEN
        INSERT INTO job_lanes (vendor_id, kind) VALUES (p_vendor, p_kind)
        ON CONFLICT DO NOTHING;
    END IF;
    INSERT INTO jobs (kind, vendor_id, payload, run_at, priority, max_attempts, unique_key)
    VALUES (p_kind, p_vendor, coalesce(p_payload, '{}'), coalesce(p_run_at, now()),
            coalesce(p_priority, 100), coalesce(p_max_attempts, 25), p_unique_key)
    ON CONFLICT (kind, lane_vendor, unique_key)
        WHERE is_available AND unique_key IS NOT NULL DO NOTHING
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;

-- ---------------------------------------------------------------------------------
-- Claim up to p_limit jobs of the kinds the daemon runs (p_kinds, with the lane cap
-- and lease seconds of each at the same index), in three statements:
--  1. lock the least recently served lanes (served_seq) that have a due job, FOR
--     UPDATE SKIP LOCKED (a lane another claimer holds is skipped), enough of them to
--     fill the batch at the smallest cap, plus one;
--  2. in a new snapshot (so every claim committed before the locks is seen), count
--     each lane's running jobs and claim at most cap - running of its due jobs
--     (global lanes, vendor NULL, have no cap), and at most its share of the batch
--     (the batch over the lanes locked), lanes in served order;
--  3. in the same statement, move the lanes served and the lanes at their cap to
--     the back of the round (a lane with room that got nothing keeps its place).
-- A lane's cap therefore holds across claimers: only its lock holder claims in it.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_claim(p_now timestamptz, p_limit int, p_worker text,
                             p_kinds text[], p_caps int[], p_leases int[])
RETURNS TABLE (id bigint, kind text, vendor_id uuid, payload jsonb, lock_token uuid,
               attempt int, max_attempts int)
-- The index's order, never a sort of a lane, whatever the statistics say (an empty
-- table at the last ANALYZE, then a burst of 100,000 jobs, is ordinary for a queue).
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET enable_sort = off SET enable_bitmapscan = off SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
    v_lanes bigint[];
    v_want int := p_limit / greatest(1, (SELECT min(c) FROM unnest(p_caps) c)) + 1;
    v_share int;
BEGIN
    PERFORM od_job_system_only('od_job_claim');
    SELECT array_agg(l.id) INTO v_lanes
      FROM (SELECT ln.id FROM job_lanes ln
             WHERE ln.kind = ANY (p_kinds)
               -- a probe of the claim index per lane (a scalar subquery, so it is
               -- never turned into a join over every available job)
               AND (SELECT true FROM jobs j
                     WHERE j.lane_vendor = ln.lane_vendor AND j.kind = ln.kind AND j.is_available
                       AND j.run_at <= p_now
                     LIMIT 1)
             ORDER BY ln.served_seq, ln.id
             LIMIT v_want
               FOR UPDATE OF ln SKIP LOCKED) l;
    IF v_lanes IS NULL THEN
        RETURN;
    END IF;
    v_share := ceil(p_limit::numeric / cardinality(v_lanes))::int;
    RETURN QUERY
    WITH lane AS (
        SELECT ln.id AS lane_id, ln.vendor_id AS vendor, ln.lane_vendor, ln.kind AS lkind,
               ln.served_seq, k.lease,
               CASE WHEN ln.vendor_id IS NULL THEN p_limit
                    -- a plain index scan stopping at cap (a LIMIT): it marks the
                    -- entries of finished jobs dead as it passes them, which a
                    -- bitmap scan never does, so the count stays cheap between
                    -- vacuums
                    ELSE k.cap - (SELECT count(*) FROM (
                                      SELECT 1 FROM jobs r
                                       WHERE r.vendor_id = ln.vendor_id AND r.kind = ln.kind
                                         AND r.is_running
                                       LIMIT k.cap) r)::int END AS room
          FROM job_lanes ln
          JOIN unnest(p_kinds, p_caps, p_leases) AS k (kind, cap, lease) ON k.kind = ln.kind
         WHERE ln.id = ANY (v_lanes)),
    pick AS (
        -- each lane's share of the batch at most, so the first lane cannot fill it
        SELECT c.id, lane.lease, lane.lane_id
          FROM lane,
               LATERAL (SELECT j.id FROM jobs j
                         WHERE j.lane_vendor = lane.lane_vendor AND j.kind = lane.lkind AND j.is_available
                           AND j.run_at <= p_now
                         -- the index's own order: read in order, never sorted
                         ORDER BY j.lane_vendor, j.kind, j.priority, j.run_at, j.id
                         LIMIT least(greatest(lane.room, 0), v_share)
                           FOR UPDATE SKIP LOCKED) c
         ORDER BY lane.served_seq
         LIMIT p_limit),
    claimed AS (
        UPDATE jobs j
           SET state = 'running', attempt = j.attempt + 1, attempted_at = p_now,
               lease_until = p_now + make_interval(secs => pick.lease),
               lock_token = gen_random_uuid(), locked_by = p_worker
          FROM pick WHERE j.id = pick.id
        RETURNING j.id, j.kind, j.vendor_id, j.payload, j.lock_token, j.attempt,
                  j.max_attempts, pick.lane_id),
    -- to the back of the round: the lanes served now, and those at their cap (which
    -- would otherwise take a place in every claim); a lane with room that got
    -- nothing keeps its place
    bump AS (
        UPDATE job_lanes ln SET served_seq = nextval('job_lanes_served_seq')
         WHERE ln.id IN (SELECT c.lane_id FROM claimed c
                         UNION SELECT l.lane_id FROM lane l WHERE l.room <= 0))
    SELECT c.id, c.kind, c.vendor_id, c.payload, c.lock_token, c.attempt, c.max_attempts
      FROM claimed c;
END
$$;

-- ---------------------------------------------------------------------------------
-- Heartbeat of the jobs a runner holds: extends each lease to p_now + its lease
-- seconds and stores progress (NULL keeps it). Returns one row per job whose lease
-- is still held (token and state match), with whether it may go on (no cancel
-- request). A job missing from the result was lost: the runner must stop it.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_heartbeat(p_now timestamptz, p_ids bigint[], p_tokens uuid[],
                                 p_leases int[], p_progress jsonb[])
RETURNS TABLE (id bigint, go_on boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
    PERFORM od_job_system_only('od_job_heartbeat');
    RETURN QUERY
    UPDATE jobs j
       SET lease_until = p_now + make_interval(secs => h.lease),
           progress = coalesce(h.progress, j.progress)
      FROM unnest(p_ids, p_tokens, p_leases, p_progress) AS h (id, token, lease, progress)
     WHERE j.id = h.id AND j.lock_token = h.token AND j.state = 'running'
    RETURNING j.id, NOT j.cancel_requested;
END
$$;

-- True when another pending job of the same kind, vendor and key exists (a job that
-- would go back to available is then superseded by it).
CREATE FUNCTION od_job_has_pending_twin(p_id bigint, p_kind text, p_lane_vendor uuid,
                                        p_key text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_key IS NOT NULL AND EXISTS (
        SELECT 1 FROM jobs o
         WHERE o.kind = p_kind AND o.lane_vendor = p_lane_vendor AND o.unique_key = p_key
           AND o.is_available AND o.id <> p_id)
$$;

-- The batched finish, without the unique-key fallback (see od_job_finish).
-- Outcomes: completed, canceled (moved to jobs_archive); dead; retry (available at
-- run_at, or dead when the attempts are spent); snooze (available at run_at, the
-- attempt given back); release (handed back unstarted or at shutdown: available,
-- run_at kept, the attempt given back). A job going back to available while another
-- pending job holds its unique key is canceled as superseded, and so is one whose
-- cancel was requested while it ran (a retry, snooze or hand-back never requeues it).
CREATE FUNCTION od_job_finish_rows(p_now timestamptz, p_ids bigint[], p_tokens uuid[],
                                   p_outcomes text[], p_run_ats timestamptz[],
                                   p_errors text[], p_progress jsonb[])
RETURNS SETOF bigint
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    RETURN QUERY
    WITH f AS (
        SELECT * FROM unnest(p_ids, p_tokens, p_outcomes, p_run_ats, p_errors, p_progress)
                   AS f (id, token, outcome, run_at, error, progress)),
    gone AS (
        DELETE FROM jobs j USING f
         WHERE j.id = f.id AND j.lock_token = f.token AND j.state = 'running'
           AND f.outcome IN ('completed', 'canceled')
        RETURNING j.*, f.outcome AS f_outcome, f.error AS f_error, f.progress AS f_progress),
    arch AS (
        INSERT INTO jobs_archive (id, kind, vendor_id, state, priority, run_at, attempt,
                                  max_attempts, unique_key, payload, progress, last_error,
                                  cancel_requested, rescues, created_at, attempted_at,
                                  finished_at)
        SELECT g.id, g.kind, g.vendor_id, g.f_outcome::job_state, g.priority, g.run_at,
               g.attempt, g.max_attempts, g.unique_key, g.payload,
               coalesce(g.f_progress, g.progress),
               CASE WHEN g.f_outcome = 'completed' THEN g.last_error
                    ELSE coalesce(g.f_error, g.last_error) END,
               g.cancel_requested, g.rescues, g.created_at, g.attempted_at, p_now
          FROM gone g
        RETURNING id),
    back AS (
        SELECT f.id, f.token, f.outcome, f.run_at, f.error, f.progress, t.superseded,
               CASE WHEN f.outcome = 'dead' THEN 'dead'::job_state
                    -- a cancel requested while it ran sticks, whatever the outcome
                    WHEN j.cancel_requested THEN 'canceled'
                    WHEN f.outcome = 'retry' AND j.attempt >= j.max_attempts THEN 'dead'
                    WHEN t.superseded THEN 'canceled'
                    ELSE 'available' END AS new_state
          FROM f JOIN jobs j ON j.id = f.id,
               LATERAL (SELECT f.outcome <> 'dead'
                           AND NOT (f.outcome = 'retry' AND j.attempt >= j.max_attempts)
                           AND od_job_has_pending_twin(j.id, j.kind, j.lane_vendor, j.unique_key)
                        AS superseded) t
         WHERE j.lock_token = f.token AND j.state = 'running'
           AND f.outcome IN ('dead', 'retry', 'snooze', 'release')),
    upd AS (
        UPDATE jobs j
           SET state = b.new_state,
               attempt = CASE WHEN b.outcome IN ('snooze', 'release') AND b.new_state = 'available'
                              THEN j.attempt - 1 ELSE j.attempt END,
               run_at = CASE WHEN b.outcome = 'release' OR b.new_state <> 'available'
                             THEN j.run_at ELSE coalesce(b.run_at, p_now) END,
               last_error = CASE
                   WHEN b.superseded THEN 'superseded by a pending job with the same unique_key'
                   WHEN b.outcome = 'release' THEN j.last_error
                   ELSE coalesce(b.error, j.last_error) END,
               progress = coalesce(b.progress, j.progress),
               finished_at = CASE WHEN b.new_state = 'available' THEN NULL ELSE p_now END,
               lease_until = NULL, lock_token = NULL, locked_by = NULL
          FROM back b
         WHERE j.id = b.id AND j.lock_token = b.token AND j.state = 'running'
        RETURNING j.id)
    SELECT arch.id FROM arch UNION ALL SELECT upd.id FROM upd;
END
$$;

-- Records the outcomes of a runner's jobs (arrays of the same length). Fenced: a
-- row whose lock_token no longer matches, or that is no longer running, is left
-- alone (its runner lost the lease). Returns the ids that were recorded. When a
-- concurrent enqueue takes a unique key at the same moment (unique_violation),
-- the rows are recorded one by one instead, each in its own subtransaction.
CREATE FUNCTION od_job_finish(p_now timestamptz, p_ids bigint[], p_tokens uuid[],
                              p_outcomes text[], p_run_ats timestamptz[],
                              p_errors text[], p_progress jsonb[])
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET enable_seqscan = off AS $$
DECLARE
    i int;
BEGIN
    PERFORM od_job_system_only('od_job_finish');
    BEGIN
        RETURN QUERY SELECT od_job_finish_rows(p_now, p_ids, p_tokens, p_outcomes,
                                               p_run_ats, p_errors, p_progress);
        RETURN;
    EXCEPTION WHEN unique_violation THEN
        NULL;
    END;
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        BEGIN
            RETURN QUERY SELECT od_job_finish_rows(p_now, ARRAY[p_ids[i]], ARRAY[p_tokens[i]],
                                                   ARRAY[p_outcomes[i]], ARRAY[p_run_ats[i]],
                                                   ARRAY[p_errors[i]], ARRAY[p_progress[i]]);
        EXCEPTION WHEN unique_violation THEN
            -- the twin committed meanwhile: now it is visible, so this is superseded
            RETURN QUERY SELECT od_job_finish_rows(p_now, ARRAY[p_ids[i]], ARRAY[p_tokens[i]],
                                                   ARRAY[p_outcomes[i]], ARRAY[p_run_ats[i]],
                                                   ARRAY[p_errors[i]], ARRAY[p_progress[i]]);
        END;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------
-- Rescue: running jobs whose lease ended before p_now (their runner died or hangs)
-- go back to available (run again at once), or to dead when their attempts are
-- spent, or to canceled when a cancel was requested; rescues counts it. Returns the
-- number of jobs rescued and, of them, how many are available again.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_rescue(p_now timestamptz, p_limit int,
                              OUT rescued int, OUT requeued int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET enable_seqscan = off AS $$
DECLARE
    v_ids bigint[];
    v_tokens uuid[];
    v_outcomes text[];
BEGIN
    PERFORM od_job_system_only('od_job_rescue');
    SELECT array_agg(j.id), array_agg(j.lock_token),
           array_agg(CASE WHEN j.cancel_requested THEN 'canceled'
                          WHEN j.attempt >= j.max_attempts THEN 'dead'
                          ELSE 'retry' END)
      INTO v_ids, v_tokens, v_outcomes
      FROM (SELECT j.id, j.lock_token, j.cancel_requested, j.attempt, j.max_attempts
              FROM jobs j
             WHERE j.is_running AND j.lease_until < p_now
             ORDER BY j.lease_until
             LIMIT p_limit
               FOR UPDATE SKIP LOCKED) j;
    rescued := coalesce(array_length(v_ids, 1), 0);
    requeued := 0;
    IF rescued = 0 THEN
        RETURN;
    END IF;
    UPDATE jobs SET rescues = rescues + 1 WHERE id = ANY (v_ids);
    PERFORM od_job_finish(p_now, v_ids, v_tokens, v_outcomes,
                          array_fill(p_now, ARRAY[rescued]),
                          array_fill('lease expired: the runner stopped without finishing '
                                     '(rescued)'::text, ARRAY[rescued]),
                          array_fill(NULL::jsonb, ARRAY[rescued]));
    SELECT count(*) INTO requeued FROM jobs WHERE id = ANY (v_ids) AND state = 'available';
END
$$;

-- ---------------------------------------------------------------------------------
-- Cancel: an available job is canceled at once; a running one gets cancel_requested
-- (its runner sees it at its next heartbeat). Returns 'canceled',
-- 'cancel_requested', the unchanged state of a finished job, or NULL when there is
-- no such job (for this caller: RLS).
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_cancel(p_id bigint, p_now timestamptz)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_state text;
BEGIN
    UPDATE jobs SET state = 'canceled', finished_at = coalesce(p_now, now()),
                    last_error = 'canceled while queued'
     WHERE id = p_id AND state = 'available'
    RETURNING 'canceled' INTO v_state;
    IF FOUND THEN
        RETURN v_state;
    END IF;
    UPDATE jobs SET cancel_requested = true
     WHERE id = p_id AND state = 'running'
    RETURNING 'cancel_requested' INTO v_state;
    IF FOUND THEN
        RETURN v_state;
    END IF;
    SELECT state::text INTO v_state FROM jobs WHERE id = p_id;
    IF NOT FOUND THEN
        SELECT state::text INTO v_state FROM jobs_archive WHERE id = p_id;
    END IF;
    RETURN v_state;
END
$$;

-- ---------------------------------------------------------------------------------
-- Retry now (odysseyctl jobs retry, dlq replay): a dead job becomes available with
-- its attempts reset; an available one (waiting for its backoff) runs at once.
-- Returns the state it is in afterwards ('available'), the unchanged state of a job
-- that cannot be retried, 'superseded' when a pending job holds its unique key, or
-- NULL when there is no such job.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_retry(p_id bigint, p_now timestamptz)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    j jobs;
BEGIN
    SELECT * INTO j FROM jobs WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN (SELECT state::text FROM jobs_archive WHERE id = p_id);
    END IF;
    IF j.state NOT IN ('dead', 'available') THEN
        RETURN j.state::text;
    END IF;
    IF j.state = 'dead' AND od_job_has_pending_twin(j.id, j.kind, j.lane_vendor, j.unique_key) THEN
        RETURN 'superseded';
    END IF;
    BEGIN
        UPDATE jobs
           SET state = 'available', run_at = p_now, finished_at = NULL,
               attempt = CASE WHEN state = 'dead' THEN 0 ELSE attempt END,
               cancel_requested = false
         WHERE id = p_id;
    EXCEPTION WHEN unique_violation THEN
        RETURN 'superseded';
    END;
    PERFORM pg_notify('odyssey_jobs', '');
    RETURN 'available';
END
$$;

-- ---------------------------------------------------------------------------------
-- Housekeeping of the daemon. od_job_archive moves finished rows left in jobs
-- (canceled while queued, superseded) to jobs_archive; od_job_purge deletes archived
-- rows and dead jobs that finished before p_before. Both work in batches of p_limit
-- rows and return how many they moved or deleted.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_archive(p_limit int)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    SET enable_seqscan = off AS $$
DECLARE
    v_moved int;
BEGIN
    PERFORM od_job_system_only('od_job_archive');
    WITH gone AS (
        DELETE FROM jobs WHERE id IN (
            SELECT id FROM jobs
             WHERE finished_at IS NOT NULL AND state IN ('completed', 'canceled')
             ORDER BY finished_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
        RETURNING *)
    INSERT INTO jobs_archive (id, kind, vendor_id, state, priority, run_at, attempt,
                              max_attempts, unique_key, payload, progress, last_error,
                              cancel_requested, rescues, created_at, attempted_at,
                              finished_at)
    SELECT id, kind, vendor_id, state, priority, run_at, attempt, max_attempts,
           unique_key, payload, progress, last_error, cancel_requested, rescues,
           created_at, attempted_at, finished_at
      FROM gone;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    RETURN v_moved;
END
$$;

CREATE FUNCTION od_job_purge(p_before timestamptz, p_limit int)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_archived int;
    v_dead int;
BEGIN
    PERFORM od_job_system_only('od_job_purge');
    DELETE FROM jobs_archive WHERE id IN (
        SELECT id FROM jobs_archive WHERE finished_at < p_before LIMIT p_limit);
    GET DIAGNOSTICS v_archived = ROW_COUNT;
    DELETE FROM jobs WHERE id IN (
        SELECT id FROM jobs
         WHERE state = 'dead' AND finished_at < p_before
         LIMIT p_limit FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_dead = ROW_COUNT;
    RETURN v_archived + v_dead;
END
$$;

-- ---------------------------------------------------------------------------------
-- The document of one job (GET /api/v1/jobs/:id, odysseyctl jobs show): hot table
-- first, then the archive. No payload: it may hold what only the daemon should see.
-- ---------------------------------------------------------------------------------
CREATE FUNCTION od_job_json(p_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
               'id', j.id::text, 'kind', j.kind, 'vendor_id', j.vendor_id,
               'state', j.state,
               'status', CASE
                   WHEN j.state = 'available' AND j.attempt > 0 THEN 'retrying'
                   WHEN j.state = 'available' THEN 'queued'
                   WHEN j.state = 'running' AND j.cancel_requested THEN 'canceling'
                   WHEN j.state = 'dead' THEN 'failed'
                   ELSE j.state::text END,
               'progress', j.progress, 'attempt', j.attempt,
               'max_attempts', j.max_attempts, 'rescues', j.rescues,
               'cancel_requested', j.cancel_requested, 'run_at', j.run_at,
               'created_at', j.created_at, 'started_at', j.attempted_at,
               'finished_at', j.finished_at, 'last_error', j.last_error)
      FROM (SELECT id, kind, vendor_id, state, progress, attempt, max_attempts, rescues,
                   cancel_requested, run_at, created_at, attempted_at, finished_at,
                   last_error
              FROM jobs WHERE id = p_id
            UNION ALL
            SELECT id, kind, vendor_id, state, progress, attempt, max_attempts, rescues,
                   cancel_requested, run_at, created_at, attempted_at, finished_at,
                   last_error
              FROM jobs_archive WHERE id = p_id
             LIMIT 1) j
$$;

REVOKE EXECUTE ON FUNCTION
    od_job_system_only(text),
    od_jobs_notify(),
    od_job_enqueue(text, uuid, jsonb, timestamptz, smallint, int, text),
    od_job_claim(timestamptz, int, text, text[], int[], int[]),
    od_job_heartbeat(timestamptz, bigint[], uuid[], int[], jsonb[]),
    od_job_has_pending_twin(bigint, text, uuid, text),
    od_job_finish_rows(timestamptz, bigint[], uuid[], text[], timestamptz[], text[], jsonb[]),
    od_job_finish(timestamptz, bigint[], uuid[], text[], timestamptz[], text[], jsonb[]),
    od_job_rescue(timestamptz, int),
    od_job_cancel(bigint, timestamptz),
    od_job_retry(bigint, timestamptz),
    od_job_archive(int),
    od_job_purge(timestamptz, int),
    od_job_json(bigint)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    od_job_enqueue(text, uuid, jsonb, timestamptz, smallint, int, text),
    od_job_claim(timestamptz, int, text, text[], int[], int[]),
    od_job_heartbeat(timestamptz, bigint[], uuid[], int[], jsonb[]),
    od_job_has_pending_twin(bigint, text, uuid, text),
    od_job_finish(timestamptz, bigint[], uuid[], text[], timestamptz[], text[], jsonb[]),
    od_job_rescue(timestamptz, int),
    od_job_cancel(bigint, timestamptz),
    od_job_retry(bigint, timestamptz),
    od_job_archive(int),
    od_job_purge(timestamptz, int),
    od_job_json(bigint)
TO odyssey_app;
