"""test_queue.py: the job queue against the real daemon and PostgreSQL: jobs run and
leave the hot table, NOTIFY wakes an idle daemon, the per-vendor cap holds under 4
runners, a backlog does not starve another vendor, a zombie runner cannot finish, a
SIGKILLed runner is replaced and its job rescued, cancel, retries with backoff on a
moved clock, snooze, dead letters and replay, unique keys, GET /api/v1/jobs/:id and
SIGTERM.

The suite restarts odyssey-worker with 4 runners, the test kind test.sleep, a 6 s
lease, a cap of 2 for test.sleep and a 60 s polling interval (so that anything
claimed sooner was woken by NOTIFY, a SIGHUP or a rescue); it moves the daemon's
clock through ODYSSEY_CLOCK_OFFSET in the settings file and SIGHUP."""
import json
import os
import re
import signal
import time

from stack import (ENV, StackCase, alive, children, ctl, log_lines, pid_of, psql, psql_super, request,
                   start_program, wait_for)

DEMO = ENV["ODYSSEY_DEMO_VENDOR_ID"]
ADMIN, OPERATOR, VIEWER = (ENV["ODYSSEY_TOKEN_ADMIN"], ENV["ODYSSEY_TOKEN_OPERATOR"],
                           ENV["ODYSSEY_TOKEN_VIEWER"])
SUITE_ENV = {"ODYSSEY_RUNNERS": "4", "ODYSSEY_QUEUE_TEST_KINDS": "1", "ODYSSEY_QUEUE_LEASE": "6",
             "ODYSSEY_QUEUE_CAPS": "test.sleep=2", "ODYSSEY_POLL_INTERVAL": "60000"}
CONFIG = ENV["ODYSSEY_CONFIG"]


def must(p):
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.strip()


def sql(q):
    return psql(q).stdout.strip()


def enqueue(kind, vendor, payload=None, run_at=None, max_attempts=None, key=None):
    """Enqueues through od_job_enqueue as the owner; returns the id or None."""
    def lit(v, cast):
        return "NULL::%s" % cast if v is None else "'%s'::%s" % (str(v).replace("'", "''"), cast)
    out = sql("SELECT od_job_enqueue(%s, %s, %s, %s, NULL, %s, %s)" % (
        lit(kind, "text"), lit(vendor, "uuid"), lit(json.dumps(payload or {}), "jsonb"),
        "NULL" if run_at is None else "now() + interval '%s'" % run_at,
        lit(max_attempts, "int"), lit(key, "text")))
    return out or None


def job(jid):
    out = sql("SELECT od_job_json(%s)" % jid)
    return json.loads(out) if out else None


def wait_job(jid, pred, timeout=15.0):
    found = wait_for(lambda: (lambda j: j if j and pred(j) else None)(job(jid)), timeout, 0.1)
    return found


def attempts_logged(jid):
    lines = []
    for line in log_lines("worker"):
        if '"job attempt"' in line and '"job_id":"%s"' % jid in line:
            lines.append(json.loads(line))
    return lines


def supervisor():
    return pid_of("worker")


def runners():
    return children(supervisor())


def start_worker():
    start_program("worker", SUITE_ENV)
    assert wait_for(lambda: len(runners()) == 4, 10), "runners did not start"
    assert wait_for(lambda: psql_super("SELECT count(*) FROM pg_stat_activity WHERE "
                                       "application_name = 'odyssey-worker-listen' AND "
                                       "query ILIKE 'LISTEN%'").stdout.strip() == "1", 10)


def stop_worker():
    pid = supervisor()
    os.kill(pid, signal.SIGTERM)
    assert wait_for(lambda: not alive(pid), 40), "odyssey-worker did not stop"


def set_clock(offset):
    """Moves the daemon's clock to offset seconds ahead and waits for the reload."""
    with open(CONFIG) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("ODYSSEY_CLOCK_OFFSET=")]
    lines.append("ODYSSEY_CLOCK_OFFSET=%d" % offset)
    with open(CONFIG, "w") as f:
        f.write("\n".join(lines) + "\n")
    before = len(log_lines("worker"))
    os.kill(supervisor(), signal.SIGHUP)
    assert wait_for(lambda: any("clock offset %d s" % offset in l
                                for l in log_lines("worker")[before:]), 5)


