"""test_http.py: HTTP conventions through nginx: health endpoints, security
headers, problem documents for the application's errors and for nginx's own."""
import os
import socket
import ssl
import subprocess

from stack import ENV, URL, StackCase, request, wait_ready

PROBLEM_TYPES = "urn:odyssey:problem:"


class Health(StackCase):
    def test_healthz(self):
        r = request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})

    def test_readyz_reports_current_migrations(self):
        r = request("GET", "/readyz")
        self.assertEqual(r.status, 200, r)
        files = [f for f in os.listdir(os.path.join(ENV["ODYSSEY_ROOT"], "sql")) if f.endswith(".sql")]
        self.assertEqual(r.json(), {"status": "ready", "migrations": {"applied": len(files), "pending": 0}})

    def test_request_id_and_security_headers(self):
        r = request("GET", "/healthz")
        self.assertRegex(r.headers["x-request-id"], r"^[0-9a-f]{32}$")
        self.assertIn("max-age=", r.headers["strict-transport-security"])
        self.assertEqual(r.headers["x-content-type-options"], "nosniff")
        self.assertEqual(r.headers["x-frame-options"], "DENY")
        self.assertIn("default-src 'none'", r.headers["content-security-policy"])
        self.assertEqual(r.headers["server"], "nginx")  # server_tokens off: no version

    def test_client_request_id_is_not_trusted(self):
        r = request("GET", "/healthz", headers={"X-Request-Id": "forged"})
        self.assertNotEqual(r.headers["x-request-id"], "forged")

    def test_http_redirects_to_https(self):
        r = request("GET", "/healthz?x=1", scheme="http", port=int(ENV["ODYSSEY_HTTP_PORT"]))
        self.assertEqual(r.status, 301)
        self.assertEqual(r.headers["location"],
                         "https://127.0.0.1:%d/healthz?x=1" % URL.port)


