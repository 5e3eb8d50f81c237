"""test_webhooks.py: webhook endpoints and deliveries through nginx, the pool, the
queue daemon and a real receiver on loopback (webhook_receiver.py, which checks
signatures and timestamps with its own HMAC code): CRUD, validation pointers, roles
and tenancy, the secret shown once; signed pings and product.updated events from a
real upsert; retries that keep the event id and re-sign hours later; rotation with
two signatures; redirects not followed, a hanging receiver timed out, a 10 MB answer
cut at 4 KB; 410 disables, 429 snoozes without spending an attempt; SSRF refused at
registration and at connect time; kill -9 mid-delivery loses nothing; 5 days of
failures disable; dead letters replayed; the fanout exactly once under concurrency.

The suite restarts odyssey-worker with short webhook timeouts (1 s connect, 3 s in
all); the test stack allows http://127.0.0.1 (ODYSSEY_WEBHOOK_ALLOW_HTTP=on,
ODYSSEY_WEBHOOK_ALLOW_NETS=127.0.0.1/32 in the settings file). It moves the daemon's
clock through ODYSSEY_CLOCK_OFFSET in the settings file and SIGHUP, and the
receivers' clocks with it."""
import json
import os
import signal
import threading
import time

from stack import (ENV, StackCase, alive, children, ctl, log_lines, pid_of, psql, request,
                   start_program, wait_for)
from test_products import make_vendor, product
from webhook_receiver import Receiver

EP = "/api/v1/webhooks/endpoints"
DL = "/api/v1/webhooks/deliveries"
CONFIG = ENV["ODYSSEY_CONFIG"]
SUITE_ENV = {"ODYSSEY_WEBHOOK_CONNECT_TIMEOUT": "1000", "ODYSSEY_WEBHOOK_TIMEOUT": "3000"}
SECRET_RE = r"^whsec_[0-9a-f]{64}$"
HOUR, DAY = 3600, 86400


def sql(q):
    return psql(q).stdout.strip()


def runners():
    return children(pid_of("worker"))


def start_worker():
    start_program("worker", SUITE_ENV)
    assert wait_for(lambda: len(runners()) == 2, 10), "runners did not start"


def stop_worker():
    pid = pid_of("worker")
    os.kill(pid, signal.SIGTERM)
    assert wait_for(lambda: not alive(pid), 40), "odyssey-worker did not stop"


def configure(**settings):
    """Sets (or, with None, removes) ODYSSEY_<key> lines of the settings file and
    waits until the daemon and each runner reloaded them."""
    with open(CONFIG) as f:
        lines = f.read().splitlines()
    for key, value in settings.items():
        name = "ODYSSEY_" + key + "="
        lines = [l for l in lines if not l.startswith(name)]
        if value is not None:
            lines.append(name + str(value))
    with open(CONFIG, "w") as f:
        f.write("\n".join(lines) + "\n")
    before = len(log_lines("worker"))
    os.kill(pid_of("worker"), signal.SIGHUP)
    n = len(runners())
    assert wait_for(lambda: any("daemon: settings reloaded" in l
                                for l in log_lines("worker")[before:]), 5)
    assert wait_for(lambda: sum("runner: settings reloaded" in l
                                for l in log_lines("worker")[before:]) >= n, 10)


def delivery(did):
    out = sql("SELECT json_build_object('status', status, 'attempt', attempt, 'last_error', "
              "last_error, 'response_status', response_status, 'signature', signature, "
              "'event_id', event_id, 'job_id', job_id, 'delivered_at', delivered_at) "
              "FROM webhook_deliveries WHERE id = '%s'" % did)
    return json.loads(out) if out else None


def wait_delivery(did, pred, timeout=15.0):
    return wait_for(lambda: (lambda d: d if d and pred(d) else None)(delivery(did)), timeout, 0.1)


def job(jid):
    out = sql("SELECT od_job_json(%s)" % jid)
    return json.loads(out) if out else None


def endpoint_row(eid):
    out = sql("SELECT json_build_object('enabled', enabled, 'disabled_reason', disabled_reason, "
              "'failing_since', failing_since) FROM webhook_endpoints WHERE id = '%s'" % eid)
    return json.loads(out) if out else None


def pointers(doc):
    return sorted(e["pointer"] for e in doc.get("errors", []))