class Queue(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.va = must(ctl("vendor", "create", "--name", "Queue A"))
        cls.vb = must(ctl("vendor", "create", "--name", "Queue B"))
        cls.vc = must(ctl("vendor", "create", "--name", "Queue C"))
        stop_worker()
        start_worker()

    @classmethod
    def tearDownClass(cls):
        set_clock(0)
        sql("DELETE FROM jobs WHERE kind = 'test.sleep' AND state <> 'running'")
        stop_worker()
        start_program("worker")
        assert wait_for(lambda: alive(pid_of("worker")), 5)

    def tearDown(self):
        set_clock(0)

    # --- running, wake-up, hot table ------------------------------------------------

    def test_noop_jobs_complete_and_leave_the_hot_table(self):
        ids = sql("SELECT string_agg(od_job_enqueue('noop', '%s', '{\"secret\": \"s3cr3t\"}', "
                  "NULL, NULL, NULL, NULL)::text, ',') FROM generate_series(1, 200)"
                  % self.va).split(",")
        self.assertTrue(wait_for(lambda: sql("SELECT count(*) FROM jobs_archive WHERE id IN (%s) "
                                             "AND state = 'completed'" % ",".join(ids)) == "200",
                                 20))
        self.assertEqual(sql("SELECT count(*) FROM jobs WHERE id IN (%s)" % ",".join(ids)), "0")
        line = attempts_logged(ids[0])[0]
        self.assertEqual((line["kind"], line["vendor_id"], line["attempt"], line["outcome"]),
                         ("noop", self.va, 1, "completed"))
        self.assertIn("duration_ms", line)
        self.assertFalse(any("s3cr3t" in l for l in log_lines("worker")), "a payload was logged")

    def test_notify_wakes_an_idle_daemon(self):
        # Runners poll every 60 s or more: a claim within a second of the enqueue
        # comes from the NOTIFY (three in a row cannot be luck).
        for _ in range(3):
            time.sleep(0.3)
            jid = enqueue("noop", self.vb)
            self.assertTrue(wait_job(jid, lambda j: j["state"] == "completed", 10))
            waited = float(sql("SELECT extract(epoch FROM attempted_at - created_at) "
                               "FROM jobs_archive WHERE id = %s" % jid))
            self.assertLess(waited, 1.0)
        # a delayed job raises no NOTIFY: it waits for its time (here: a SIGHUP). It is
        # looked at a second before it is due: once due, any wake-up of a runner (its
        # poll, another vendor's NOTIFY) may rightly take it.
        jid = enqueue("noop", self.vb, run_at="4 seconds")
        time.sleep(3)
        self.assertEqual(job(jid)["state"], "available")
        set_clock(2)
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "completed", 5))

    # --- caps and fairness -------------------------------------------------------------

    def test_vendor_cap_holds_under_4_runners(self):
        ids = [enqueue("test.sleep", self.va, {"sleep_ms": 700, "heartbeat_ms": 200})
               for _ in range(8)]
        most = 0
        end = time.time() + 30
        while time.time() < end:
            running = int(sql("SELECT count(*) FROM jobs WHERE vendor_id = '%s' AND "
                              "state = 'running' AND kind = 'test.sleep'" % self.va))
            most = max(most, running)
            if sql("SELECT count(*) FROM jobs WHERE id IN (%s)" % ",".join(ids)) == "0":
                break
            time.sleep(0.05)
        self.assertEqual(most, 2)  # ODYSSEY_QUEUE_CAPS=test.sleep=2, with 4 runners free
        self.assertEqual(sql("SELECT count(*) FROM jobs_archive WHERE id IN (%s) AND "
                             "state = 'completed'" % ",".join(ids)), "8")

    def test_backlog_of_one_vendor_does_not_starve_another(self):
        sql("SELECT count(od_job_enqueue('noop', '%s', '{}', NULL, NULL, NULL, NULL)) "
            "FROM generate_series(1, 10000)" % self.va)
        try:
            jid = enqueue("noop", self.vb)
            done = wait_job(jid, lambda j: j["state"] == "completed", 20)
            left = int(sql("SELECT count(*) FROM jobs WHERE vendor_id = '%s' AND kind = 'noop' "
                           "AND state = 'available'" % self.va))
            self.assertTrue(done)
            # served within a claim cycle, not after the 10,000 older jobs
            self.assertGreater(left, 2000)
        finally:
            sql("DELETE FROM jobs WHERE vendor_id = '%s' AND kind = 'noop' "
                "AND state = 'available'" % self.va)

    def test_claims_share_a_batch_among_lanes_round_robin(self):
        # a kind the daemon does not run, claimed here as the daemon would: a lane
        # with a big cap and a backlog must not take every batch
        sql("SELECT count(od_job_enqueue('fair.test', '%s', '{}', NULL, NULL, NULL, NULL)) "
            "FROM generate_series(1, 200)" % self.va)
        for v in (self.vb, self.vc, DEMO):
            enqueue("fair.test", v)
        try:
            claim = ("SET odyssey.system = 'on'; SELECT vendor_id FROM od_job_claim(now(), 8, "
                     "'test', ARRAY['fair.test', 'noop'], ARRAY[64, 4], ARRAY[60, 60])")
            served = set()
            for _ in range(2):
                served |= set(psql(claim, user="app").stdout.split())
            self.assertEqual(served, {self.va, self.vb, self.vc, DEMO})
        finally:
            sql("DELETE FROM jobs WHERE kind = 'fair.test'")

    # --- leases ------------------------------------------------------------------------

    def test_zombie_runner_cannot_finish(self):
        # attempt 1 sleeps 4 s without a heartbeat; the clock moves past its lease,
        # the rescuer hands it to another runner (attempt 2, 4 s); the first runner
        # then finishes and must change nothing
        jid = enqueue("test.sleep", self.vc, {"sleep_ms": [4000, 8000], "heartbeat_ms": [0, 500]})
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "running"))
        set_clock(60)
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "running" and j["attempt"] == 2, 5))
        self.assertEqual(job(jid)["rescues"], 1)
        self.assertTrue(wait_for(lambda: any(l["attempt"] == 1 for l in attempts_logged(jid)), 10))
        first = [l for l in attempts_logged(jid) if l["attempt"] == 1][0]
        self.assertEqual(first["outcome"], "lost")
        now = job(jid)
        self.assertEqual((now["state"], now["attempt"]), ("running", 2))
        done = wait_job(jid, lambda j: j["state"] == "completed", 10)
        self.assertTrue(done)
        self.assertEqual((done["attempt"], done["rescues"]), (2, 1))

    def test_sigkilled_runner_is_replaced_and_its_job_rescued(self):
        jid = enqueue("test.sleep", self.vc, {"sleep_ms": [60000, 0], "heartbeat_ms": 500})
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "running"))
        holder = int(re.search(r":(\d+)/", sql("SELECT locked_by FROM jobs WHERE id = %s" % jid))
                     .group(1))
        self.assertIn(holder, runners())
        os.kill(holder, signal.SIGKILL)
        self.assertTrue(wait_for(lambda: len(runners()) == 4 and holder not in runners(), 10),
                        runners())
        # rescued after its lease (6 s), then attempt 2 succeeds
        done = wait_job(jid, lambda j: j["state"] == "completed", 20)
        self.assertTrue(done)
        self.assertEqual((done["attempt"], done["rescues"]), (2, 1))
        self.assertIn("lease expired", done["last_error"])
        self.assertTrue(any("killed by signal 9" in l for l in log_lines("worker")))

    # --- outcomes ----------------------------------------------------------------------

    def test_retry_backoff_moves_run_at_on_a_moved_clock(self):
        # test.sleep backs off 1, 2, 4 ... minutes with jitter (x 0.5 to 1)
        jid = enqueue("test.sleep", self.vc, {"outcome": ["retry", "retry", "retry", "done"],
                                              "error": "try later"})
        offset = 0
        for n in (1, 2, 3):
            j = wait_job(jid, lambda j: j["state"] == "available" and j["attempt"] == n)
            self.assertTrue(j, job(jid))
            self.assertEqual(j["status"], "retrying")
            self.assertEqual(j["last_error"], "try later")
            wait = float(sql("SELECT extract(epoch FROM run_at - attempted_at) FROM jobs "
                             "WHERE id = %s" % jid))
            self.assertGreaterEqual(wait, 30 * 2 ** (n - 1))
            self.assertLessEqual(wait, 60 * 2 ** (n - 1) + 0.5)
            line = [l for l in attempts_logged(jid) if l["attempt"] == n]
            self.assertEqual(line[0]["outcome"], "retry")
            offset += 60 * 2 ** (n - 1) + 1
            set_clock(offset)
        done = wait_job(jid, lambda j: j["state"] == "completed")
        self.assertTrue(done)
        self.assertEqual(done["attempt"], 4)

    def test_retries_spent_go_dead(self):
        jid = enqueue("test.sleep", self.vc, {"outcome": "retry"}, max_attempts=2)
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "available" and j["attempt"] == 1))
        set_clock(121)
        dead = wait_job(jid, lambda j: j["state"] == "dead")
        self.assertTrue(dead)
        self.assertEqual((dead["attempt"], dead["status"]), (2, "failed"))
        self.assertEqual(attempts_logged(jid)[-1]["outcome"], "dead")

    def test_snooze_keeps_the_attempt(self):
        jid = enqueue("test.sleep", self.vc, {"outcome": "snooze", "delay_ms": 3600000})
        j = wait_job(jid, lambda j: j["state"] == "available" and j["started_at"] is not None)
        self.assertTrue(j)
        self.assertEqual(j["attempt"], 0)
        wait = float(sql("SELECT extract(epoch FROM run_at - attempted_at) FROM jobs "
                         "WHERE id = %s" % jid))
        self.assertAlmostEqual(wait, 3600, delta=1)
        self.assertEqual(attempts_logged(jid)[0]["outcome"], "snooze")
        # the attempt counter cannot tell the runs apart: the payload says "done" now
        sql("UPDATE jobs SET payload = '{}' WHERE id = %s" % jid)
        set_clock(3601)
        done = wait_job(jid, lambda j: j["state"] == "completed")
        self.assertTrue(done)
        self.assertEqual(done["attempt"], 1)

    def test_non_retryable_goes_dead_and_dlq_replay_runs_it_again(self):
        jid = enqueue("test.sleep", self.vc, {"outcome": "fatal", "error": "bad input"})
        dead = wait_job(jid, lambda j: j["state"] == "dead")
        self.assertTrue(dead)
        self.assertEqual((dead["attempt"], dead["last_error"]), (1, "bad input"))
        self.assertIn(jid, must(ctl("dlq", "list", "--vendor", self.vc)).split())
        # the operator fixes the cause, then replays
        sql("UPDATE jobs SET payload = '{}' WHERE id = %s" % jid)
        self.assertIn("available", must(ctl("dlq", "replay", jid)))
        done = wait_job(jid, lambda j: j["state"] == "completed")
        self.assertTrue(done)
        self.assertEqual(done["attempt"], 1)
        self.assertEqual(sql("SELECT count(*) FROM audit_log WHERE entity = 'jobs' AND "
                             "entity_id = '%s' AND action = 'retry'" % jid), "1")
        # a completed job cannot be replayed
        p = ctl("jobs", "retry", jid)
        self.assertEqual(p.returncode, 2, p.stderr)

    # --- unique keys -------------------------------------------------------------------

    def test_unique_key_means_one_pending_job(self):
        key = "sync-%d" % time.time()
        first = enqueue("test.sleep", self.vc, {"sleep_ms": 1500, "heartbeat_ms": 300}, key=key)
        self.assertIsNotNone(first)
        self.assertTrue(wait_job(first, lambda j: j["state"] == "running"))
        # running does not block: work committed now needs a run after this one
        second = enqueue("test.sleep", self.vc, {}, run_at="1 hour", key=key)
        self.assertIsNotNone(second)
        self.assertIsNone(enqueue("test.sleep", self.vc, {}, key=key))
        # another vendor's key is its own
        self.assertIsNotNone(enqueue("test.sleep", self.vb, {}, run_at="1 hour", key=key))
        self.assertTrue(wait_job(first, lambda j: j["state"] == "completed"))

    def test_a_retry_with_a_pending_twin_is_superseded(self):
        key = "twin-%d" % time.time()
        first = enqueue("test.sleep", self.vc, {"sleep_ms": 1000, "outcome": "retry"}, key=key)
        self.assertTrue(wait_job(first, lambda j: j["state"] == "running"))
        twin = enqueue("test.sleep", self.vc, {}, run_at="1 hour", key=key)
        gone = wait_job(first, lambda j: j["state"] == "canceled")
        self.assertTrue(gone)
        self.assertIn("superseded", gone["last_error"])
        self.assertEqual(job(twin)["state"], "available")

    def test_odysseyctl_enqueues_through_the_queue_module(self):
        key = "ctl-%d" % time.time()
        jid = must(ctl("jobs", "enqueue", "--kind", "test.sleep", "--vendor", self.vc,
                       "--payload", '{"sleep_ms": 10}', "--delay", "3600", "--key", key,
                       "--max-attempts", "3"))
        self.assertTrue(jid.isdigit(), jid)
        j = job(jid)
        self.assertEqual((j["state"], j["max_attempts"], j["vendor_id"]), ("available", 3, self.vc))
        wait = float(sql("SELECT extract(epoch FROM run_at - created_at) FROM jobs WHERE id = %s"
                         % jid))
        self.assertAlmostEqual(wait, 3600, delta=5)
        self.assertIn("nothing enqueued", must(ctl("jobs", "enqueue", "--kind", "test.sleep",
                                                   "--vendor", self.vc, "--key", key)))
        # a global job (no vendor) runs too
        gid = must(ctl("jobs", "enqueue", "--kind", "noop"))
        done = wait_job(gid, lambda j: j["state"] == "completed")
        self.assertTrue(done)
        self.assertIsNone(done["vendor_id"])
        self.assertEqual(ctl("jobs", "enqueue", "--kind", "noop", "--delay", "soon").returncode, 2)
        sql("DELETE FROM jobs WHERE id = %s" % jid)

    # --- cancel and the API ------------------------------------------------------------

    def test_cancel_queued_and_running_jobs(self):
        queued = enqueue("test.sleep", DEMO, {}, run_at="1 hour")
        r = request("POST", "/api/v1/jobs/%s/cancel" % queued, token=OPERATOR)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["state"], r.json()["status"]), ("canceled", "canceled"))
        self.assertTrue(wait_for(lambda: sql("SELECT state FROM jobs_archive WHERE id = %s"
                                             % queued) == "canceled", 5))

        running = enqueue("test.sleep", DEMO, {"sleep_ms": 60000, "heartbeat_ms": 200})
        self.assertTrue(wait_job(running, lambda j: j["state"] == "running"))
        self.assertTrue(wait_job(running, lambda j: j["progress"] is not None, 5))
        self.assertProblem(request("POST", "/api/v1/jobs/%s/cancel" % running, token=VIEWER), 403)
        r = request("POST", "/api/v1/jobs/%s/cancel" % running, token=OPERATOR)
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json()["status"], "canceling")
        done = wait_job(running, lambda j: j["state"] == "canceled", 5)
        self.assertTrue(done)
        self.assertEqual(attempts_logged(running)[-1]["outcome"], "canceled")
        # finished jobs are not canceled
        jid = enqueue("noop", DEMO)
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "completed"))
        self.assertProblem(request("POST", "/api/v1/jobs/%s/cancel" % jid, token=OPERATOR), 409)
        # odysseyctl cancels too
        queued = enqueue("test.sleep", DEMO, {}, run_at="1 hour")
        self.assertIn("canceled", must(ctl("jobs", "cancel", queued)))

    def test_a_cancel_requested_while_running_sticks_through_a_retry(self):
        # no heartbeat: the kind never sees the request and ends with a retry
        jid = enqueue("test.sleep", DEMO, {"sleep_ms": 1500, "outcome": "retry"})
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "running"))
        r = request("POST", "/api/v1/jobs/%s/cancel" % jid, token=OPERATOR)
        self.assertEqual(r.status, 202, r)
        done = wait_job(jid, lambda j: j["state"] != "running", 10)
        self.assertEqual((done["state"], done["attempt"]), ("canceled", 1))

    def test_platform_jobs_are_not_canceled_through_the_api(self):
        jid = enqueue("webhook.deliver", DEMO, {}, run_at="1 hour")
        try:
            r = request("POST", "/api/v1/jobs/%s/cancel" % jid, token=ADMIN)
            self.assertProblem(r, 409)
            self.assertIn("/api/v1/webhooks/deliveries", r.json()["detail"])
            self.assertEqual(job(jid)["state"], "available")
            # nor replayed as jobs: their delivery is what is replayed
            p = ctl("jobs", "retry", jid)
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertIn("replay its delivery", p.stderr)
        finally:
            sql("DELETE FROM jobs WHERE id = %s" % jid)

    def test_get_job(self):
        jid = enqueue("test.sleep", DEMO, {"sleep_ms": 200})
        r = request("GET", "/api/v1/jobs/%s" % jid, token=VIEWER)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        for k in ("id", "kind", "state", "status", "progress", "attempt", "max_attempts",
                  "run_at", "created_at", "started_at", "finished_at", "last_error"):
            self.assertIn(k, doc)
        self.assertNotIn("payload", doc)
        self.assertEqual((doc["id"], doc["kind"], doc["max_attempts"]), (jid, "test.sleep", 25))
        self.assertTrue(wait_job(jid, lambda j: j["state"] == "completed"))
        # a finished job still answers (from the archive)
        r = request("GET", "/api/v1/jobs/%s" % jid, token=ADMIN)
        self.assertEqual((r.status, r.json()["status"], r.json()["attempt"]), (200, "completed", 1))
        self.assertIsNotNone(r.json()["finished_at"])
        # another vendor's job, an unknown id and a malformed one are not found
        other = enqueue("test.sleep", self.va, {}, run_at="1 hour")
        self.assertProblem(request("GET", "/api/v1/jobs/%s" % other, token=ADMIN), 404)
        self.assertProblem(request("POST", "/api/v1/jobs/%s/cancel" % other, token=ADMIN), 404)
        self.assertEqual(job(other)["state"], "available")
        self.assertProblem(request("GET", "/api/v1/jobs/999999999999", token=ADMIN), 404)
        self.assertProblem(request("GET", "/api/v1/jobs/abc", token=ADMIN), 404)
        self.assertProblem(request("GET", "/api/v1/jobs/%s" % jid), 401)

    def test_app_role_enqueues_only_for_its_vendor(self):
        ok = psql("SET odyssey.vendor_id = '%s'; SELECT od_job_enqueue('noop', '%s', '{}', "
                  "NULL, NULL, NULL, NULL)" % (self.va, self.va), user="app", check=False)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        bad = psql("SET odyssey.vendor_id = '%s'; SELECT od_job_enqueue('noop', '%s', '{}', "
                   "NULL, NULL, NULL, NULL)" % (self.va, self.vb), user="app", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("row-level security", bad.stderr)
        # the daemon's functions run outside row-level security, so they refuse a
        # session that is not in the system context
        for call in ("od_job_claim(now(), 10, 'x', '{noop}', '{4}', '{60}')",
                     "od_job_rescue(now() + interval '1 day', 10)", "od_job_archive(10)"):
            p = psql("SET odyssey.vendor_id = '%s'; SELECT * FROM %s" % (self.va, call),
                     user="app", check=False)
            self.assertNotEqual(p.returncode, 0, call)
            self.assertIn("needs the system context", p.stderr)

    # --- shutdown ----------------------------------------------------------------------

    def test_runners_stop_when_the_supervisor_is_killed(self):
        pids = runners()
        self.assertEqual(len(pids), 4)
        os.kill(supervisor(), signal.SIGKILL)
        try:
            # the suite polls every 60 s: only the hung-up wake pipe can stop them
            self.assertTrue(wait_for(lambda: not any(alive(p) for p in pids), 10),
                            "orphaned runners kept running")
        finally:
            start_worker()

    def test_sigterm_finishes_the_job_in_hand_and_hands_back_the_rest(self):
        ids = [enqueue("test.sleep", self.vc, {"sleep_ms": 1500, "heartbeat_ms": 300})
               for _ in range(5)]
        self.assertTrue(wait_for(lambda: sql("SELECT count(*) FROM jobs WHERE id IN (%s) AND "
                                             "state = 'running'" % ",".join(ids)) == "2", 10))
        try:
            stop_worker()
            states = sql("SELECT string_agg(state || ':' || attempt || ':' || rescues, ',') FROM "
                         "(SELECT state, attempt, rescues FROM jobs WHERE id IN (%s) UNION ALL "
                         "SELECT state, attempt, rescues FROM jobs_archive WHERE id IN (%s)) s"
                         % (",".join(ids), ",".join(ids))).split(",")
            self.assertEqual(len(states), 5)
            self.assertNotIn("running", "".join(states))
            self.assertIn("completed:1:0", states)
            for s in states:
                self.assertIn(s, ("completed:1:0", "available:0:0"))
        finally:
            start_worker()
        self.assertTrue(wait_for(lambda: sql("SELECT count(*) FROM jobs_archive WHERE id IN (%s) "
                                             "AND state = 'completed'" % ",".join(ids)) == "5",
                                 20))
