"""test_auth.py: GET /api/v1/me: bearer tokens verified with HS256 and the
configured secret; every refusal is a 401 problem with WWW-Authenticate."""
from stack import ENV, StackCase, jwt, now, request, log_lines


class Me(StackCase):
    def assertRefused(self, r):
        doc = self.assertProblem(r, 401, "urn:odyssey:problem:invalid-token")
        self.assertIn('error="invalid_token"', r.headers["www-authenticate"])
        self.assertTrue(r.headers["www-authenticate"].startswith("Bearer"))
        return doc

    def test_each_demo_role_is_known(self):
        for role in ("ADMIN", "OPERATOR", "VIEWER"):
            r = request("GET", "/api/v1/me", token=ENV["ODYSSEY_TOKEN_" + role])
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["user"]["id"], "demo-" + role.lower())
            self.assertEqual(r.json()["user"]["email"], role.lower() + "@demo.example")

    def test_missing_token(self):
        doc = self.assertRefused(request("GET", "/api/v1/me"))
        self.assertIn("Bearer", doc["detail"])

    def test_not_bearer(self):
        self.assertRefused(request("GET", "/api/v1/me", headers={"Authorization": "Basic YTpi"}))

    def test_bad_signature(self):
        t = jwt({"sub": "demo-admin", "exp": now() + 600}, secret="wrong-secret")
        doc = self.assertRefused(request("GET", "/api/v1/me", token=t))
        self.assertNotIn("wrong-secret", doc["detail"])

    def test_alg_none(self):
        self.assertRefused(request("GET", "/api/v1/me", token=jwt({"sub": "demo-admin", "exp": now() + 600}, alg="none")))

    def test_rs256_header(self):
        self.assertRefused(request("GET", "/api/v1/me", token=jwt({"sub": "demo-admin", "exp": now() + 600}, alg="RS256")))

    def test_expired_and_not_yet_valid(self):
        self.assertRefused(request("GET", "/api/v1/me", token=jwt({"sub": "demo-admin", "exp": now() - 120})))
        self.assertRefused(request("GET", "/api/v1/me", token=jwt({"sub": "demo-admin", "exp": now() + 600, "nbf": now() + 300})))
        self.assertRefused(request("GET", "/api/v1/me", token=jwt({"sub": "demo-admin"})))

    def test_within_leeway(self):
        r = request("GET", "/api/v1/me", token=jwt({"sub": "demo-admin", "exp": now() - 10}))
        self.assertEqual(r.status, 200, r)

    def test_oversized_and_garbage(self):
        self.assertRefused(request("GET", "/api/v1/me", token="a" * 5000))
        self.assertRefused(request("GET", "/api/v1/me", token="not.a.jwt"))
        self.assertRefused(request("GET", "/api/v1/me", token="e30.e30.e30.e30"))

    def test_appwrite_user_id_claim(self):
        r = request("GET", "/api/v1/me", token=jwt({"userId": "demo-viewer", "exp": now() + 600}))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"]["id"], "demo-viewer")

    def test_valid_token_without_account(self):
        r = request("GET", "/api/v1/me", token=jwt({"sub": "nobody-here", "exp": now() + 600}))
        doc = self.assertProblem(r, 403)
        self.assertIn("no active vendor membership", doc["detail"])

    def test_request_log_line_has_prd_fields_and_no_token(self):
        token = ENV["ODYSSEY_TOKEN_OPERATOR"]
        r = request("GET", "/api/v1/me", token=token)
        rid = r.headers["x-request-id"]
        import json as _json
        import time as _time
        line = None
        for _ in range(50):
            for l in log_lines("api"):
                if rid in l:
                    line = _json.loads(l)
            if line:
                break
            _time.sleep(0.05)
        self.assertIsNotNone(line, "no log line for request " + rid)
        for field in ("req_id", "user_id", "vendor_id", "role", "route", "status",
                      "latency_ms", "rows_read", "rows_written"):
            self.assertIn(field, line)
        self.assertEqual(line["req_id"], rid)
        self.assertEqual(line["route"], "/api/v1/me")
        self.assertEqual(line["user_id"], "demo-operator")
        self.assertEqual(line["status"], 200)
        self.assertEqual(line["rows_read"], 1)
        for name in ("api", "worker"):
            text = "\n".join(log_lines(name))
            self.assertNotIn(token, text)
            self.assertNotIn(token.split(".")[2], text)
            self.assertNotIn(ENV["ODYSSEY_JWT_SECRET"], text)
