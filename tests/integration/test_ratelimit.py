"""test_ratelimit.py: the per-identity rate limits (nginx limit_req after an
auth_request to the pool's GET /internal/authz, nginx/odyssey-site.conf.in).

The suite's stack runs with the benchmark profile (its tests reuse the demo tokens
hundreds of times a minute), so these tests start a SECOND nginx, rendered from
the same templates with the PRD profile (nginx/rate-limits.conf), on loopback
ports of its own (ODYSSEY_RL_HTTPS_PORT / ODYSSEY_RL_HTTP_PORT, default: the
stack's ports + 1), sharing the stack's pool socket. Each test uses users and
vendors of its own, so no test spends another's budget.

PRD profile: user 60/min burst 30, vendor 600/min burst 120, ingest (POST
/api/v1/ingest/) 6/min burst 3, no verified user 60/min burst 30 per address.
With nodelay, burst + 1 requests pass at once; the budget then refills at the
rate (1/s for a user)."""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from stack import ENV, RUN, ROOT, URL, VAR, StackCase, ctl, jwt, now, psql, request, wait_for

HTTPS_PORT = int(ENV.get("ODYSSEY_RL_HTTPS_PORT", URL.port + 1))
HTTP_PORT = int(ENV.get("ODYSSEY_RL_HTTP_PORT", int(ENV["ODYSSEY_HTTP_PORT"]) + 1))
PREFIX = os.path.join(VAR, "nginx-prd")
SUFFIX = "-%d" % (now() % 1000000)
USER_BURST = 30
VENDOR_BURST = 120
INGEST_BURST = 3

_nginx = {}


def must(p):
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.strip()


def render(prefix, rates):
    """Renders the site and nginx.conf as scripts/dev's render_nginx does, but on
    loopback only and with its own authz cache."""
    run = os.path.join(prefix, "run")
    os.makedirs(run, mode=0o700, exist_ok=True)
    os.chmod(run, 0o700)
    nginx_dir = os.path.join(ROOT, "nginx")
    subst = {
        "@HTTPS_PORT@": str(HTTPS_PORT), "@HTTP_PORT@": str(HTTP_PORT),
        "@API_SOCKET@": os.path.join(RUN, "api.sock"),
        "@TLS_CERT@": os.path.join(VAR, "tls", "cert.pem"),
        "@TLS_KEY@": os.path.join(VAR, "tls", "key.pem"),
        "@NGINX_DIR@": nginx_dir, "@SERVER_NAME@": "localhost",
        "@AUTHZ_CACHE@": os.path.join(run, "authz-cache"),
        "@PREFIX@": prefix, "@RATE_LIMITS@": os.path.join(nginx_dir, rates),
        "@SITE_CONF@": os.path.join(prefix, "site.conf"),
    }

    def fill(name, out):
        with open(os.path.join(nginx_dir, name)) as f:
            text = f.read()
        for k, v in subst.items():
            text = text.replace(k, v)
        left = re.findall(r"@[A-Z_]+@", text)
        assert not left, "placeholders not rendered: %r" % left
        # loopback only (the templates listen on every address)
        text = re.sub(r"listen (\d+)( ssl)?;", r"listen 127.0.0.1:\1\2;", text)
        with open(os.path.join(prefix, out), "w") as f:
            f.write(text)

    fill("odyssey-site.conf.in", "site.conf")
    fill("nginx-dev.conf.in", "nginx.conf")
    return os.path.join(prefix, "nginx.conf")


def setUpModule():
    shutil.rmtree(PREFIX, ignore_errors=True)
    os.makedirs(PREFIX)
    conf = render(PREFIX, "rate-limits.conf")
    p = subprocess.run(["nginx", "-q", "-c", conf, "-p", PREFIX], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(PREFIX, "nginx.pid")) as f:
        _nginx["pid"] = int(f.read().strip())

    def up():
        try:
            return request("GET", "/healthz", port=HTTPS_PORT).status == 200
        except OSError:
            return False
    if not wait_for(up, 10, 0.1):
        tearDownModule()  # unittest skips it when setUpModule fails
        raise AssertionError("the PRD-profile nginx did not answer")


def tearDownModule():
    pid = _nginx.get("pid")
    if pid:
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            pass
        wait_for(lambda: not os.path.exists("/proc/%d" % pid), 10)


def prd(method, path, **kw):
    """A request to the PRD-profile nginx."""
    return request(method, path, port=HTTPS_PORT, **kw)


def token(user, **claims):
    c = {"sub": user, "exp": now() + 3600}
    c.update(claims)
    return jwt(c)


