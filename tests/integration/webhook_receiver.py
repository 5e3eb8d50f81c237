"""webhook_receiver.py: a real webhook receiver for the integration tests, on
loopback in a thread (http.server). It verifies every delivery the way a vendor's
receiver would, with its own code (hmac/hashlib, not the project's): the signatures
of X-Signature against the secrets it was given, the X-Timestamp against its own
clock (which the test moves together with the daemon's ODYSSEY_CLOCK_OFFSET), and
it records what arrived. What it answers is scripted per request: a status (with
headers such as Retry-After), a hang, a redirect, or a 10 MB body."""
import hashlib
import hmac
import http.server
import json
import re
import socket
import threading
import time

TOLERANCE = 300  # seconds, Stripe's default and the endpoints' tolerance_sec default


def sign(secret, timestamp, body):
    """HMAC-SHA256 of "<timestamp>\\n<raw body>" under the secret text, as hex."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"\n" + body,
                    hashlib.sha256).hexdigest()


class Delivery:
    """One request as received and judged."""

    def __init__(self, path, headers, body, secrets, now):
        self.path = path
        self.headers = headers                     # lower-cased names
        self.body = body                           # the raw bytes
        self.at = now                              # the receiver's clock
        self.timestamp_text = headers.get("x-timestamp", "")
        self.timestamp = int(self.timestamp_text) if re.fullmatch(r"[0-9]{1,12}",
                                                                  self.timestamp_text) else None
        self.fresh = self.timestamp is not None and abs(now - self.timestamp) <= TOLERANCE
        self.signatures = [s.strip() for s in headers.get("x-signature", "").split(",") if s.strip()]
        # matched[i]: the index of the secret that signature i verifies with, or None
        self.matched = []
        for s in self.signatures:
            hit = None
            if s.startswith("v1=") and self.timestamp is not None:
                for i, secret in enumerate(secrets):
                    if hmac.compare_digest(s[3:], sign(secret, self.timestamp, body)):
                        hit = i
                        break
            self.matched.append(hit)
        self.verified = bool(self.matched) and any(m is not None for m in self.matched)
        self.event_id = headers.get("x-idempotency-key")
        try:
            self.json = json.loads(body)
        except ValueError:
            self.json = None

    def valid(self):
        """What a careful receiver accepts: a fresh timestamp and a signature that verifies."""
        return self.fresh and self.verified


class Receiver:
    """A loopback HTTP server. Attributes the test sets: secrets (list of secret
    texts), offset (seconds added to the receiver's clock), plan (list of answers,
    one consumed per request; the default answers once it is empty)."""

    def __init__(self, default=("status", 204)):
        self.secrets = []
        self.offset = 0
        self.plan = []
        self.default = default
        self.deliveries = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                receiver._handle(self, body)

            do_GET = do_POST

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook", host="127.0.0.1"):
        return "http://%s:%d%s" % (host, self.port, path)

    def now(self):
        return time.time() + self.offset

    def _handle(self, h, body):
        with self.lock:
            d = Delivery(h.path, {k.lower(): v for k, v in h.headers.items()}, body,
                         list(self.secrets), self.now())
            self.deliveries.append(d)
            action = self.plan.pop(0) if self.plan else self.default
        kind = action[0]
        try:
            if kind == "hang":
                # Holds the connection without answering, then drops it.
                self.stopping.wait(action[1])
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
                return
            if kind == "redirect":
                h.send_response(302)
                h.send_header("Location", action[1])
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            if kind == "big":
                status, size = action[1], action[2]
                h.send_response(status)
                h.send_header("Content-Type", "text/plain")
                h.send_header("Content-Length", str(size))
                h.end_headers()
                chunk = b"x" * 65536
                sent = 0
                while sent < size:
                    h.wfile.write(chunk[:min(len(chunk), size - sent)])
                    sent += min(len(chunk), size - sent)
                return
            status = action[1]
            headers = action[2] if len(action) > 2 else {}
            text = (action[3] if len(action) > 3 else "").encode()
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(text)))
            h.end_headers()
            h.wfile.write(text)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the daemon stopped reading (a big body) or went away

    def wait(self, n, timeout=15.0, path=None):
        """Waits until n deliveries (to path, when given) arrived; returns them."""
        end = time.time() + timeout
        while time.time() < end:
            got = self.received(path)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        return self.received(path)

    def received(self, path=None):
        with self.lock:
            return [d for d in self.deliveries if path is None or d.path == path]

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
