"""test_members.py: the vendor, its members and its audit trail through the API:
validation, last-admin protection, audit rows with before/after, and the signed
cursors every list shares (tampering, foreign vendors, other filters, limits)."""
import json
import time
import urllib.parse

from stack import ENV, StackCase, ctl, jwt, now, psql, request

RUN = "-%d" % (time.time() * 1000 % 10**9)  # fresh ids on a reused database

ADMIN = ENV["ODYSSEY_TOKEN_ADMIN"]
VIEWER = ENV["ODYSSEY_TOKEN_VIEWER"]


def must(p):
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.strip()


def token(user):
    return jwt({"sub": user, "exp": now() + 3600})


class Vendor(StackCase):
    def test_get_and_patch_settings(self):
        r = request("GET", "/api/v1/vendor", token=ADMIN)
        self.assertEqual(r.status, 200, r)
        self.assertIn("require_health_consent", r.json()["settings"])
        request("PATCH", "/api/v1/vendor", token=ADMIN, body={"settings": None})
        r = request("PATCH", "/api/v1/vendor", token=ADMIN,
                    body={"settings": {"require_health_consent": True}})
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json()["settings"]["require_health_consent"], True)
        rid = r.headers["x-request-id"]
        row = psql("SELECT before->'settings'->>'require_health_consent' || '/' || "
                   "(after->'settings'->>'require_health_consent') || '/' || actor_user_id "
                   "FROM audit_log WHERE request_id = '%s' AND entity = 'vendors' "
                   "AND action = 'update'" % rid).stdout.strip()
        self.assertEqual(row, "false/true/demo-admin")
        # null restores the default
        r = request("PATCH", "/api/v1/vendor", token=ADMIN,
                    body={"settings": {"require_health_consent": None}})
        self.assertIs(r.json()["settings"]["require_health_consent"], False)

    def test_patch_validation(self):
        r = request("PATCH", "/api/v1/vendor", token=ADMIN,
                    body={"settings": {"require_health_consent": "yes", "colour": 1},
                          "name": "", "catalog_version": 9})
        doc = self.assertProblem(r, 422)
        self.assertEqual(sorted(e["pointer"] for e in doc["errors"]),
                         ["#/catalog_version", "#/name", "#/settings/colour",
                          "#/settings/require_health_consent"])

    def test_only_a_platform_admin_suspends(self):
        self.assertProblem(request("PATCH", "/api/v1/vendor", token=ADMIN,
                                   body={"status": "suspended"}), 403)
        vid = must(ctl("vendor", "create", "--name", "Suspend via API"))
        must(ctl("user", "add", "--id", "sus-admin" + RUN, "--email", "sus@x.example"))
        must(ctl("user", "link", "--user", "sus-admin" + RUN, "--vendor", vid, "--role", "vendor_admin"))
        must(ctl("user", "add", "--id", "sus-root" + RUN, "--email", "root@x.example"))
        must(ctl("admin", "grant", "--user", "sus-root" + RUN))
        glass = {"X-Vendor-Id": vid, "X-Break-Glass-Justification": "abuse report 99"}
        r = request("PATCH", "/api/v1/vendor", token=token("sus-root" + RUN), headers=glass,
                    body={"status": "suspended"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["status"], "suspended")
        t0 = time.time()
        while request("GET", "/api/v1/vendor", token=token("sus-admin" + RUN)).status != 403:
            self.assertLess(time.time() - t0, 5.5, "suspension not effective within 5 s")
            time.sleep(0.2)
        r = request("PATCH", "/api/v1/vendor", token=token("sus-root" + RUN), headers=glass,
                    body={"status": "active"})
        self.assertEqual(r.json()["status"], "active")


class Members(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vendor = must(ctl("vendor", "create", "--name", "Members vendor"))
        must(ctl("user", "add", "--id", "m-boss" + RUN, "--email", "boss@x.example"))
        must(ctl("user", "link", "--user", "m-boss" + RUN, "--vendor", cls.vendor, "--role", "vendor_admin"))
        cls.boss = token("m-boss" + RUN)

    def call(self, method, path, body=None):
        return request(method, path, token=self.boss, body=body)

    def test_add_change_remove_with_audit(self):
        r = self.call("POST", "/api/v1/users", {"id": "m-new" + RUN, "email": "new@x.example",
                                                 "display_name": "New", "role": "vendor_viewer"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json()["user_id"], r.json()["role"]), ("m-new" + RUN, "vendor_viewer"))
        self.assertProblem(self.call("POST", "/api/v1/users", {"id": "m-new" + RUN, "email": "new@x.example",
                                                               "role": "vendor_viewer"}), 409)
        r = self.call("PUT", "/api/v1/users/m-new" + RUN + "/link", {"role": "vendor_operator"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["role"], "vendor_operator")
        # the new member sees its role at once (the cache keys on the user)
        me = request("GET", "/api/v1/me", token=token("m-new" + RUN)).json()
        self.assertEqual(me["role"], "vendor_operator")
        row = psql("SELECT (before->>'role') || '>' || (after->>'role') FROM audit_log "
                   "WHERE entity = 'user_links' AND entity_id = 'm-new%s' AND action = 'update'" % RUN).stdout.strip()
        self.assertEqual(row, "vendor_viewer>vendor_operator")
        r = self.call("DELETE", "/api/v1/users/m-new" + RUN + "/link")
        self.assertEqual(r.status, 204, r)
        self.assertProblem(self.call("DELETE", "/api/v1/users/m-new" + RUN + "/link"), 404)
        self.assertEqual(psql("SELECT count(*) FROM audit_log WHERE entity = 'user_links' AND "
                              "entity_id = 'm-new%s' AND action IN ('create', 'update', 'delete') "
                              "AND vendor_id = '%s'" % (RUN, self.vendor)).stdout.strip(), "3")

    def test_validation(self):
        doc = self.assertProblem(self.call("POST", "/api/v1/users", {"email": "nope", "role": "superadmin",
                                                                     "extra": 1}), 422)
        self.assertEqual(sorted(e["pointer"] for e in doc["errors"]),
                         ["#/email", "#/extra", "#/id", "#/role"])
        doc = self.assertProblem(self.call("PUT", "/api/v1/users/m-boss" + RUN + "/link", {"status": "gone"}), 422)
        self.assertEqual(doc["errors"][0]["pointer"], "#/status")

    def test_last_admin_cannot_be_removed_or_demoted(self):
        self.assertProblem(self.call("PUT", "/api/v1/users/m-boss" + RUN + "/link", {"role": "vendor_viewer"}), 409)
        self.assertProblem(self.call("PUT", "/api/v1/users/m-boss" + RUN + "/link", {"status": "suspended"}), 409)
        self.assertProblem(self.call("DELETE", "/api/v1/users/m-boss" + RUN + "/link"), 409)
        r = self.call("POST", "/api/v1/users", {"id": "m-second" + RUN, "email": "second@x.example",
                                                 "role": "vendor_admin"})
        self.assertEqual(r.status, 201, r)
        try:
            r = self.call("PUT", "/api/v1/users/m-second" + RUN + "/link", {"role": "vendor_viewer"})
            self.assertEqual(r.status, 200, r)
            self.assertProblem(self.call("DELETE", "/api/v1/users/m-boss" + RUN + "/link"), 409)
        finally:
            self.call("DELETE", "/api/v1/users/m-second" + RUN + "/link")

    def test_pagination_walks_every_member_once(self):
        for i in range(5):
            self.assertEqual(self.call("POST", "/api/v1/users", {"id": "m-page-%d%s" % (i, RUN),
                                                                  "email": "p%d@x.example" % i,
                                                                  "role": "vendor_viewer"}).status, 201)
        seen, cursor, pages = [], None, 0
        while True:
            q = "/api/v1/users?limit=2" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            page = self.call("GET", q).json()
            seen += [m["user_id"] for m in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue({"m-boss" + RUN, "m-page-0" + RUN, "m-page-4" + RUN} <= set(seen))
        self.assertGreaterEqual(pages, 3)


class Cursors(StackCase):
    def first_cursor(self, path, tok=ADMIN, headers=None):
        r = request("GET", path, token=tok, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertIsNotNone(r.json()["next_cursor"], r)
        return r.json()["next_cursor"]

    def test_tampered_foreign_and_mismatched_cursors_are_400(self):
        c = self.first_cursor("/api/v1/audit?limit=1")
        ok = request("GET", "/api/v1/audit?limit=1&cursor=" + urllib.parse.quote(c), token=ADMIN)
        self.assertEqual(ok.status, 200, ok)
        payload, mac = c.split(".")
        flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac
        for bad in (flipped, payload + "." + mac[::-1], "garbage", c + "x"):
            self.assertProblem(request("GET", "/api/v1/audit?limit=1&cursor=" + urllib.parse.quote(bad),
                                       token=ADMIN), 400)
        # the same cursor with other filters
        self.assertProblem(request("GET", "/api/v1/audit?limit=1&action=create&cursor=" +
                                   urllib.parse.quote(c), token=ADMIN), 400)
        # another vendor's admin presenting it
        vid = must(ctl("vendor", "create", "--name", "Cursor thief"))
        must(ctl("user", "add", "--id", "c-thief" + RUN, "--email", "thief@x.example"))
        must(ctl("user", "link", "--user", "c-thief" + RUN, "--vendor", vid, "--role", "vendor_admin"))
        self.assertProblem(request("GET", "/api/v1/audit?limit=1&cursor=" + urllib.parse.quote(c),
                                   token=token("c-thief" + RUN)), 400)

    def test_limits(self):
        for bad in ("-1", "abc", "1.5", "%zz"):
            self.assertProblem(request("GET", "/api/v1/users?limit=" + bad, token=ADMIN), 400)
        r = request("GET", "/api/v1/audit?limit=100000", token=ADMIN)
        self.assertEqual(r.status, 200, r)
        self.assertLessEqual(len(r.json()["items"]), 200)
        r = request("GET", "/api/v1/audit?limit=0", token=ADMIN)
        self.assertLessEqual(len(r.json()["items"]), 50)


class AuditTrail(StackCase):
    def test_filters_and_rights(self):
        r = request("GET", "/api/v1/audit?entity=vendors&action=create", token=ADMIN)
        self.assertEqual(r.status, 200, r)
        items = r.json()["items"]
        self.assertTrue(items)
        self.assertTrue(all(i["entity"] == "vendors" and i["action"] == "create" for i in items))
        r = request("GET", "/api/v1/audit?actor=demo-admin&limit=5", token=ADMIN)
        self.assertTrue(all(i["actor_user_id"] == "demo-admin" for i in r.json()["items"]))
        self.assertProblem(request("GET", "/api/v1/audit?from=not-a-date", token=ADMIN), 400)
        r = request("GET", "/api/v1/audit", token=VIEWER)
        self.assertProblem(r, 403)
        # a refusal on a sensitive route is itself audited
        row = psql("SELECT actor_user_id || '/' || actor_role || '/' || action || '/' || entity "
                   "FROM audit_log WHERE request_id = '%s'" % r.headers["x-request-id"]).stdout.strip()
        self.assertEqual(row, "demo-viewer/vendor_viewer/deny/audit_log")
        # only the own vendor's rows
        vendors = {i["vendor_id"] for i in request("GET", "/api/v1/audit?limit=200", token=ADMIN).json()["items"]}
        self.assertEqual(vendors, {ENV["ODYSSEY_DEMO_VENDOR_ID"]})

    def test_purge_refuses_rows_younger_than_six_years(self):
        before = psql("SELECT count(*) FROM audit_log").stdout.strip()
        p = ctl("audit", "purge", "--before", time.strftime("%Y-%m-%d"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("6 years", p.stderr)
        p = ctl("audit", "purge", "--before", "2015-01-01")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("purged 0", p.stdout)
        after = int(psql("SELECT count(*) FROM audit_log").stdout.strip())
        self.assertEqual(after, int(before) + 1)  # the purge audits itself
        # and the table is still insert-only afterwards
        self.assertNotEqual(psql("DELETE FROM audit_log", check=False).returncode, 0)
