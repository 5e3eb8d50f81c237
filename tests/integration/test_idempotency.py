"""test_idempotency.py: the Idempotency-Key layer on real writes: replay, another
request under the same key, a key in flight (409), per-vendor scope, stored 4xx,
a worker killed mid-request and a 5xx, both of which leave the key usable."""
import os
import signal
import subprocess
import threading

from stack import (ENV, StackCase, children, pid_of, psql, psql_super, request, wait_for,
                   wait_ready)
from test_products import make_vendor, product


class Locker:
    """Holds a vendor row lock in a psql session, so a catalog write of that vendor
    waits (in flight) until release()."""

    def __init__(self, vid):
        self.p = subprocess.Popen(["psql", "-X", "-q", "-tA", ENV["ODYSSEY_ADMIN_DATABASE_URL"]],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        self.p.stdin.write("BEGIN; SELECT 'locked' FROM vendors WHERE id = '%s' FOR UPDATE;\n"
                           % vid)
        self.p.stdin.flush()
        assert "locked" in self.p.stdout.readline()

    def release(self):
        if self.p.poll() is None:
            self.p.stdin.write("COMMIT;\n\\q\n")
            self.p.stdin.flush()
            self.p.wait(10)


def in_background(fn):
    result = {}
    t = threading.Thread(target=lambda: result.update(r=fn()))
    t.start()
    return t, result


def waiting_backends():
    """API connections blocked on a lock (the vendor row's); only the superuser sees
    other roles' wait events."""
    out = psql_super("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'odyssey-api%' "
               "AND wait_event_type = 'Lock'").stdout.strip()
    return int(out or 0)


class Idempotency(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vid, cls.tok = make_vendor("I")
        cls.vid_b, cls.tok_b = make_vendor("J")
        cls.admin = cls.tok["admin"]

    def post(self, key, items, token=None):
        return request("POST", "/api/v1/products", token=token or self.admin,
                       headers={"Idempotency-Key": key}, body={"items": items})

    def created(self, ext, vid=None):
        return int(psql("SELECT count(*) FROM events WHERE vendor_id = '%s' AND "
                        "payload->>'external_id' = '%s' AND payload->>'change' = 'created'"
                        % (vid or self.vid, ext)).stdout.strip())

    def test_sequential_replay_and_other_request(self):
        r1 = self.post("seq-1", [product("i1")])
        self.assertEqual(r1.status, 200, r1)
        self.assertNotIn("idempotent-replayed", r1.headers)
        r2 = self.post("seq-1", [product("i1")])
        self.assertEqual(r2.status, 200, r2)
        self.assertEqual(r2.headers.get("idempotent-replayed"), "true")
        self.assertEqual(r2.body, r1.body)
        self.assertEqual(self.created("i1"), 1)
        # the structured-field form names the same key
        r3 = self.post('"seq-1"', [product("i1")])
        self.assertEqual(r3.headers.get("idempotent-replayed"), "true")
        # same key, another body
        doc = self.assertProblem(self.post("seq-1", [product("i1", price="2.00")]), 422)
        self.assertIn("another request", doc["detail"])

    def test_same_key_in_another_vendor_is_another_key(self):
        self.assertEqual(self.post("shared-1", [product("s1")]).status, 200)
        r = self.post("shared-1", [product("s1")], token=self.tok_b["admin"])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("idempotent-replayed", r.headers)
        self.assertEqual(self.created("s1", self.vid_b), 1)

    def test_client_errors_are_stored_and_replayed(self):
        r1 = self.post("bad-1", [{"external_id": "b1"}])
        doc = self.assertProblem(r1, 422)
        r2 = self.post("bad-1", [{"external_id": "b1"}])
        self.assertEqual(r2.status, 422)
        self.assertEqual(r2.headers.get("idempotent-replayed"), "true")
        self.assertEqual(r2.json()["errors"], doc["errors"])

    def test_malformed_keys_are_400(self):
        for key in ("a b", "x" * 256, '"unterminated', '"a"b', "\x7f"):
            self.assertProblem(self.post(key, [product("k1")]), 400)
        self.assertEqual(self.post("x" * 255, [product("k1")]).status, 200)

    def test_every_write_route_shares_the_layer(self):
        body = {"settings": {"require_health_consent": False}}
        r1 = request("PATCH", "/api/v1/vendor", token=self.admin, body=body,
                     headers={"Idempotency-Key": "vendor-1"})
        self.assertEqual(r1.status, 200, r1)
        r2 = request("PATCH", "/api/v1/vendor", token=self.admin, body=body,
                     headers={"Idempotency-Key": "vendor-1"})
        self.assertEqual(r2.headers.get("idempotent-replayed"), "true")
        # authorisation happens before the key is looked at
        self.assertProblem(request("POST", "/api/v1/products", token=self.tok["viewer"],
                                   headers={"Idempotency-Key": "seq-1"},
                                   body={"items": [product("i1")]}), 403)

    def test_concurrent_requests_with_one_key_execute_once(self):
        locker = Locker(self.vid)
        try:
            t, first = in_background(lambda: self.post("conc-1", [product("c1")]))
            self.assertTrue(wait_for(lambda: waiting_backends() >= 1, 5))
            doc = self.assertProblem(self.post("conc-1", [product("c1")]), 409)
            self.assertIn("in progress", doc["detail"])
        finally:
            locker.release()
        t.join(10)
        self.assertEqual(first["r"].status, 200, first.get("r"))
        r = self.post("conc-1", [product("c1")])
        self.assertEqual(r.headers.get("idempotent-replayed"), "true")
        self.assertEqual(self.created("c1"), 1)

    def test_a_worker_killed_in_flight_leaves_the_key_usable(self):
        locker = Locker(self.vid)
        try:
            t, first = in_background(lambda: self.post("crash-1", [product("k9")]))
            self.assertTrue(wait_for(lambda: waiting_backends() >= 1, 5))
            for pid in children(pid_of("api")):
                os.kill(pid, signal.SIGKILL)
        finally:
            locker.release()
        t.join(10)
        self.assertGreaterEqual(first["r"].status, 500)
        self.assertTrue(wait_ready())
        # the dead worker's session (and its lock) goes away; then the key is free
        r = wait_for(lambda: (lambda x: x if x.status != 409 else None)(
            self.post("crash-1", [product("k9")])), 10)
        self.assertTrue(r, "the key stayed in flight")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("idempotent-replayed", r.headers)
        self.assertEqual(self.created("k9"), 1)

    def test_a_5xx_releases_the_key(self):
        locker = Locker(self.vid)
        try:
            t, first = in_background(lambda: self.post("fail-1", [product("f9")]))
            self.assertTrue(wait_for(lambda: waiting_backends() >= 1, 5))
            psql_super("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                 "application_name LIKE 'odyssey-api%' AND wait_event_type = 'Lock'")
        finally:
            locker.release()
        t.join(10)
        self.assertProblem(first["r"], 503)
        r = self.post("fail-1", [product("f9")])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("idempotent-replayed", r.headers)
        self.assertEqual(self.created("f9"), 1)


class ConcurrentBatches(StackCase):
    """Two batches writing the same product at once take turns: the last one wins
    whole, and each reports what it found."""

    @classmethod
    def setUpClass(cls):
        cls.vid, cls.tok = make_vendor("K")

    def test_the_last_writer_wins_whole(self):
        def batch(tag):
            return request("POST", "/api/v1/products", token=self.tok["admin"], body={
                "items": [product("race1", name="Writer " + tag,
                                  images=[{"url": "https://cdn.example/%s-%d.jpg" % (tag, i)}
                                          for i in range(3)])]})
        locker = Locker(self.vid)
        try:
            ta, ra = in_background(lambda: batch("a"))
            tb, rb = in_background(lambda: batch("b"))
            self.assertTrue(wait_for(lambda: waiting_backends() >= 2, 5))
        finally:
            locker.release()
        ta.join(15)
        tb.join(15)
        statuses = sorted(r["r"].json()["items"][0]["status"] for r in (ra, rb))
        self.assertEqual(statuses, ["created", "updated"])
        doc = request("GET", "/api/v1/products/" + ra["r"].json()["items"][0]["id"],
                      token=self.tok["admin"]).json()
        tag = doc["name"].split()[-1]
        self.assertEqual([i["url"] for i in doc["images"]],
                         ["https://cdn.example/%s-%d.jpg" % (tag, i) for i in range(3)])