def vendor_with_users(name, n):
    vendor = must(ctl("vendor", "create", "--name", name + SUFFIX))
    users = []
    for i in range(n):
        user = "rl-%s-%d%s" % (name.lower().replace(" ", "-"), i, SUFFIX)
        must(ctl("user", "add", "--id", user, "--email", user + "@rl.example"))
        must(ctl("user", "link", "--user", user, "--vendor", vendor, "--role", "vendor_admin"))
        users.append(user)
    return vendor, users


def error_log():
    with open(os.path.join(PREFIX, "error.log"), errors="replace") as f:
        return f.read()


def until_429(send, limit):
    """Sends until the first 429 (at most limit requests); returns the responses."""
    out = []
    for _ in range(limit):
        r = send()
        out.append(r)
        if r.status == 429:
            break
    return out


def full_burst(tok, burst=USER_BURST, path="/api/v1/me"):
    """burst + 1 quick requests: all must pass on an untouched budget. Then a few
    more must hit the limit (so the check can fail both ways)."""
    t0 = time.time()
    first = [prd("GET", path, token=tok) for _ in range(burst + 1)]
    rest = until_429(lambda: prd("GET", path, token=tok), 5 + int(time.time() - t0) * 2)
    return first, rest


class UserZone(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vendor, (cls.a, cls.b) = vendor_with_users("RL User", 2)

    def test_429_with_retry_after(self):
        # One user spends its budget (60/min, burst 30): a problem document with
        # Retry-After and nginx's headers; another user of the SAME vendor is
        # still served at that moment.
        t0 = time.time()
        statuses = until_429(lambda: prd("GET", "/api/v1/me", token=token(self.a)), 45)
        ok = [r for r in statuses if r.status == 200]
        self.assertEqual(statuses[-1].status, 429, [r.status for r in statuses])
        self.assertGreaterEqual(len(ok), USER_BURST + 1)
        self.assertLessEqual(len(ok), USER_BURST + 2 + int(time.time() - t0))
        self.assertEqual(len(ok), len(statuses) - 1, [r.status for r in statuses])
        limited = statuses[-1]
        doc = self.assertProblem(limited, 429)  # request_id == X-Request-Id
        self.assertEqual(doc["title"], "Too Many Requests")
        self.assertEqual(limited.headers["retry-after"], "60")
        self.assertEqual(limited.headers["cache-control"], "no-store")
        self.assertEqual(limited.headers["x-content-type-options"], "nosniff")
        self.assertIn("max-age=", limited.headers["strict-transport-security"])
        self.assertEqual(limited.body.count(b'"request_id"'), 1)
        self.assertIn('by zone "odyssey_user"', error_log())
        # the same user stays limited, from another address too
        self.assertEqual(prd("GET", "/api/v1/me", token=token(self.a)).status, 429)
        # the other user of the same vendor is not
        r = prd("GET", "/api/v1/me", token=token(self.b))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["vendor"]["id"], self.vendor)


    def test_authz_cache_holds_no_token(self):
        # the authz answers are cached under a SHA-256 of the headers, never
        # the bearer token; and only answers that name a verified user
        tok, bad = token(self.b), jwt({"sub": self.b, "exp": now() + 3600}, secret="wrong")
        self.assertEqual(prd("GET", "/api/v1/me", token=tok).status, 200)
        self.assertEqual(prd("GET", "/api/v1/me", token=bad).status, 401)
        data = b""
        for d, _, files in os.walk(os.path.join(PREFIX, "run", "authz-cache")):
            for name in files:
                with open(os.path.join(d, name), "rb") as f:
                    data += f.read()
        self.assertIn(b"\nX-Odyssey-User: " + self.b.encode() + b"\r\n", data)
        self.assertRegex(data, rb"\nKEY: [0-9a-f]{64}\n")
        for t in (tok, bad):
            for part in t.split("."):
                self.assertNotIn(part.encode(), data)
        self.assertNotIn(b"Bearer", data)


class ForgedTokens(StackCase):
    @classmethod
    def setUpClass(cls):
        _, (cls.victim,) = vendor_with_users("RL Victim", 1)

    def test_bad_signatures_do_not_spend_the_victims_budget(self):
        v = self.victim
        forged = [
            jwt({"sub": v, "exp": now() + 3600}, secret="not-the-secret"),
            jwt({"sub": v, "exp": now() + 3600}, alg="none"),
            jwt({"sub": v, "exp": now() + 3600}, alg="RS256"),
            jwt({"sub": v, "exp": now() - 600}),  # the right key, expired
            token(v)[:-4] + "AAAA",
            "garbage",
        ]
        # from many addresses, so no per-address limit hides the answers: each
        # one reaches the API, which refuses the token itself
        statuses = [prd("GET", "/api/v1/me", token=forged[i % len(forged)]).status
                    for i in range(90)]
        self.assertEqual(set(statuses), {401}, statuses)
        first, rest = full_burst(token(v))
        self.assertEqual([r.status for r in first], [200] * (USER_BURST + 1))
        self.assertEqual(rest[-1].status, 429, [r.status for r in rest])


