"""stack.py: what the integration tests share: an HTTPS client that goes through
nginx, JWT minting for adversarial tokens, and control of the stack's processes
(the pool, the queue daemon, PostgreSQL) as scripts/dev started them."""
import base64
import hashlib
import hmac
import http.client
import itertools
import json
import os
import signal
import ssl
import subprocess
import time
import unittest
import urllib.parse
from urllib.parse import urlparse

ENV = os.environ
URL = urlparse(ENV["ODYSSEY_URL"])
VAR = ENV["ODYSSEY_VAR"]
ROOT = ENV["ODYSSEY_ROOT"]
BUILD = ENV["ODYSSEY_BUILD"]
RUN = os.path.join(VAR, "run")
LOG = os.path.join(VAR, "log")
PGBIN = "/usr/lib/postgresql/15/bin"

_ctx = ssl.create_default_context(cafile=ENV["ODYSSEY_CA_CERT"])
# Each request leaves from its own loopback address: per-address limits (the zone
# for requests without a verified user) then never throttle the suite.
_sources = itertools.cycle("127.0.%d.%d" % (i // 200 + 1, i % 200 + 2) for i in range(4000))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %s %r>" % (self.status, self.headers.get("content-type"), self.body[:300])


def request(method, path, headers=None, body=None, token=None, source=None, timeout=30,
            scheme="https", port=None):
    """Sends one request through nginx on a fresh connection."""
    if scheme == "https":
        conn = http.client.HTTPSConnection(URL.hostname, port or URL.port, context=_ctx,
                                           timeout=timeout,
                                           source_address=(source or next(_sources), 0))
    else:
        conn = http.client.HTTPConnection(URL.hostname, port, timeout=timeout,
                                          source_address=(source or next(_sources), 0))
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


def pages(path, token, cursor=None):
    """Reads a list from path (with its query) page after page, from cursor (None:
    the first page) to the end; returns every item."""
    items = []
    while True:
        r = request("GET", path + ("&cursor=" + urllib.parse.quote(cursor) if cursor else ""),
                    token=token)
        assert r.status == 200, r
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, secret=None, alg="HS256", header=None):
    """Mints a token; alg other than HS256 gets a junk signature."""
    head = dict(header or {"alg": alg, "typ": "JWT"})
    signing = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    if alg == "HS256":
        key = (secret or ENV["ODYSSEY_JWT_SECRET"]).encode()
        sig = b64url(hmac.new(key, signing.encode(), hashlib.sha256).digest())
    elif alg == "none":
        sig = ""
    else:
        sig = b64url(b"not-a-signature")
    return signing + "." + sig


def now():
    return int(time.time())


class StackCase(unittest.TestCase):
    """Assertions shared by the suites."""

    def assertProblem(self, r, status, type_=None):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/problem+json"), r)
        doc = r.json()
        self.assertEqual(doc["status"], status)
        self.assertIn("title", doc)
        self.assertIn("type", doc)
        if type_:
            self.assertEqual(doc["type"], type_)
        # every problem carries the request id, and it is nginx's
        self.assertRegex(doc.get("request_id", ""), r"^[0-9a-f]{32}$")
        self.assertEqual(doc["request_id"], r.headers.get("x-request-id"))
        return doc


# --- processes ---------------------------------------------------------------

def pid_of(name):
    with open(os.path.join(RUN, name + ".pid")) as f:
        return int(f.read().strip())


def alive(pid):
    """True while pid runs; a zombie (exited, not yet reaped) counts as gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return sorted(int(x) for x in f.read().split())
    except FileNotFoundError:
        return []


def wait_for(predicate, timeout=10.0, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def start_program(name, extra_env=None):
    """Starts odyssey-api or odyssey-worker as scripts/dev does (pid file, log)."""
    binary = {"api": "odyssey-api", "worker": "odyssey-worker"}[name]
    env = dict(ENV)
    env.update(extra_env or {})
    log = open(os.path.join(LOG, name + ".log"), "ab")
    p = subprocess.Popen([os.path.join(BUILD, binary)], env=env, stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, start_new_session=True)
    with open(os.path.join(RUN, name + ".pid"), "w") as f:
        f.write(str(p.pid))
    return p


def wait_ready(timeout=15):
    def ok():
        try:
            return request("GET", "/readyz").status == 200
        except OSError:
            return False
    return wait_for(ok, timeout, 0.1)


def psql(sql, user="owner", check=True, stdin=None):
    """Runs SQL as the owner (or the application role) over TCP."""
    url = ENV["ODYSSEY_ADMIN_DATABASE_URL"] if user == "owner" else ENV["DATABASE_URL"]
    return subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                          capture_output=True, text=True, check=check, input=stdin)


def psql_super(sql):
    """Runs SQL as the cluster's superuser (peer auth over the unix socket)."""
    return subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-tA",
                           "-h", ENV["ODYSSEY_PG_SOCKET_DIR"], "-p", ENV["ODYSSEY_PG_PORT"],
                           "-d", "odyssey", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, check=True)


def pg_ctl(action):
    args = ["runuser", "-u", "postgres", "--", PGBIN + "/pg_ctl", "-D", ENV["ODYSSEY_PGDATA"],
            "-w", "-t", "60"]
    if action == "stop":
        args += ["-m", "fast", "stop"]
    else:
        args += ["-l", os.path.join(os.path.dirname(ENV["ODYSSEY_PGDATA"]), "postgres.log"), "start"]
    subprocess.run(args, check=True, capture_output=True)


def ctl(*args, env=None):
    e = dict(ENV)
    e.update(env or {})
    return subprocess.run([os.path.join(BUILD, "odysseyctl")] + list(args), capture_output=True,
                          text=True, env=e)


def log_lines(name):
    with open(os.path.join(LOG, name + ".log"), errors="replace") as f:
        return f.read().splitlines()


# --- the read replica ----------------------------------------------------------

def replica_psql(sql):
    """Runs SQL on the streaming replica as the owner."""
    url = ENV["ODYSSEY_ADMIN_DATABASE_URL"].replace(":%s/" % ENV["ODYSSEY_PG_PORT"],
                                                    ":%s/" % ENV["ODYSSEY_REPLICA_PORT"])
    return subprocess.run(["psql", "-X", "-q", "-tA", url, "-c", sql], capture_output=True,
                          text=True)


def wait_replica(timeout=10.0):
    """Waits until the replica has replayed everything the primary wrote so far."""
    lsn = psql("SELECT pg_current_wal_lsn()").stdout.strip()
    return wait_for(lambda: replica_psql("SELECT pg_last_wal_replay_lsn() >= '%s'" % lsn)
                    .stdout.strip() == "t", timeout)


def replica_ctl(action):
    args = ["runuser", "-u", "postgres", "--", PGBIN + "/pg_ctl", "-D",
            ENV["ODYSSEY_REPLICA_PGDATA"], "-w", "-t", "60"]
    if action == "stop":
        args += ["-m", "fast", "stop"]
    else:
        args += ["-l", os.path.join(os.path.dirname(ENV["ODYSSEY_REPLICA_PGDATA"]),
                                    "postgres.log"), "start"]
    subprocess.run(args, check=True, capture_output=True)
