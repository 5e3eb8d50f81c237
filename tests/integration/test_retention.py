"""test_retention.py: the scheduled retention.purge job, run by the real daemon
against rows and files on both sides of each retention period."""
import os
import time
import uuid

from stack import ENV, VAR, StackCase, ctl, psql, wait_for

VENDOR = ENV["ODYSSEY_DEMO_VENDOR_ID"]
STORAGE = os.path.join(VAR, "storage")   # ODYSSEY_STORAGE_DIR of scripts/dev
# the hot table and the archive of finished jobs
JOBS = ("(SELECT id, kind, state, unique_key, last_error, progress FROM jobs "
        "UNION ALL SELECT id, kind, state, unique_key, last_error, progress FROM jobs_archive) j")


def one(sql):
    return psql(sql).stdout.strip()


def run_purge():
    """Enqueues a purge now and waits for the daemon to finish it; returns its
    progress document."""
    jid = one("SELECT od_job_enqueue('retention.purge', NULL, '{}', NULL, NULL, NULL, NULL)")
    done = wait_for(lambda: one("SELECT state FROM " + JOBS + " WHERE id = " + jid) == "completed",
                    timeout=60, step=0.2)
    if not done:
        raise AssertionError("retention.purge did not complete: %s" % one(
            "SELECT state || ' ' || coalesce(last_error, '') FROM " + JOBS + " WHERE id = " + jid))
    return one("SELECT progress FROM " + JOBS + " WHERE id = " + jid)