class AppProblems(StackCase):
    """Errors produced by the application: each is a problem document."""

    def setUp(self):
        self.token = ENV["ODYSSEY_TOKEN_ADMIN"]

    def test_404_unknown_api_path(self):
        doc = self.assertProblem(request("GET", "/api/v1/nope", token=self.token), 404)
        self.assertEqual(doc["type"], "about:blank")
        self.assertEqual(doc["title"], "Not Found")
        self.assertEqual(doc["instance"], "/api/v1/nope")

    def test_405_with_allow(self):
        r = request("PUT", "/api/v1/me", token=self.token, body={})
        self.assertProblem(r, 405)
        self.assertEqual(r.headers["allow"], "GET, HEAD, PATCH")

    def test_400_malformed_json_gives_byte_offset(self):
        r = request("PATCH", "/api/v1/me", token=self.token, body=b'{"display_name": "x",}',
                    headers={"Content-Type": "application/json"})
        doc = self.assertProblem(r, 400, PROBLEM_TYPES + "malformed-json")
        self.assertEqual(doc["offset"], 21)
        self.assertIn("byte 21", doc["detail"])

    def test_400_truncated_json(self):
        r = request("PATCH", "/api/v1/me", token=self.token, body=b'{"display_name": "x"',
                    headers={"Content-Type": "application/json"})
        doc = self.assertProblem(r, 400, PROBLEM_TYPES + "malformed-json")
        self.assertEqual(doc["offset"], 20)

    def test_415_wrong_media_type(self):
        r = request("PATCH", "/api/v1/me", token=self.token, body=b"display_name=x",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertProblem(r, 415, PROBLEM_TYPES + "unsupported-media-type")

    def test_413_body_over_the_app_cap(self):
        # The test stack caps bodies at 65536 bytes (ODYSSEY_BODY_MAX); nginx allows more.
        body = b'{"display_name": "' + b"x" * 70000 + b'"}'
        r = request("PATCH", "/api/v1/me", token=self.token, body=body,
                    headers={"Content-Type": "application/json"})
        self.assertProblem(r, 413, PROBLEM_TYPES + "body-too-large")

    def test_422_pointers_to_each_bad_field(self):
        r = request("PATCH", "/api/v1/me", token=self.token,
                    body={"display_name": 5, "email": "a@b.c", "a/b": 1})
        doc = self.assertProblem(r, 422, PROBLEM_TYPES + "validation")
        pointers = sorted(e["pointer"] for e in doc["errors"])
        self.assertEqual(pointers, ["#/a~1b", "#/display_name", "#/email"])

    def test_null_and_scalar_bodies(self):
        doc = self.assertProblem(request("PATCH", "/api/v1/me", token=self.token, body=b"null",
                                         headers={"Content-Type": "application/json"}), 422)
        self.assertEqual(doc["errors"][0]["pointer"], "#")
        doc = self.assertProblem(request("PATCH", "/api/v1/me", token=self.token, body=b"5",
                                         headers={"Content-Type": "application/json"}), 422)
        self.assertEqual(doc["errors"][0]["pointer"], "#")

    def test_head_is_served_by_get(self):
        r = request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_422_not_an_object(self):
        r = request("PATCH", "/api/v1/me", token=self.token, body=[1, 2])
        doc = self.assertProblem(r, 422)
        self.assertEqual(doc["errors"][0]["pointer"], "#")

    def test_patch_me_updates_and_merge_patch_type_is_accepted(self):
        r = request("PATCH", "/api/v1/me", token=self.token, body=b'{"display_name": "R\xc3\xa9my"}',
                    headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"]["display_name"], "R\u00e9my")
        self.assertEqual(request("GET", "/api/v1/me", token=self.token).json()["user"]["display_name"],
                         "R\u00e9my")
        request("PATCH", "/api/v1/me", token=self.token, body={"display_name": "Demo Admin"})


class NginxProblems(StackCase):
    """Errors nginx produces itself reach clients as problem documents too."""

    def test_404_outside_the_api(self):
        doc = self.assertProblem(request("GET", "/wp-admin"), 404)
        self.assertEqual(doc["title"], "Not Found")

    def test_414_uri_too_long(self):
        self.assertProblem(request("GET", "/api/v1/me?" + "a" * 20000), 414)

    def test_494_header_too_large(self):
        r = request("GET", "/api/v1/me", headers={"X-Big": "b" * 20000})
        # nginx reports 494 internally and sends 400 on the wire unless error_page maps it
        self.assertIn(r.status, (400, 494, 431), r)
        self.assertProblem(r, r.status)

    def test_413_body_over_nginx_limit(self):
        body = b"x" * (33 * 1024 * 1024)
        r = request("PATCH", "/api/v1/me", token=ENV["ODYSSEY_TOKEN_ADMIN"], body=body,
                    headers={"Content-Type": "application/json"})
        self.assertProblem(r, 413)

    def test_504_when_the_pool_does_not_answer_in_time(self):
        # The test stack gives nginx a 5 s fastcgi_read_timeout; a lock that
        # /readyz waits on keeps the worker from answering.
        locker = subprocess.Popen(["psql", "-X", "-q", "-tA", ENV["ODYSSEY_ADMIN_DATABASE_URL"]],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            locker.stdin.write("BEGIN; LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE; "
                               "SELECT 'locked';\n")
            locker.stdin.flush()
            self.assertIn("locked", locker.stdout.readline())
            r = request("GET", "/readyz", timeout=30)
            self.assertProblem(r, 504)
            self.assertEqual(r.headers["retry-after"], "5")
        finally:
            locker.stdin.write("COMMIT;\n\\q\n")
            locker.stdin.flush()
            locker.wait(10)
        self.assertTrue(wait_ready())

    def test_400_bad_request(self):
        # An HTTP/1.1 request without Host is a 400 from nginx itself.
        raw = socket.create_connection((URL.hostname, URL.port), timeout=10)
        ctx = ssl.create_default_context(cafile=ENV["ODYSSEY_CA_CERT"])
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        s.sendall(b"GET /api/v1/me HTTP/1.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b" 400 ", head.split(b"\r\n")[0])
        self.assertIn(b"application/problem+json", head)
        self.assertIn(b'"status":400', body)
