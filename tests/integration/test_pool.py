"""test_pool.py: the prefork pool under signals: a SIGKILLed worker is replaced,
a crash loop backs off, SIGTERM drains in-flight requests, SIGHUP replaces the
workers without dropping requests, workers are recycled after MAX_REQUESTS."""
import json
import os
import signal
import subprocess
import threading
import time

from stack import (ENV, VAR, StackCase, alive, children, log_lines, pid_of, psql_super, request,
                   start_program, wait_for, wait_ready)

TOKEN = ENV["ODYSSEY_TOKEN_ADMIN"]


def workers():
    return children(pid_of("api"))


class Pool(StackCase):
    def setUp(self):
        self.assertTrue(wait_ready(), "stack not ready")
        self.assertTrue(wait_for(lambda: len(workers()) == 2, 10), workers())

    def test_sigkilled_worker_is_replaced(self):
        before = workers()
        os.kill(before[0], signal.SIGKILL)
        after = wait_for(lambda: len(workers()) == 2 and before[0] not in workers() and workers(), 5)
        self.assertTrue(after, "worker not replaced: %r" % workers())
        self.assertNotIn(before[0], after)
        for _ in range(20):
            self.assertEqual(request("GET", "/api/v1/me", token=TOKEN).status, 200)

    def test_crash_loop_backs_off_and_is_logged(self):
        # Kill each new worker as soon as it appears: deaths younger than 2 s are
        # crashes, and the master must slow down instead of spinning.
        seen = set(workers())
        killed = 0
        deadline = time.time() + 8
        while killed < 5 and time.time() < deadline:
            for pid in workers():
                if pid not in seen:
                    seen.add(pid)
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            if killed == 0:
                os.kill(workers()[0], signal.SIGKILL)
                killed += 1
            time.sleep(0.01)
        self.assertGreaterEqual(killed, 4)
        lines = [l for l in log_lines("api") if "workers are crashing" in l]
        self.assertTrue(lines)
        delays = [json.loads(l)["msg"] for l in lines[-3:]]
        self.assertTrue(any("next start in 400 ms" in d or "next start in 800 ms" in d
                            or "next start in 1600 ms" in d for d in delays), delays)
        # and it recovers: the pool is full again and serving
        self.assertTrue(wait_for(lambda: len(workers()) == 2, 40), workers())
        self.assertTrue(wait_ready())

    def test_sigterm_drains_in_flight_request(self):
        # Hold a lock that /readyz needs, so its request is in flight when SIGTERM lands.
        locker = subprocess.Popen(["psql", "-X", "-q", "-tA", ENV["ODYSSEY_ADMIN_DATABASE_URL"]],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        locker.stdin.write("BEGIN; LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE; "
                           "SELECT 'locked';\n")
        locker.stdin.flush()
        self.assertIn("locked", locker.stdout.readline())
        try:
            self.drain_while_locked(locker)
        finally:
            locker.kill()
            if not wait_for(lambda: alive(pid_of("api")), 0.1):
                start_program("api")
            self.assertTrue(wait_ready())

    def drain_while_locked(self, locker):
        result = {}
        t = threading.Thread(target=lambda: result.update(r=request("GET", "/readyz", timeout=60)))
        t.start()
        time.sleep(1.0)
        master = pid_of("api")
        os.kill(master, signal.SIGTERM)
        time.sleep(1.0)
        self.assertTrue(alive(master), "the master must wait for the in-flight request")
        # no new connections while draining: the socket is gone, nginx answers at once
        self.assertFalse(os.path.exists(os.path.join(VAR, "run", "api.sock")))
        self.assertProblem(request("GET", "/healthz"), 502)
        locker.stdin.write("COMMIT;\n\\q\n")
        locker.stdin.flush()
        locker.wait(10)
        t.join(30)
        self.assertEqual(result["r"].status, 200, result.get("r"))
        self.assertTrue(wait_for(lambda: not alive(master), 10), "master did not exit")
        # with the pool gone nginx answers 502 as a problem with Retry-After
        r = request("GET", "/api/v1/me", token=TOKEN)
        self.assertProblem(r, 502)
        self.assertEqual(r.headers["retry-after"], "5")

    def test_sighup_replaces_workers_without_dropping_requests(self):
        before = set(workers())
        statuses = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                statuses.append(request("GET", "/api/v1/me", token=TOKEN).status)

        threads = [threading.Thread(target=load) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        os.kill(pid_of("api"), signal.SIGHUP)
        replaced = wait_for(lambda: len(workers()) == 2 and not (set(workers()) & before), 20)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        self.assertTrue(replaced, "workers not replaced: before %r now %r" % (before, workers()))
        self.assertGreater(len(statuses), 20)
        self.assertEqual(set(statuses), {200}, [s for s in statuses if s != 200])
        self.assertTrue(any("settings reloaded" in l for l in log_lines("api")))

    def test_sighup_applies_new_settings_and_refuses_bad_ones(self):
        path = ENV["ODYSSEY_CONFIG"]
        with open(path) as f:
            original = f.read()
        body = b'{"display_name": "' + b"y" * 3000 + b'"}'
        try:
            self.assertEqual(request("PATCH", "/api/v1/me", token=TOKEN, body=body,
                                     headers={"Content-Type": "application/json"}).status, 422)
            with open(path, "a") as f:
                f.write("ODYSSEY_BODY_MAX=2048\n")
            before = set(workers())
            os.kill(pid_of("api"), signal.SIGHUP)
            self.assertTrue(wait_for(lambda: len(workers()) == 2 and not (set(workers()) & before), 20))
            r = request("PATCH", "/api/v1/me", token=TOKEN, body=body,
                        headers={"Content-Type": "application/json"})
            self.assertProblem(r, 413)
            # an invalid file is refused and the running workers stay
            with open(path, "a") as f:
                f.write("ODYSSEY_WORKERS=lots\n")
            before = set(workers())
            os.kill(pid_of("api"), signal.SIGHUP)
            self.assertTrue(wait_for(lambda: any("reload refused" in l and "ODYSSEY_WORKERS" in l
                                                 for l in log_lines("api")), 5))
            time.sleep(0.5)
            self.assertEqual(set(workers()), before)
            self.assertEqual(request("GET", "/api/v1/me", token=TOKEN).status, 200)
        finally:
            with open(path, "w") as f:
                f.write(original)
            before = set(workers())
            os.kill(pid_of("api"), signal.SIGHUP)
            self.assertTrue(wait_for(lambda: len(workers()) == 2 and not (set(workers()) & before), 20))

    def test_worker_recycled_after_max_requests(self):
        # The test stack sets ODYSSEY_MAX_REQUESTS=50.
        before = set(workers())
        for _ in range(120):
            self.assertEqual(request("GET", "/healthz").status, 200)
        self.assertTrue(wait_for(lambda: not (set(workers()) & before) and len(workers()) == 2, 10),
                        "before %r now %r" % (before, workers()))

    def test_bad_setting_stops_startup_naming_the_key(self):
        env = dict(ENV, ODYSSEY_WORKERS="lots")
        p = subprocess.run([os.path.join(ENV["ODYSSEY_BUILD"], "odyssey-api")], env=env,
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ODYSSEY_WORKERS", p.stderr)

    def test_help_lists_every_key_documented(self):
        p = subprocess.run([os.path.join(ENV["ODYSSEY_BUILD"], "odyssey-api"), "--help"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        import re
        keys = re.findall(r"^  (ODYSSEY_[A-Z_]+)", p.stdout, re.M)
        self.assertGreater(len(keys), 20)
        with open(os.path.join(ENV["ODYSSEY_ROOT"], "docs", "configuration.md")) as f:
            doc = f.read()
        for k in keys:
            self.assertTrue("`" + k + "`" in doc, k + " missing from docs/configuration.md")


class QueueDaemon(StackCase):
    def test_notify_wakes_it_hup_reloads_and_term_stops_cleanly(self):
        pid = pid_of("worker")
        self.assertTrue(alive(pid))
        subprocess.run(["psql", "-X", "-q", ENV["DATABASE_URL"], "-c", "NOTIFY odyssey_jobs"],
                       check=True, capture_output=True)
        self.assertTrue(wait_for(lambda: any("woken by odyssey_jobs" in l for l in log_lines("worker")), 5))
        # a lost LISTEN session is re-established: notifications still wake it
        psql_super("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE application_name = 'odyssey-worker-listen'")
        listens = lambda: sum("listening for odyssey_jobs" in l for l in log_lines("worker"))
        before = listens()
        self.assertTrue(wait_for(lambda: listens() > before, 10), "LISTEN not re-established")
        woken = lambda: sum("woken by odyssey_jobs" in l for l in log_lines("worker"))
        n = woken()
        subprocess.run(["psql", "-X", "-q", ENV["DATABASE_URL"], "-c", "NOTIFY odyssey_jobs"],
                       check=True, capture_output=True)
        self.assertTrue(wait_for(lambda: woken() > n, 5))
        os.kill(pid, signal.SIGHUP)
        self.assertTrue(wait_for(lambda: any("settings reloaded" in l for l in log_lines("worker")), 5))
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not alive(pid), 5))
        self.assertTrue(any("daemon: stopping" in l for l in log_lines("worker")))
        start_program("worker")
        self.assertTrue(wait_for(lambda: alive(pid_of("worker")), 5))