class Retention(StackCase):
    def setUp(self):
        psql("DELETE FROM idempotency_keys WHERE key LIKE 'ret-%'")
        psql("DELETE FROM stg_vendor_raw WHERE source = 'ret-test'")

    def test_each_period_and_nothing_younger(self):
        v = VENDOR
        self.addCleanup(psql, "DELETE FROM ingestion_jobs WHERE id IN "
                        "('00000000-0000-4000-8000-00000000e091', '00000000-0000-4000-8000-00000000e089'); "
                        "DELETE FROM events WHERE event_type = 'test.retention'; "
                        "DELETE FROM webhook_endpoints WHERE url = 'https://ret.example/hook'; "
                        "DELETE FROM secrets WHERE key_id = 'ret-test'")
        audit_id = str(uuid.uuid4())
        # idempotency keys: 25 h old and expired, completed; one expired but still held
        # by a request; one fresh
        psql("INSERT INTO idempotency_keys (vendor_id, key, method, path, request_hash, state, "
             "locked_until, response_status, created_at, expires_at) VALUES "
             "('%s', 'ret-old', 'POST', '/x', sha256('a'), 'completed', NULL, 201, "
             " now() - interval '25 hours', now() - interval '1 hour'),"
             "('%s', 'ret-held', 'POST', '/x', sha256('b'), 'in_flight', now() + interval '1 minute', NULL, "
             " now() - interval '25 hours', now() - interval '1 hour'),"
             "('%s', 'ret-new', 'POST', '/x', sha256('c'), 'completed', NULL, 201, now(), "
             " now() + interval '23 hours')" % (v, v, v))
        psql("INSERT INTO stg_vendor_raw (vendor_id, source, page_id, payload, fetched_at) VALUES "
             "('%s', 'ret-test', 'old', '{}', now() - interval '31 days'),"
             "('%s', 'ret-test', 'new', '{}', now() - interval '29 days')" % (v, v))
        psql("INSERT INTO ingestion_jobs (id, vendor_id, mode, status, error_url, started_at, "
             "finished_at, created_at) VALUES "
             "('00000000-0000-4000-8000-00000000e091', '%s', 'products', 'completed', 'e91', "
             " now() - interval '91 days', now() - interval '91 days', now() - interval '91 days'),"
             "('00000000-0000-4000-8000-00000000e089', '%s', 'products', 'completed', 'e89', "
             " now() - interval '89 days', now() - interval '89 days', now() - interval '89 days') "
             "ON CONFLICT DO NOTHING" % (v, v))
        psql("INSERT INTO ingestion_job_errors (vendor_id, job_id, row_no, code, message) "
             "SELECT '%s', j, g, 'bad', 'bad row' FROM generate_series(1, 3) g, "
             "unnest(ARRAY['00000000-0000-4000-8000-00000000e091', "
             "'00000000-0000-4000-8000-00000000e089']::uuid[]) j" % v)
        psql("INSERT INTO events (vendor_id, event_type, payload, occurred_at, published_at) VALUES "
             "('%s', 'test.retention', '{\"age\": \"old\"}', now() - interval '40 days', now() - interval '31 days'),"
             "('%s', 'test.retention', '{\"age\": \"new\"}', now() - interval '40 days', now() - interval '29 days')"
             % (v, v))
        # deliveries: delivered and dead ones older than 30 days go; a pending one of
        # the same age and a recent delivered one stay
        ep = one("INSERT INTO webhook_endpoints (vendor_id, url, secret_ref, enabled) VALUES "
                 "('%s', 'https://ret.example/hook', 'none', false) RETURNING id" % v)
        psql("INSERT INTO webhook_deliveries (vendor_id, endpoint_id, event_id, event_type, payload, "
             "status, timestamp) SELECT '%s', '%s', gen_random_uuid(), 'test.retention', "
             "jsonb_build_object('case', c), s::webhook_delivery_status, now() - d * interval '1 day' "
             "FROM (VALUES ('delivered-old', 'delivered', 31), ('dead-old', 'dead', 31), "
             "('pending-old', 'pending', 31), ('delivered-new', 'delivered', 29)) x (c, s, d)"
             % (v, ep))
        # previous signing secrets: one whose rotation overlap ended, one still signing
        secret = ("INSERT INTO secrets (vendor_id, purpose, key_id, wrapped_key, nonce, ciphertext, tag) "
                  "VALUES ('%s', 'webhook', 'ret-test', '\\x00', decode(repeat('00', 12), 'hex'), '\\x00', "
                  "decode(repeat('00', 16), 'hex')) RETURNING id" % v)
        ended, live = one(secret), one(secret)
        ep_ended, ep_live = [one("INSERT INTO webhook_endpoints (vendor_id, url, secret_ref, enabled, "
                                 "previous_secret_ref, previous_secret_expires_at) VALUES "
                                 "('%s', 'https://ret.example/hook', 'none', false, '%s', now() %s) "
                                 "RETURNING id" % (v, ref, when))
                             for ref, when in ((ended, "- interval '1 minute'"),
                                               (live, "+ interval '1 hour'"))]
        # an audit row 5 years and 11 months old: never purged by the daemon
        psql("INSERT INTO audit_log (actor_role, vendor_id, action, entity, entity_id, timestamp) "
             "VALUES ('system', '%s', 'test', 'retention', '%s', "
             "now() - interval '5 years 11 months')" % (v, audit_id))
        folder = os.path.join(STORAGE, "ingest-errors", v)
        os.makedirs(folder, exist_ok=True)
        old_file = os.path.join(folder, "00000000-0000-4000-8000-00000000e091.csv")
        new_file = os.path.join(folder, "00000000-0000-4000-8000-00000000e089.csv")
        for path, days in ((old_file, 91), (new_file, 89)):
            with open(path, "w") as f:
                f.write("row_no,field,code,message\n")
            t = time.time() - days * 86400
            os.utime(path, (t, t))

        run_purge()

        self.assertEqual(one("SELECT string_agg(key, ',' ORDER BY key) FROM idempotency_keys "
                             "WHERE key LIKE 'ret-%'"), "ret-held,ret-new")
        self.assertEqual(one("SELECT string_agg(page_id, ',') FROM stg_vendor_raw "
                             "WHERE source = 'ret-test'"), "new")
        self.assertEqual(one("SELECT string_agg(right(job_id::text, 3), ',') FROM "
                             "(SELECT DISTINCT job_id FROM ingestion_job_errors WHERE job_id IN "
                             "('00000000-0000-4000-8000-00000000e091', "
                             "'00000000-0000-4000-8000-00000000e089')) e"), "089")
        self.assertEqual(one("SELECT coalesce(error_url, '-') || ' ' || (errors_purged_at IS NOT NULL) "
                             "FROM ingestion_jobs WHERE id = '00000000-0000-4000-8000-00000000e091'"),
                         "- true")
        self.assertEqual(one("SELECT string_agg(payload ->> 'age', ',') FROM events "
                             "WHERE event_type = 'test.retention'"), "new")
        self.assertEqual(one("SELECT string_agg(payload ->> 'case', ',' ORDER BY payload ->> 'case') "
                             "FROM webhook_deliveries WHERE endpoint_id = '%s'" % ep),
                         "delivered-new,pending-old")
        self.assertEqual(one("SELECT count(*) FROM secrets WHERE id IN ('%s', '%s')" % (ended, live)), "1")
        self.assertEqual(one("SELECT coalesce(previous_secret_ref, '-') FROM webhook_endpoints "
                             "WHERE id = '%s'" % ep_ended), "-")
        self.assertEqual(one("SELECT previous_secret_ref FROM webhook_endpoints "
                             "WHERE id = '%s'" % ep_live), live)
        self.assertEqual(one("SELECT count(*) FROM audit_log WHERE entity_id = '%s'" % audit_id), "1")
        self.assertFalse(os.path.exists(old_file))
        self.assertTrue(os.path.exists(new_file))

    def test_large_purge_goes_in_batches(self):
        # 12,001 expired keys: three batches of 5,000 and a short one
        psql("INSERT INTO idempotency_keys (vendor_id, key, method, path, request_hash, state, "
             "response_status, created_at, expires_at) "
             "SELECT '%s', 'ret-bulk-' || g, 'POST', '/x', sha256(g::text::bytea), 'completed', 201, "
             "now() - interval '2 days', now() - interval '1 day' FROM generate_series(1, 12001) g"
             % VENDOR)
        progress = run_purge()
        self.assertEqual(one("SELECT count(*) FROM idempotency_keys WHERE key LIKE 'ret-bulk-%'"), "0")
        self.assertIn('"idempotency_keys": 12001', progress)

    def test_schedule_enqueues_the_hourly_run(self):
        last = one("SELECT coalesce(max(id), 0) FROM " + JOBS + " WHERE kind = 'retention.purge'")
        psql("UPDATE job_schedules SET next_run_at = '-infinity' WHERE kind = 'retention.purge'")
        self.assertTrue(wait_for(lambda: one(
            "SELECT count(*) FROM " + JOBS + " WHERE kind = 'retention.purge' AND id > %s "
            "AND unique_key = 'schedule:retention.purge'" % last) == "1", timeout=30, step=0.2))
        # the next run is one period on, from the daemon's clock
        self.assertEqual(one("SELECT next_run_at BETWEEN now() + interval '59 minutes' "
                             "AND now() + interval '61 minutes' FROM job_schedules "
                             "WHERE kind = 'retention.purge'"), "t")

    def test_refused_outside_the_daemon(self):
        for sql in ("SELECT od_retention_purge('events', now(), 10)",
                    "SELECT od_jobs_schedule(now())"):
            p = psql(sql, user="app", check=False)
            self.assertNotEqual(p.returncode, 0, sql)
            self.assertIn("system context", p.stderr)


class OutboxSweep(StackCase):
    def test_an_event_without_its_fanout_is_published_by_the_sweep(self):
        p = ctl("vendor", "create", "--name", "Sweep Vendor")
        self.assertEqual(p.returncode, 0, p.stderr)
        v = p.stdout.strip()
        # an outbox row whose fanout job was never enqueued (the trigger is off for
        # this one insert), as if that job had gone dead
        eid = one("BEGIN; ALTER TABLE events DISABLE TRIGGER trg_events_fanout; "
                  "INSERT INTO events (vendor_id, event_type, payload, occurred_at) VALUES "
                  "('%s', 'test.sweep', '{}', now() - interval '2 minutes') RETURNING id; "
                  "ALTER TABLE events ENABLE TRIGGER trg_events_fanout; COMMIT" % v)
        self.assertEqual(one("SELECT count(*) FROM jobs WHERE kind = 'events.fanout' "
                             "AND vendor_id = '%s'" % v), "0")
        psql("UPDATE job_schedules SET next_run_at = '-infinity' WHERE kind = 'events.sweep'")
        self.assertTrue(wait_for(lambda: one("SELECT published_at IS NOT NULL FROM events "
                                             "WHERE id = %s" % eid) == "t", timeout=30, step=0.2))