class Webhooks(StackCase):
    @classmethod
    def setUpClass(cls):
        (cls.vid, cls.tok), (cls.vid_b, cls.tok_b) = make_vendor("HookA"), make_vendor("HookB")
        cls.admin, cls.admin_b = cls.tok["admin"], cls.tok_b["admin"]
        stop_worker()
        start_worker()

    @classmethod
    def tearDownClass(cls):
        configure(CLOCK_OFFSET=None)
        stop_worker()
        start_program("worker")
        assert wait_for(lambda: len(runners()) == 2, 10)

    def setUp(self):
        self.receivers = []
        self.endpoints = []
        self.clock = 0

    def tearDown(self):
        for eid, token in self.endpoints:
            request("DELETE", EP + "/" + eid, token=token)
        for r in self.receivers:
            r.close()
        if self.clock:
            self.move_clock(0)

    # --- helpers ---------------------------------------------------------------------

    def receiver(self, **kw):
        r = Receiver(**kw)
        self.receivers.append(r)
        return r

    def move_clock(self, offset):
        """Moves every receiver's clock, then the daemon's, to offset seconds ahead
        (in that order: what the moved daemon sends is judged by a moved receiver)."""
        for r in self.receivers:
            r.offset = offset
        configure(CLOCK_OFFSET=offset)
        self.clock = offset

    def create(self, url, token=None, status=201, **fields):
        body = dict(fields, url=url)
        r = request("POST", EP, token=token or self.admin, body=body)
        self.assertEqual(r.status, status, r)
        doc = r.json()
        if status == 201:
            self.endpoints.append((doc["id"], token or self.admin))
        return doc

    def hooked(self, plan=(), **fields):
        """A receiver with the answers plan and an endpoint pointing at it; returns
        (receiver, endpoint document with its secret)."""
        rec = self.receiver()
        rec.plan = list(plan)
        ep = self.create(rec.url(), **fields)
        rec.secrets = [ep["secret"]]
        return rec, ep

    def ping(self, eid, token=None, status=202):
        r = request("POST", "%s/%s/test" % (EP, eid), token=token or self.admin)
        self.assertEqual(r.status, status, r)
        return r.json()

    # --- endpoints ---------------------------------------------------------------------

    def test_crud_secret_shown_once_and_audited(self):
        doc = self.create("https://hooks.example.com/odyssey", description="orders",
                          events=["product.updated", "customer.updated", "product.updated"],
                          retries_max=3, tolerance_sec=120)
        eid, secret = doc["id"], doc["secret"]
        self.assertRegex(secret, SECRET_RE)
        self.assertEqual(doc["events"], ["product.updated", "customer.updated"])
        self.assertEqual((doc["enabled"], doc["retries_max"], doc["tolerance_sec"],
                          doc["description"]), (True, 3, 120, "orders"))
        # the secret is never shown again, nor stored anywhere readable
        got = request("GET", EP + "/" + eid, token=self.admin)
        self.assertEqual(got.status, 200, got)
        self.assertNotIn("secret", got.json())
        self.assertEqual({k: v for k, v in got.json().items()},
                         {k: v for k, v in doc.items() if k != "secret"})
        listed = request("GET", EP + "?limit=200", token=self.admin).json()["items"]
        self.assertIn(eid, [e["id"] for e in listed])
        self.assertNotIn("whsec_", json.dumps(listed))
        for table in ("audit_log", "idempotency_keys", "webhook_endpoints", "secrets"):
            self.assertEqual(sql("SELECT count(*) FROM %s t WHERE t::text LIKE '%%%s%%'"
                                 % (table, secret[6:])), "0", table)
        # defaults
        dflt = self.create("https://hooks.example.com/all")
        self.assertEqual((dflt["events"], dflt["enabled"], dflt["retries_max"],
                          dflt["tolerance_sec"], dflt["description"]), (["*"], True, 10, 300, None))
        self.assertNotEqual(dflt["secret"], secret)
        # PATCH: what is sent changes; description null clears
        r = request("PATCH", EP + "/" + eid, token=self.admin,
                    body={"events": ["*", "job.failed"], "description": None, "enabled": False,
                          "url": "https://hooks2.example.com/x"})
        self.assertEqual(r.status, 200, r)
        after = r.json()
        self.assertEqual((after["events"], after["description"], after["enabled"], after["url"],
                          after["retries_max"]), (["*"], None, False, "https://hooks2.example.com/x", 3))
        # audit rows, without the secret
        rows = [json.loads(l) for l in sql(
            "SELECT json_build_object('action', action, 'after', after, 'before', before) "
            "FROM audit_log WHERE entity = 'webhook_endpoints' AND entity_id = '%s' ORDER BY id"
            % eid).splitlines()]
        self.assertEqual([x["action"] for x in rows], ["create", "update"])
        self.assertEqual(rows[1]["before"]["description"], "orders")
        self.assertNotIn("whsec_", json.dumps(rows))
        # delete: 204, then 404; its secret row goes with it
        ref = sql("SELECT secret_ref FROM webhook_endpoints WHERE id = '%s'" % eid)
        self.assertEqual(request("DELETE", EP + "/" + eid, token=self.admin).status, 204)
        self.assertProblem(request("GET", EP + "/" + eid, token=self.admin), 404)
        self.assertProblem(request("DELETE", EP + "/" + eid, token=self.admin), 404)
        self.assertEqual(sql("SELECT count(*) FROM secrets WHERE id = '%s'" % ref), "0")
        self.assertEqual(sql("SELECT action FROM audit_log WHERE entity = 'webhook_endpoints' "
                             "AND entity_id = '%s' ORDER BY id DESC LIMIT 1" % eid), "delete")
        self.assertProblem(request("GET", EP + "/not-a-uuid", token=self.admin), 404)

    def test_idempotent_create_replays_without_the_secret(self):
        key = {"Idempotency-Key": "hook-create-%d" % time.time_ns()}
        body = {"url": "https://hooks.example.com/idem"}
        first = request("POST", EP, token=self.admin, body=body, headers=key)
        self.assertEqual(first.status, 201, first)
        self.endpoints.append((first.json()["id"], self.admin))
        again = request("POST", EP, token=self.admin, body=body, headers=key)
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertIsNone(again.json()["secret"])
        self.assertRegex(first.json()["secret"], SECRET_RE)
        self.assertEqual(sql("SELECT count(*) FROM webhook_endpoints WHERE url = "
                             "'https://hooks.example.com/idem' AND vendor_id = '%s'" % self.vid), "1")

    def test_validation_pointers(self):
        r = request("POST", EP, token=self.admin, body={
            "url": 5, "events": ["nope", "*"], "enabled": "yes", "retries_max": 51,
            "tolerance_sec": 0, "description": 7, "secret": "mine"})
        doc = self.assertProblem(r, 422)
        self.assertEqual(pointers(doc), ["#/description", "#/enabled", "#/events/0",
                                         "#/retries_max", "#/secret", "#/tolerance_sec", "#/url"])
        self.assertEqual(pointers(self.assertProblem(request("POST", EP, token=self.admin,
                                                             body={}), 422)), ["#/url"])
        for events in ([], "product.updated", ["x"] * 17, [None]):
            doc = self.assertProblem(request("POST", EP, token=self.admin,
                                             body={"url": "https://h.example/", "events": events}),
                                     422)
            self.assertTrue(pointers(doc)[0].startswith("#/events"), (events, doc))
        self.assertEqual(pointers(self.assertProblem(request(
            "POST", EP, token=self.admin, body={"url": "https://h.example/", "retries_max": 1.5}),
            422)), ["#/retries_max"])
        self.assertProblem(request("POST", EP, token=self.admin, body=[1]), 422)
        self.assertProblem(request("POST", EP, token=self.admin, body=b"{",
                                   headers={"Content-Type": "application/json"}), 400)

    def test_ssrf_refused_at_registration(self):
        # The stack allows exactly 127.0.0.1 (and http): everything else refused stays so.
        cases = {
            "http://127.0.0.2:8080/": "loopback", "http://2130706434/": "loopback",
            "http://0x7f.2/": "loopback", "http://017700000002/": "loopback",
            "http://127.2/": "loopback", "https://[::1]/": "loopback",
            "https://[::ffff:127.0.0.2]/": "loopback", "https://10.0.0.1/": "private",
            "https://192.168.1.10/": "private", "https://172.16.0.1/": "private",
            "https://169.254.169.254/latest/meta-data/": "metadata",
            "https://0xa9fea9fe/": "metadata", "https://169.254.1.1/": "link-local",
            "https://100.64.0.1/": "CGNAT", "https://0.0.0.0/": "unspecified",
            "https://224.0.0.1/": "multicast", "https://[fd00::1]/": "private",
            "https://[fe80::1]/": "link-local", "https://[64:ff9b::a00:1]/": "private",
            "https://user:pw@hooks.example.com/": "user information",
            "ftp://hooks.example.com/": "https", "https://1.2.3.4.5/": "number",
            "https://hooks.example.com/#x": "fragment",
        }
        for url, why in cases.items():
            doc = self.assertProblem(request("POST", EP, token=self.admin, body={"url": url}), 422)
            self.assertEqual(pointers(doc), ["#/url"], url)
            self.assertIn(why, doc["errors"][0]["detail"], url)
        # a PATCH is checked the same way
        eid = self.create("https://hooks.example.com/p")["id"]
        doc = self.assertProblem(request("PATCH", EP + "/" + eid, token=self.admin,
                                         body={"url": "http://2130706434/"}), 422)
        self.assertEqual(pointers(doc), ["#/url"])
        # what the operator allows passes: 127.0.0.1 in any spelling, host names
        for url in ("http://127.0.0.1:9/", "http://2130706433:9/", "http://localhost:9/",
                    "https://93.184.216.34/"):
            self.create(url)

    def test_roles_and_other_vendors(self):
        rec, ep = self.hooked()
        d = self.ping(ep["id"])
        self.assertTrue(rec.wait(1))
        for role in ("operator", "viewer"):
            tok = self.tok[role]
            for method, path in (("GET", EP), ("POST", EP), ("GET", EP + "/" + ep["id"]),
                                 ("PATCH", EP + "/" + ep["id"]), ("DELETE", EP + "/" + ep["id"]),
                                 ("POST", EP + "/" + ep["id"] + "/rotate-secret"),
                                 ("POST", EP + "/" + ep["id"] + "/test"), ("GET", DL),
                                 ("POST", DL + "/" + d["id"] + "/replay")):
                body = {} if method in ("POST", "PATCH") else None
                doc = self.assertProblem(request(method, path, token=tok, body=body), 403)
                self.assertIn("webhooks.manage", doc["detail"])
        # another vendor's admin sees nothing of it
        for method, path in (("GET", EP + "/" + ep["id"]), ("PATCH", EP + "/" + ep["id"]),
                             ("DELETE", EP + "/" + ep["id"]),
                             ("POST", EP + "/" + ep["id"] + "/rotate-secret"),
                             ("POST", EP + "/" + ep["id"] + "/test"),
                             ("POST", DL + "/" + d["id"] + "/replay")):
            body = {} if method in ("POST", "PATCH") else None
            self.assertProblem(request(method, path, token=self.admin_b, body=body), 404)
        self.assertNotIn(ep["id"], json.dumps(request("GET", EP, token=self.admin_b).json()))
        self.assertNotIn(d["id"], json.dumps(request("GET", DL, token=self.admin_b).json()))
        self.assertEqual(endpoint_row(ep["id"])["enabled"], True)

    # --- delivery ----------------------------------------------------------------------

    def test_ping_is_signed_and_listed(self):
        rec, ep = self.hooked()
        d = self.ping(ep["id"])
        self.assertEqual((d["status"], d["event_type"], d["attempt"]), ("pending", "webhook.ping", 0))
        got = rec.wait(1)
        self.assertEqual(len(got), 1)
        h = got[0]
        self.assertTrue(h.valid(), (h.headers, h.matched, h.fresh))
        self.assertEqual(h.matched, [0])
        self.assertEqual(h.headers["content-type"], "application/json")
        self.assertEqual(h.headers["x-event-type"], "webhook.ping")
        self.assertEqual(h.headers["x-idempotency-key"], d["event_id"])
        self.assertEqual(sorted(h.json), ["data", "event_id", "event_type", "occurred_at",
                                          "vendor_id"])
        self.assertEqual((h.json["event_id"], h.json["vendor_id"], h.json["data"]["endpoint_id"]),
                         (d["event_id"], self.vid, ep["id"]))
        done = wait_delivery(d["id"], lambda x: x["status"] == "delivered")
        self.assertTrue(done)
        self.assertEqual((done["attempt"], done["response_status"]), (1, 204))
        self.assertEqual(done["signature"], h.headers["x-signature"])
        # listed, and filtered
        page = request("GET", DL + "?status=delivered&endpoint_id=" + ep["id"], token=self.admin)
        self.assertEqual(page.status, 200, page)
        items = page.json()["items"]
        self.assertEqual([i["id"] for i in items], [d["id"]])
        self.assertEqual(items[0]["payload"]["event_id"], d["event_id"])
        self.assertEqual(request("GET", DL + "?status=dead&endpoint_id=" + ep["id"],
                                 token=self.admin).json()["items"], [])
        doc = self.assertProblem(request("GET", DL + "?status=lost&endpoint_id=x",
                                         token=self.admin), 400)
        self.assertEqual(pointers(doc), ["#/endpoint_id", "#/status"])
        # a disabled endpoint cannot be tested
        request("PATCH", EP + "/" + ep["id"], token=self.admin, body={"enabled": False})
        self.assertProblem(request("POST", "%s/%s/test" % (EP, ep["id"]), token=self.admin), 409)

    def test_product_upsert_arrives(self):
        rec, ep = self.hooked(events=["product.updated"])
        other, ep_c = self.hooked(events=["customer.updated"])
        ext = "hook-p-%d" % time.time_ns()
        r = request("POST", "/api/v1/products", token=self.admin,
                    body={"items": [product(ext + "-1"), product(ext + "-2")]})
        self.assertEqual(r.status, 200, r)
        ids = sorted(i["id"] for i in r.json()["items"])
        got = rec.wait(2)
        self.assertEqual(len(got), 2)
        self.assertTrue(all(h.valid() for h in got))
        self.assertEqual(sorted(h.json["data"]["product_id"] for h in got), ids)
        self.assertEqual({h.headers["x-event-type"] for h in got}, {"product.updated"})
        self.assertEqual({h.json["data"]["change"] for h in got}, {"created"})
        self.assertEqual(len({h.event_id for h in got}), 2)
        # the customer endpoint got no delivery of these events, and all are published
        self.assertEqual(sql("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = '%s'"
                             % ep_c["id"]), "0")
        self.assertEqual(sql("SELECT count(*) FROM events WHERE vendor_id = '%s' AND "
                             "published_at IS NULL" % self.vid), "0")
        self.assertEqual(other.received(), [])

    def test_retries_keep_the_event_id_and_resign_hours_later(self):
        # attempt n fails -> waits: 0-1 s, 5 s, 5 min, 30 min, 2 h (+-10 %)
        rec, ep = self.hooked(plan=[("status", 500, {}, "down")] * 5)
        d = self.ping(ep["id"])
        self.assertEqual(len(rec.wait(2, 5)), 2)        # the immediate retry
        self.assertTrue(wait_delivery(d["id"], lambda x: x["attempt"] == 2 and
                                      x["status"] == "pending"))
        for n, offset in ((3, 10), (4, 400), (5, 2400), (6, 10500)):
            self.move_clock(offset)
            self.assertEqual(len(rec.wait(n, 10)), n, "attempt %d" % n)
        done = wait_delivery(d["id"], lambda x: x["status"] == "delivered")
        self.assertTrue(done)
        self.assertEqual(done["attempt"], 6)
        got = rec.received()
        self.assertEqual({h.event_id for h in got}, {d["event_id"]})
        self.assertEqual(len({h.body for h in got}), 1)            # the same raw body
        stamps = [h.timestamp for h in got]
        self.assertEqual(stamps, sorted(stamps))
        # signed afresh at each attempt: one signature per timestamp (the immediate
        # retry, 0-1 s later, may fall in the first attempt's second and sign the same)
        signed = {(h.timestamp, h.headers["x-signature"]) for h in got}
        self.assertEqual(len({s for _, s in signed}), len({t for t, _ in signed}))
        self.assertGreaterEqual(len({t for t, _ in signed}), 5)
        # every attempt was fresh for a receiver with a 300 s tolerance, although
        # the first timestamp is hours old by the last one
        self.assertTrue(all(h.valid() for h in got), [(h.fresh, h.matched) for h in got])
        self.assertGreater(stamps[-1] - stamps[0], 2 * HOUR)
        self.assertEqual([h.headers["x-delivery-attempt"] for h in got],
                         ["1", "2", "3", "4", "5", "6"])
        self.assertIsNone(endpoint_row(ep["id"])["failing_since"])   # a success ends the streak

    def test_rotation_signs_with_both_secrets(self):
        rec, ep = self.hooked()
        old = ep["secret"]
        r = request("POST", "%s/%s/rotate-secret" % (EP, ep["id"]), token=self.admin)
        self.assertEqual(r.status, 200, r)
        new = r.json()["secret"]
        self.assertRegex(new, SECRET_RE)
        self.assertNotEqual(new, old)
        self.assertIsNotNone(r.json()["previous_secret_expires_at"])
        rec.secrets = [new, old]
        self.ping(ep["id"])
        h = rec.wait(1)[0]
        self.assertEqual(len(h.signatures), 2)
        self.assertEqual(h.matched, [0, 1])   # v1=<new>,v1=<old>, each verifies
        self.assertTrue(h.valid())
        self.assertEqual(sql("SELECT count(*) FROM audit_log WHERE entity = 'webhook_endpoints' "
                             "AND entity_id = '%s' AND action = 'rotate' AND after::text NOT LIKE "
                             "'%%whsec_%%'" % ep["id"]), "1")
        # after the overlap (24 h) only the new secret signs
        self.move_clock(DAY + 60)
        self.ping(ep["id"])
        h = rec.wait(2)[1]
        self.assertEqual(h.matched, [0])
        # a second rotation drops the oldest secret
        refs = sql("SELECT secret_ref || ',' || previous_secret_ref FROM webhook_endpoints "
                   "WHERE id = '%s'" % ep["id"]).split(",")
        r = request("POST", "%s/%s/rotate-secret" % (EP, ep["id"]), token=self.admin)
        self.assertEqual(sql("SELECT count(*) FROM secrets WHERE id = '%s'" % refs[1]), "0")
        self.assertEqual(sql("SELECT previous_secret_ref FROM webhook_endpoints WHERE id = '%s'"
                             % ep["id"]), refs[0])

    def test_redirect_is_not_followed(self):
        rec = self.receiver()
        rec.plan = [("redirect", rec.url("/elsewhere"))]
        ep = self.create(rec.url(), retries_max=0)
        rec.secrets = [ep["secret"]]
        d = self.ping(ep["id"])
        dead = wait_delivery(d["id"], lambda x: x["status"] == "dead")
        self.assertTrue(dead)
        self.assertEqual(dead["response_status"], 302)
        self.assertIn("redirect to %s not followed" % rec.url("/elsewhere"), dead["last_error"])
        time.sleep(0.3)
        self.assertEqual(rec.received("/elsewhere"), [])
        self.assertEqual(len(rec.received("/hook")), 1)

    def test_a_location_that_is_not_utf8_is_recorded_as_text(self):
        rec = self.receiver()
        # http.server writes header values as latin-1: this is the byte 0xff
        rec.plan = [("redirect", "http://x.example/\xff")]
        ep = self.create(rec.url(), retries_max=0)
        rec.secrets = [ep["secret"]]
        d = self.ping(ep["id"])
        dead = wait_delivery(d["id"], lambda x: x["status"] == "dead")
        self.assertTrue(dead, "the attempt was never recorded")
        self.assertIn("redirect to http://x.example/? not followed", dead["last_error"])

    def test_a_delivery_whose_job_ends_unrecorded_goes_dead_and_can_be_replayed(self):
        ep = self.create("https://hooks.example.com/stranded")
        did = sql("INSERT INTO webhook_deliveries (vendor_id, endpoint_id, event_id, event_type, "
                  "payload) VALUES ('%s', '%s', gen_random_uuid(), 'webhook.ping', '{}') "
                  "RETURNING id" % (self.vid, ep["id"]))
        # its job, due in an hour, canceled by an operator before it ever ran
        jid = sql("SELECT od_job_enqueue('webhook.deliver', '%s', jsonb_build_object("
                  "'delivery_id', '%s', 'replays', 0), now() + interval '1 hour', NULL, 3, NULL)"
                  % (self.vid, did))
        p = ctl("jobs", "cancel", jid)
        self.assertEqual(p.returncode, 0, p.stderr)
        d = delivery(did)
        self.assertEqual(d["status"], "dead")
        self.assertIn("canceled", d["last_error"])
        r = request("POST", "%s/%s/replay" % (DL, did), token=self.admin)
        self.assertEqual(r.status, 202, r)

    def test_hanging_receiver_times_out(self):
        rec = self.receiver()
        rec.plan = [("hang", 20)]
        ep = self.create(rec.url(), retries_max=0)
        started = time.time()
        d = self.ping(ep["id"])
        dead = wait_delivery(d["id"], lambda x: x["status"] == "dead", 12)
        self.assertTrue(dead)
        self.assertLess(time.time() - started, 10)      # ODYSSEY_WEBHOOK_TIMEOUT=3000
        self.assertIn("no answer within the timeout", dead["last_error"])
        self.assertIsNone(dead["response_status"])

    def test_big_answer_is_cut_at_4_kb(self):
        rec = self.receiver()
        rec.plan = [("big", 500, 10 * 1024 * 1024), ("big", 200, 10 * 1024 * 1024)]
        ep = self.create(rec.url(), retries_max=0)
        d = self.ping(ep["id"])
        dead = wait_delivery(d["id"], lambda x: x["status"] == "dead")
        self.assertTrue(dead)
        self.assertEqual(dead["response_status"], 500)
        self.assertTrue(dead["last_error"].startswith("HTTP 500: xxxx"), dead["last_error"][:40])
        self.assertEqual(dead["last_error"].count("x"), 4096)
        # a success with a big body is a success
        d = self.ping(ep["id"])
        self.assertTrue(wait_delivery(d["id"], lambda x: x["status"] == "delivered"))

    def test_410_disables_the_endpoint(self):
        rec, ep = self.hooked(plan=[("status", 410)])
        d = self.ping(ep["id"])
        dead = wait_delivery(d["id"], lambda x: x["status"] == "dead")
        self.assertTrue(dead)
        self.assertEqual((dead["response_status"], dead["attempt"]), (410, 1))
        row = endpoint_row(ep["id"])
        self.assertEqual((row["enabled"], row["disabled_reason"]), (False, "http_410"))
        audit = json.loads(sql("SELECT json_build_object('actor_role', actor_role, 'after', after) "
                               "FROM audit_log WHERE action = 'webhook.endpoint_disabled' AND "
                               "entity_id = '%s'" % ep["id"]))
        self.assertEqual((audit["actor_role"], audit["after"]["reason"],
                          audit["after"]["response_status"]), ("system", "http_410", 410))
        got = request("GET", EP + "/" + ep["id"], token=self.admin).json()
        self.assertEqual((got["enabled"], got["disabled_reason"]), (False, "http_410"))
        # fanout skips it; enabling it again clears the reason
        self.assertProblem(request("POST", "%s/%s/test" % (EP, ep["id"]), token=self.admin), 409)
        r = request("PATCH", EP + "/" + ep["id"], token=self.admin, body={"enabled": True})
        self.assertEqual((r.json()["enabled"], r.json()["disabled_reason"],
                          r.json()["failing_since"]), (True, None, None))

    def test_429_and_503_snooze_without_spending_an_attempt(self):
        rec, ep = self.hooked(plan=[("status", 429, {"Retry-After": "120"}),
                                    ("status", 503, {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"})])
        d = self.ping(ep["id"])
        snoozed = wait_delivery(d["id"], lambda x: x["status"] == "pending" and x["last_error"])
        self.assertTrue(snoozed)
        self.assertEqual((snoozed["attempt"], snoozed["response_status"]), (0, 429))
        self.assertIn("Retry-After 120", snoozed["last_error"])
        j = job(snoozed["job_id"])
        self.assertEqual((j["state"], j["attempt"]), ("available", 0))
        time.sleep(1.5)
        self.assertEqual(len(rec.received()), 1)       # it waits for the 120 s
        self.move_clock(130)
        self.assertEqual(len(rec.wait(2)), 2)
        # a date far away is cut to a day
        snoozed = wait_delivery(d["id"], lambda x: x["response_status"] == 503)
        self.assertEqual(snoozed["attempt"], 0)
        run_at = sql("SELECT extract(epoch FROM run_at - now())::int FROM jobs WHERE id = %s"
                     % snoozed["job_id"])
        self.assertTrue(DAY - 60 <= int(run_at) - 130 <= DAY + 60, run_at)
        self.move_clock(130 + DAY + 60)
        done = wait_delivery(d["id"], lambda x: x["status"] == "delivered")
        self.assertTrue(done)
        self.assertEqual(done["attempt"], 1)
        self.assertEqual(job(done["job_id"])["attempt"], 1)
        self.assertEqual(len({h.event_id for h in rec.received()}), 1)

    def test_ssrf_refused_at_connect_time(self):
        rec = self.receiver()
        # a host name: accepted at registration, judged by its address when connecting
        ep = self.create(rec.url(host="localhost"), retries_max=0)
        rec.secrets = [ep["secret"]]
        self.ping(ep["id"])
        self.assertEqual(len(rec.wait(1)), 1)          # 127.0.0.1 is allowed here
        configure(WEBHOOK_ALLOW_NETS=None)
        try:
            d = self.ping(ep["id"])
            dead = wait_delivery(d["id"], lambda x: x["status"] == "dead")
            self.assertTrue(dead)
            self.assertIn("refused to connect to", dead["last_error"])
            self.assertIn("loopback", dead["last_error"])
            self.assertIsNone(dead["response_status"])
            time.sleep(0.3)
            self.assertEqual(len(rec.received()), 1)
        finally:
            configure(WEBHOOK_ALLOW_NETS="127.0.0.1/32")

    def test_kill_9_mid_delivery_loses_nothing(self):
        rec, ep = self.hooked(plan=[("hang", 30)])
        d = self.ping(ep["id"])
        self.assertEqual(len(rec.wait(1, 10)), 1)
        self.assertEqual(delivery(d["id"])["status"], "delivering")
        victims = [pid_of("worker")] + runners()
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        self.assertTrue(wait_for(lambda: not any(alive(p) for p in victims), 10))
        start_worker()
        self.assertEqual(job(delivery(d["id"])["job_id"])["state"], "running")
        self.move_clock(120)                            # past the 60 s lease: rescued
        got = rec.wait(2, 15)
        self.assertEqual(len(got), 2)
        self.assertEqual(got[0].event_id, got[1].event_id)
        self.assertTrue(got[1].valid())
        done = wait_delivery(d["id"], lambda x: x["status"] == "delivered")
        self.assertTrue(done)
        self.assertEqual(done["attempt"], 2)
        self.assertEqual(job(done["job_id"])["rescues"], 1)

    def test_failing_for_5_days_disables_the_endpoint(self):
        rec, ep = self.hooked(retries_max=0)
        rec.default = ("status", 500)
        d = self.ping(ep["id"])
        self.assertTrue(wait_delivery(d["id"], lambda x: x["status"] == "dead"))
        row = endpoint_row(ep["id"])
        self.assertTrue(row["enabled"])
        self.assertIsNotNone(row["failing_since"])
        self.move_clock(4 * DAY)
        d = self.ping(ep["id"])
        self.assertTrue(wait_delivery(d["id"], lambda x: x["status"] == "dead"))
        self.assertTrue(endpoint_row(ep["id"])["enabled"])
        self.move_clock(5 * DAY + 60)
        d = self.ping(ep["id"])
        self.assertTrue(wait_delivery(d["id"], lambda x: x["status"] == "dead"))
        row = endpoint_row(ep["id"])
        self.assertEqual((row["enabled"], row["disabled_reason"]), (False, "failing"))
        audit = json.loads(sql("SELECT after FROM audit_log WHERE action = "
                               "'webhook.endpoint_disabled' AND entity_id = '%s'" % ep["id"]))
        self.assertEqual((audit["reason"], audit["response_status"]), ("failing", 500))
        self.assertEqual(len(rec.received()), 3)

    def test_dead_delivery_is_replayed_with_the_same_event_id(self):
        rec, ep = self.hooked(plan=[("status", 500)], retries_max=0)
        d = self.ping(ep["id"])
        dead = wait_delivery(d["id"], lambda x: x["status"] == "dead")
        self.assertTrue(dead)
        listed = request("GET", DL + "?status=dead&endpoint_id=" + ep["id"], token=self.admin)
        self.assertEqual([i["id"] for i in listed.json()["items"]], [d["id"]])
        r = request("POST", "%s/%s/replay" % (DL, d["id"]), token=self.admin)
        self.assertEqual(r.status, 202, r)
        self.assertEqual((r.json()["status"], r.json()["attempt"], r.json()["event_id"]),
                         ("pending", 0, d["event_id"]))
        self.assertNotEqual(r.json()["job_id"], dead["job_id"])
        done = wait_delivery(d["id"], lambda x: x["status"] == "delivered")
        self.assertTrue(done)
        got = rec.received()
        self.assertEqual([h.event_id for h in got], [d["event_id"]] * 2)
        self.assertTrue(got[1].valid())
        self.assertEqual(sql("SELECT action FROM audit_log WHERE entity = 'webhook_deliveries' "
                             "AND entity_id = '%s'" % d["id"]), "replay")
        # a queued delivery is not replayed twice; unknown ids are not found
        rec.plan = [("hang", 5)]
        request("POST", "%s/%s/replay" % (DL, d["id"]), token=self.admin)
        self.assertProblem(request("POST", "%s/%s/replay" % (DL, d["id"]), token=self.admin), 409)
        self.assertProblem(request("POST", DL + "/00000000-0000-0000-0000-0000000000aa/replay",
                                   token=self.admin), 404)

    def test_fanout_exactly_once_under_concurrency(self):
        one, ep1 = self.hooked(events=["*"])
        two, ep2 = self.hooked(events=["product.updated", "customer.updated"])
        ext = "hook-c-%d" % time.time_ns()
        statuses = []

        def upsert(i):
            r = request("POST", "/api/v1/products", token=self.admin,
                        body={"items": [product("%s-%d-%d" % (ext, i, k)) for k in range(25)]})
            statuses.append(r.status)

        def raw(i):
            # events written straight into the outbox, in transactions of their own
            psql("INSERT INTO events (vendor_id, event_type, payload) SELECT '%s', "
                 "'customer.updated', jsonb_build_object('n', g) FROM generate_series(1, 40) g"
                 % self.vid)

        threads = [threading.Thread(target=upsert, args=(i,)) for i in range(6)]
        threads += [threading.Thread(target=raw, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(statuses, [200] * 6)
        want = 6 * 25 + 6 * 40
        self.assertTrue(wait_for(lambda: int(sql(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered' AND "
            "endpoint_id IN ('%s', '%s')" % (ep1["id"], ep2["id"]))) >= 2 * want, 60))
        self.assertEqual(sql("SELECT count(*) FROM events WHERE vendor_id = '%s' AND "
                             "published_at IS NULL" % self.vid), "0")
        for rec, ep in ((one, ep1), (two, ep2)):
            self.assertEqual(sql("SELECT count(*), count(DISTINCT event_id) FROM "
                                 "webhook_deliveries WHERE endpoint_id = '%s'" % ep["id"]),
                             "%d|%d" % (want, want))
            got = rec.wait(want, 20)
            self.assertEqual(len(got), want)
            self.assertEqual(len({h.event_id for h in got}), want)
            self.assertTrue(all(h.valid() for h in got))