class Spoofing(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vendor, (cls.spender, cls.victim) = vendor_with_users("RL Spoof", 2)
        cls.other_vendor, (cls.other,) = vendor_with_users("RL Spoof Other", 1)

    def test_spoofed_headers_do_not_escape_a_limit(self):
        tok = token(self.spender)
        statuses = until_429(lambda: prd("GET", "/api/v1/me", token=tok), 45)
        self.assertEqual(statuses[-1].status, 429, [r.status for r in statuses])
        for headers in ({"X-Forwarded-For": "10.1.2.3"}, {"X-Real-IP": "10.1.2.4"},
                        {"X-Odyssey-User": self.other}, {"X-Odyssey-User": ""},
                        {"X-Odyssey-Vendor": self.other_vendor},
                        {"X-Odyssey-Remote-Addr": "10.1.2.5", "X-Odyssey-User": ""}):
            r = prd("GET", "/api/v1/me", token=tok, headers=headers)
            self.assertEqual(r.status, 429, (headers, r))

    def test_spoofed_headers_do_not_charge_someone_else(self):
        # another vendor's user, and clients without a token, name the victim
        # (and the victim's vendor) in every header a rate-limit key could come from
        spoof = {"X-Odyssey-User": self.victim, "X-Odyssey-Vendor": self.vendor,
                 "X-Forwarded-For": "127.0.0.1", "X-Odyssey-Remote-Addr": "127.0.0.1"}
        statuses = [prd("GET", "/api/v1/me", token=token(self.other), headers=spoof).status
                    for _ in range(40)]
        self.assertIn(429, statuses)  # charged to the spoofer itself
        statuses = [prd("GET", "/api/v1/me", headers=spoof).status for _ in range(40)]
        self.assertEqual(set(statuses), {401}, statuses)
        first, rest = full_burst(token(self.victim))
        self.assertEqual([r.status for r in first], [200] * (USER_BURST + 1))
        self.assertEqual(rest[-1].status, 429, [r.status for r in rest])


class AnonymousZone(StackCase):
    def test_requests_without_a_verified_user_are_limited_per_address(self):
        # no token, or a bad one: not anyone's budget, but the client address's
        bad = jwt({"sub": "demo-admin", "exp": now() + 3600}, secret="wrong")
        addr = "127.0.88.%d" % (now() % 200 + 2)
        statuses = until_429(lambda: prd("GET", "/api/v1/me", token=bad, source=addr,
                                         headers={"X-Forwarded-For": "10.0.0.%d" % (now() % 250)}),
                             45)
        self.assertEqual(statuses[-1].status, 429, [r.status for r in statuses])
        self.assertGreaterEqual(len(statuses), USER_BURST + 2)
        self.assertEqual({r.status for r in statuses[:-1]}, {401})
        self.assertProblem(statuses[-1], 429)
        self.assertIn('by zone "odyssey_anon"', error_log())
        # without a token from the same address: the same budget
        self.assertEqual(prd("GET", "/api/v1/me", source=addr).status, 429)
        # another address, and a valid token from the same address, are served
        self.assertEqual(prd("GET", "/api/v1/me", token=bad).status, 401)
        r = prd("GET", "/api/v1/me", token=ENV["ODYSSEY_TOKEN_VIEWER"], source=addr)
        self.assertEqual(r.status, 200, r)


class VendorZone(StackCase):
    USERS = 6

    @classmethod
    def setUpClass(cls):
        cls.vendor, cls.users = vendor_with_users("RL Vendor", cls.USERS)
        cls.other_vendor, (cls.outsider,) = vendor_with_users("RL Vendor Other", 1)

    def test_users_of_one_vendor_share_its_budget(self):
        # 600/min, burst 120: six users, each far below its own 31, together
        # reach the vendor's limit
        tokens = [token(u) for u in self.users]
        sent = [0] * self.USERS
        lock = threading.Lock()
        results = []
        stop = threading.Event()

        def worker(i):
            while not stop.is_set():
                with lock:
                    if len(results) >= 260:
                        return
                r = prd("GET", "/api/v1/me", token=tokens[i])
                with lock:
                    sent[i] += 1
                    results.append(r)
                if r.status != 200:
                    stop.set()

        t0 = time.time()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(self.USERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t0
        statuses = [r.status for r in results]
        self.assertIn(429, statuses)
        ok = statuses.count(200)
        self.assertGreaterEqual(ok, VENDOR_BURST + 1)
        self.assertLessEqual(ok, VENDOR_BURST + 2 + int(elapsed * 10), elapsed)
        self.assertLessEqual(max(sent), USER_BURST, sent)  # no user reached its own limit
        self.assertEqual(set(statuses) - {200}, {429}, statuses)
        limited = [r for r in results if r.status == 429][0]
        self.assertProblem(limited, 429)
        log = error_log()
        self.assertIn('by zone "odyssey_vendor"', log)
        # a user of another vendor is served meanwhile
        self.assertEqual(prd("GET", "/api/v1/me", token=token(self.outsider)).status, 200)


class IngestZone(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vendor, (cls.a, cls.b) = vendor_with_users("RL Ingest", 2)

    def test_ingest_posts_are_limited_per_vendor_and_uploads_are_not(self):
        tok = token(self.a)
        statuses = [prd("POST", "/api/v1/ingest/x", token=tok, body={}).status
                    for _ in range(INGEST_BURST + 1)]
        self.assertNotIn(429, statuses)  # the app's own answer (404/405)
        r = prd("POST", "/api/v1/ingest/x", token=tok, body={})
        self.assertProblem(r, 429)
        self.assertEqual(r.headers["retry-after"], "60")
        self.assertIn('by zone "odyssey_ingest"', error_log())
        # per vendor: the other user of the same vendor is limited too...
        self.assertEqual(prd("POST", "/api/v1/ingest/x", token=token(self.b), body={}).status, 429)
        # ...but only for POSTs to ingest, not elsewhere in the API
        self.assertEqual(prd("GET", "/api/v1/me", token=tok).status, 200)
        self.assertNotEqual(prd("GET", "/api/v1/ingest/x", token=tok).status, 429)
        # tus traffic under /uploads/ is not in the ingest zone
        for _ in range(2 * (INGEST_BURST + 1)):
            self.assertNotEqual(prd("POST", "/uploads/", token=tok,
                                    headers={"Upload-Length": "10", "Tus-Resumable": "1.0.0"}).status,
                                429)
            self.assertNotEqual(prd("PATCH", "/uploads/x", token=tok, body=b"0123456789",
                                    headers={"Content-Type": "application/offset+octet-stream",
                                             "Upload-Offset": "0",
                                             "Tus-Resumable": "1.0.0"}).status, 429)


class AuthzPath(StackCase):
    """The authz step and the named locations, on the suite's own stack
    (benchmark profile) and on the PRD one."""

    def test_internal_authz_is_not_reachable(self):
        for port in (URL.port, HTTPS_PORT):
            for path in ("/internal/authz", "/internal/", "/_odyssey/authz",
                         "/_odyssey/authz-uncached"):
                for tok in (None, ENV["ODYSSEY_TOKEN_ADMIN"]):
                    r = request("GET", path, token=tok, port=port)
                    doc = self.assertProblem(r, 404)
                    self.assertEqual(doc["title"], "Not Found")
                    self.assertNotIn("x-odyssey-user", r.headers)

    def test_client_address_and_request_id_reach_the_app(self):
        # after the internal redirect the app still gets the client's own
        # REMOTE_ADDR (never X-Forwarded-For) and the X-Request-Id the client
        # saw, both recorded by the audit trail
        root = "rl-root" + SUFFIX
        must(ctl("user", "add", "--id", root, "--email", root + "@rl.example"))
        must(ctl("admin", "grant", "--user", root))
        why = "rate-limit path check %d" % now()
        r = request("GET", "/api/v1/vendor", token=token(root), source="127.0.77.78",
                    headers={"X-Vendor-Id": ENV["ODYSSEY_DEMO_VENDOR_ID"],
                             "X-Break-Glass-Justification": why,
                             "X-Forwarded-For": "10.9.8.7", "X-Odyssey-Remote-Addr": "10.9.8.6",
                             "User-Agent": "rl-test/1"})
        self.assertEqual(r.status, 200, r)
        row = psql("SELECT host(ip) || '|' || request_id || '|' || ua FROM audit_log "
                   "WHERE action = 'break_glass' AND justification = '%s'" % why).stdout.strip()
        self.assertEqual(row, "127.0.77.78|%s|rl-test/1" % r.headers["x-request-id"])

    def test_app_errors_pass_untouched(self):
        # an app error passes untouched, with nginx's headers added
        r = request("GET", "/api/v1/nope", token=ENV["ODYSSEY_TOKEN_ADMIN"])
        doc = self.assertProblem(r, 404)
        self.assertEqual(doc["instance"], "/api/v1/nope")
        self.assertEqual(r.headers["x-frame-options"], "DENY")
        self.assertNotIn("retry-after", r.headers)
