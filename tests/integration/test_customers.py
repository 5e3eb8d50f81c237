"""test_customers.py: customers through nginx and the pool: batch upsert (10,000
items, created/updated/unchanged), validation pointers with nothing written, body
problems, one customer (ETag, PUT, merge patch), the hard delete with its cascade
and an audit row without personal data, events with ids and field names only, list
search and filters, cursors, gender synonyms, roles, tenant isolation on every route."""
import datetime
import json
import time
import urllib.parse

from stack import StackCase, pages, psql, request
from test_products import RUN, make_vendor, q


def customer(ext, **over):
    c = {"external_id": ext, "full_name": "Pat " + ext, "email": "%s@example.com" % ext,
         "dob": "1985-06-15", "gender": "female", "location": {"city": "Austin", "state": "TX"}}
    c.update(over)
    return c


def age_on(dob, today):
    born = datetime.date.fromisoformat(dob)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def sql_rows(sql):
    return [line for line in psql(sql).stdout.splitlines() if line.strip()]


class Customers(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vid, cls.tok = make_vendor("CA")
        cls.vid_b, cls.tok_b = make_vendor("CB")
        cls.admin, cls.viewer = cls.tok["admin"], cls.tok["viewer"]

    def upsert(self, items, token=None, status=200, headers=None):
        r = request("POST", "/api/v1/customers", token=token or self.admin,
                    body={"items": items}, headers=headers)
        self.assertEqual(r.status, status, r)
        return r

    def count(self, table="customers", vid=None):
        return int(psql("SELECT count(*) FROM %s WHERE vendor_id = '%s'"
                        % (table, vid or self.vid)).stdout.strip())

    def events(self, ext):
        return [json.loads(line) for line in sql_rows(
            "SELECT payload FROM events WHERE vendor_id = '%s' AND event_type = "
            "'customer.updated' AND payload->>'external_id' = '%s' ORDER BY id" % (self.vid, ext))]

    def get(self, cid, token=None):
        r = request("GET", "/api/v1/customers/" + cid, token=token or self.admin)
        self.assertEqual(r.status, 200, r)
        return r

    # --- batch upsert ---------------------------------------------------------

    def test_upsert_reports_created_updated_unchanged_in_input_order(self):
        r = self.upsert([customer("u1"), customer("u2")])
        self.assertEqual([(i["external_id"], i["status"]) for i in r.json()["items"]],
                         [("u1", "created"), ("u2", "created")])
        self.assertEqual(set(r.json()), {"items"})
        r = self.upsert([customer("u2", phone="+14155550100"), customer("u1"), customer("u3")])
        self.assertEqual([i["status"] for i in r.json()["items"]],
                         ["updated", "unchanged", "created"])
        # the same values written differently are unchanged: case of the e-mail
        # domain, gender synonyms, tag spelling and order
        r = self.upsert([customer("u1", email="u1@EXAMPLE.com", gender="F")])
        self.assertEqual(r.json()["items"][0]["status"], "unchanged")
        ids = {i["external_id"]: i["id"] for i in r.json()["items"]}
        doc = self.get(ids["u1"]).json()
        self.assertEqual(doc["email"], "u1@example.com")

    def test_batch_of_10000(self):
        items = [customer("bulk-%05d" % i, dob=None, age=20 + i % 60, custom_tags=["bulk"])
                 for i in range(10000)]
        for item in items:
            del item["dob"]
        started = time.time()
        r = self.upsert(items)
        created = time.time() - started
        body = r.json()["items"]
        self.assertEqual(len(body), 10000)
        self.assertEqual([i["external_id"] for i in body], [i["external_id"] for i in items])
        self.assertTrue(all(i["status"] == "created" for i in body))
        self.assertEqual(int(psql("SELECT count(*) FROM customers WHERE vendor_id = '%s' AND "
                                  "external_id LIKE 'bulk-%%'" % self.vid).stdout.strip()), 10000)
        # ten changed, the rest as they were
        for i in range(0, 10000, 1000):
            items[i]["full_name"] = "Changed %d" % i
        r = self.upsert(items)
        statuses = [i["status"] for i in r.json()["items"]]
        self.assertEqual(statuses.count("updated"), 10)
        self.assertEqual(statuses.count("unchanged"), 9990)
        self.assertEqual(statuses[1000], "updated")
        self.assertEqual(len(self.events("bulk-01000")), 2)
        self.assertEqual(len(self.events("bulk-01001")), 1)
        self.assertLess(created, 120, "10,000 customers took %.1f s" % created)

    def test_events_carry_ids_and_field_names_only(self):
        r = self.upsert([customer("ev1", phone="+14155550101")])
        cid = r.json()["items"][0]["id"]
        self.upsert([customer("ev1", phone="+14155550102", full_name="Secret Name Ev",
                              custom_tags=["vip"])])
        created, updated = self.events("ev1")
        self.assertEqual(created["change"], "created")
        self.assertEqual(updated, {"customer_id": cid, "external_id": "ev1", "change": "updated",
                                   "changed_fields": ["full_name", "phone", "custom_tags"]})
        text = json.dumps([created, updated])
        for value in ("Secret Name Ev", "+1415555010", "ev1@example.com", "1985-06-15",
                      "Austin", "female"):
            self.assertNotIn(value, text)
        # an unchanged upsert writes no event
        self.upsert([customer("ev1", phone="+14155550102", full_name="Secret Name Ev",
                              custom_tags=["vip"])])
        self.assertEqual(len(self.events("ev1")), 2)

    def test_invalid_batch_is_422_with_pointers_and_writes_nothing(self):
        before = self.count()
        n_events = int(psql("SELECT count(*) FROM events WHERE vendor_id = '%s'"
                            % self.vid).stdout.strip())
        r = self.upsert([
            customer("bad0"),
            {"external_id": "bad1", "email": "not-an-address", "dob": "2999-01-01",
             "gender": "robot", "location": "Austin", "phone": "555-0100", "height_cm": 180},
            customer("bad2", dob="1990-01-01", age=3, custom_tags=["ok", "***"],
                     location={"address": {"street": "1 Main"}}),
            customer("bad3", dob=None),
            customer("bad0"),
        ], status=422)
        doc = self.assertProblem(r, 422, "urn:odyssey:problem:validation")
        pointers = sorted(e["pointer"] for e in doc["errors"])
        self.assertEqual(pointers, sorted([
            "#/items/1/height_cm", "#/items/1/full_name", "#/items/1/email", "#/items/1/dob",
            "#/items/1/gender", "#/items/1/location", "#/items/1/phone",
            "#/items/2/age", "#/items/2/custom_tags/1", "#/items/2/location/address",
            "#/items/3/dob", "#/items/4/external_id"]))
        self.assertEqual(self.count(), before)
        self.assertEqual(int(psql("SELECT count(*) FROM events WHERE vendor_id = '%s'"
                                  % self.vid).stdout.strip()), n_events)

    def test_body_problems(self):
        self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                   headers={"Content-Type": "application/json"},
                                   body=b'{"items": [}'), 400,
                           "urn:odyssey:problem:malformed-json")
        self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                   headers={"Content-Type": "text/csv"}, body=b"a,b"), 415,
                           "urn:odyssey:problem:unsupported-media-type")
        doc = self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                         body={"items": [{"external_id": "x%d" % i}
                                                         for i in range(10001)]}), 413,
                                 "urn:odyssey:problem:body-too-large")
        self.assertIn("10000", doc["detail"])
        doc = self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                         body={"items": []}), 422)
        self.assertEqual([e["pointer"] for e in doc["errors"]], ["#/items"])
        doc = self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                         body={"customers": []}), 422)
        self.assertEqual(sorted(e["pointer"] for e in doc["errors"]), ["#/customers", "#/items"])
        self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                   body=[customer("arr")]), 422)

    def test_gender_synonyms(self):
        words = {"F": "female", "Female": "female", "woman": "female", "M": "male",
                 "Man": "male", "non-binary": "other", "X": "other",
                 "Prefer not to say": "unspecified", "unspecified": "unspecified"}
        items = [customer("g%d" % i, gender=w) for i, w in enumerate(words)]
        ids = [i["id"] for i in self.upsert(items).json()["items"]]
        for cid, want in zip(ids, words.values()):
            self.assertEqual(self.get(cid).json()["gender"], want)
        # a vendor's own synonym counts for that vendor only
        psql("INSERT INTO synonyms_value (vendor_id, domain, canonical, synonyms) VALUES "
             "('%s', 'gender', 'female', ARRAY['dame'])" % self.vid)
        r = self.upsert([customer("g-dame", gender="Dame")])
        self.assertEqual(self.get(r.json()["items"][0]["id"]).json()["gender"], "female")
        doc = self.assertProblem(request("POST", "/api/v1/customers", token=self.tok_b["admin"],
                                         body={"items": [customer("g-dame", gender="dame")]}),
                                 422)
        self.assertEqual([e["pointer"] for e in doc["errors"]], ["#/items/0/gender"])

    def test_dob_and_age(self):
        today = utc_today()
        r = self.upsert([customer("d1", dob="1990-01-01"),
                         customer("d2", dob=None, age=41),
                         customer("d3", dob=today.isoformat())])
        d1, d2, d3 = (self.get(i["id"]).json() for i in r.json()["items"])
        self.assertEqual((d1["dob"], d1["age"]), ("1990-01-01", age_on("1990-01-01", today)))
        self.assertEqual((d2["dob"], d2["age"]), (None, 41))
        self.assertEqual(d3["age"], 0)
        # both: they must agree on today's date (a birthday tomorrow is not reached)
        tomorrow = today + datetime.timedelta(days=1)
        try:
            dob = tomorrow.replace(year=tomorrow.year - 30).isoformat()
        except ValueError:  # 29 February
            dob = (tomorrow + datetime.timedelta(days=1)).replace(year=tomorrow.year - 30).isoformat()
        self.upsert([customer("d4", dob=dob, age=29)])
        doc = self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                         body={"items": [customer("d5", dob=dob, age=30)]}), 422)
        self.assertEqual([e["pointer"] for e in doc["errors"]], ["#/items/0/age"])
        future = (today + datetime.timedelta(days=1)).isoformat()
        doc = self.assertProblem(request("POST", "/api/v1/customers", token=self.admin,
                                         body={"items": [customer("d6", dob=future)]}), 422)
        self.assertEqual([e["pointer"] for e in doc["errors"]], ["#/items/0/dob"])
        # the stored age is null with a dob: it is derived when read
        self.assertEqual(psql("SELECT coalesce(age::text, 'null') FROM customers WHERE vendor_id"
                              " = '%s' AND external_id = 'd1'" % self.vid).stdout.strip(), "null")

    # --- one customer ---------------------------------------------------------

    def test_get_put_patch_with_etag(self):
        cid = self.upsert([customer("p1", phone="+14155550100", custom_tags=["VIP Gold"],
                                    location={"city": "Austin", "zip": "78701"})]
                          ).json()["items"][0]["id"]
        r = self.get(cid)
        doc, etag = r.json(), r.headers["etag"]
        self.assertEqual(list(doc), ["id", "external_id", "full_name", "email", "dob", "age",
                                     "gender", "location", "phone", "custom_tags", "created_at",
                                     "updated_at"])
        self.assertEqual(doc["custom_tags"], ["vip_gold"])
        # PATCH: merge patch, stale ETag refused, null removes
        self.assertProblem(request("PATCH", "/api/v1/customers/" + cid, token=self.admin,
                                   headers={"If-Match": '"1"'}, body={"phone": None}), 412)
        r = request("PATCH", "/api/v1/customers/" + cid, token=self.admin,
                    headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
                    body=json.dumps({"phone": None, "location": {"zip": None, "state": "TX"},
                                     "dob": "1980-02-29"}).encode())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["phone"], None)
        self.assertEqual(r.json()["location"], {"city": "Austin", "state": "TX"})
        self.assertEqual(r.json()["age"], age_on("1980-02-29", utc_today()))
        self.assertNotEqual(r.headers["etag"], etag)
        self.assertProblem(request("PATCH", "/api/v1/customers/" + cid, token=self.admin,
                                   headers={"If-Match": etag}, body={"full_name": "X"}), 412)
        # removing the dob keeps today's age as the stored one
        r = request("PATCH", "/api/v1/customers/" + cid, token=self.admin, body={"dob": None})
        self.assertEqual((r.json()["dob"], r.json()["age"]),
                         (None, age_on("1980-02-29", utc_today())))
        doc = self.assertProblem(request("PATCH", "/api/v1/customers/" + cid, token=self.admin,
                                         body={"email": "nope", "gender": None,
                                               "external_id": "other", "id": cid}), 422)
        self.assertEqual(sorted(e["pointer"] for e in doc["errors"]), ["#/external_id", "#/id"])
        doc = self.assertProblem(request("PATCH", "/api/v1/customers/" + cid, token=self.admin,
                                         body={"email": "nope", "gender": None}), 422)
        self.assertEqual(sorted(e["pointer"] for e in doc["errors"]), ["#/email", "#/gender"])
        # PUT replaces: what is left out is gone; required fields are required
        doc = self.assertProblem(request("PUT", "/api/v1/customers/" + cid, token=self.admin,
                                         body={"full_name": "Only Name"}), 422)
        self.assertEqual(sorted(e["pointer"] for e in doc["errors"]),
                         ["#/dob", "#/email", "#/gender", "#/location"])
        r = self.get(cid)
        new = customer("p1", full_name="Pat Replaced", age=50, dob=None)
        del new["external_id"]
        r = request("PUT", "/api/v1/customers/" + cid, token=self.admin,
                    headers={"If-Match": r.headers["etag"]}, body=new)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["full_name"], r.json()["age"], r.json()["dob"],
                          r.json()["custom_tags"], r.json()["external_id"]),
                         ("Pat Replaced", 50, None, None, "p1"))
        self.assertEqual(r.headers["etag"], self.get(cid).headers["etag"])
        self.assertProblem(request("PUT", "/api/v1/customers/" + cid, token=self.admin,
                                   body=customer("p2")), 422)
        # writes are audited with field names, never values
        after = sql_rows("SELECT after FROM audit_log WHERE vendor_id = '%s' AND entity = "
                         "'customers' AND entity_id = '%s' AND action = 'update' ORDER BY id"
                         % (self.vid, cid))
        self.assertEqual(json.loads(after[-1]), {"changed_fields": ["full_name", "age",
                                                                    "custom_tags"]})
        self.assertNotIn("Pat Replaced", "".join(after))

    def test_batch_writes_are_audited_with_ids_only(self):
        r = self.upsert([customer("au1"), customer("au2")])
        ids = [i["id"] for i in r.json()["items"]]
        r = self.upsert([customer("au1", full_name="Audited Name"), customer("au2"),
                         customer("au3")])
        rows = sql_rows("SELECT after FROM audit_log WHERE vendor_id = '%s' AND entity = "
                        "'customers' AND entity_id IS NULL ORDER BY id DESC LIMIT 2" % self.vid)
        last, first = json.loads(rows[0]), json.loads(rows[1])
        self.assertEqual(first, {"created": ids, "updated": {}})
        self.assertEqual(last, {"created": [r.json()["items"][2]["id"]],
                                "updated": {ids[0]: ["full_name"]}})
        # an unchanged batch audits nothing
        self.upsert([customer("au2")])
        self.assertEqual(sql_rows("SELECT after FROM audit_log WHERE vendor_id = '%s' AND "
                                  "entity = 'customers' AND entity_id IS NULL ORDER BY id DESC "
                                  "LIMIT 1" % self.vid)[0], rows[0])

    def test_delete_removes_health_data_and_audits_ids_only(self):
        cid = self.upsert([customer("del1", full_name="Delete Me Fully",
                                    email="delete.me@example.com")]).json()["items"][0]["id"]
        cat = psql("SELECT id FROM tax_categories WHERE vendor_id IS NULL AND code = 'snacks'"
                   ).stdout.strip()
        r = request("POST", "/api/v1/products", token=self.admin,
                    body={"items": [{"external_id": "del-prod", "name": "P", "brand": "B",
                                     "description": "", "category_id": cat, "price": 1}]})
        pid = r.json()["items"][0]["id"]
        v, c = self.vid, cid
        psql("INSERT INTO customer_health_profiles (vendor_id, customer_id, height_cm, weight_kg,"
             " age, gender, activity_level, conditions) VALUES ('%s', '%s', 170, 70, 40, 'female',"
             " 'light', ARRAY['hypertension'])" % (v, c))
        psql("INSERT INTO customer_consents (vendor_id, customer_id, consent_type, granted, "
             "version) VALUES ('%s', '%s', 'marketing', true, 'v1'), ('%s', '%s', 'health', true,"
             " 'v1')" % (v, c, v, c))
        psql("INSERT INTO customer_whitelists (vendor_id, customer_id, product_id) VALUES "
             "('%s', '%s', '%s')" % (v, c, pid))
        psql("INSERT INTO customer_blacklists (vendor_id, customer_id, product_id, note) VALUES "
             "('%s', '%s', '%s', 'too salty')" % (v, c, pid))
        psql("INSERT INTO matches_cache (vendor_id, customer_id, catalog_version, results) "
             "VALUES ('%s', '%s', 1, '[]')" % (v, c))
        tables = ("customer_health_profiles", "customer_consents", "customer_whitelists",
                  "customer_blacklists", "matches_cache")
        for t in tables:
            self.assertGreater(int(psql("SELECT count(*) FROM %s WHERE customer_id = '%s'"
                                        % (t, c)).stdout.strip()), 0, t)
        # a viewer may not; another vendor does not find it
        self.assertProblem(request("DELETE", "/api/v1/customers/" + cid, token=self.viewer), 403)
        self.assertProblem(request("DELETE", "/api/v1/customers/" + cid,
                                   token=self.tok_b["admin"]), 404)
        r = request("DELETE", "/api/v1/customers/" + cid, token=self.tok["operator"])
        self.assertEqual(r.status, 204, r)
        for t in tables:
            self.assertEqual(psql("SELECT count(*) FROM %s WHERE customer_id = '%s'" % (t, c)
                                  ).stdout.strip(), "0", t)
        self.assertEqual(psql("SELECT count(*) FROM customers WHERE id = '%s'" % c
                              ).stdout.strip(), "0")
        self.assertEqual(psql("SELECT count(*) FROM products WHERE id = '%s'" % pid
                              ).stdout.strip(), "1")
        self.assertProblem(self.get_raw(cid), 404)
        self.assertProblem(request("DELETE", "/api/v1/customers/" + cid, token=self.admin), 404)
        rows = sql_rows("SELECT row_to_json(a) FROM audit_log a WHERE entity = 'customers' AND "
                        "entity_id = '%s' AND action = 'delete'" % cid)
        self.assertEqual(len(rows), 1)
        audit = json.loads(rows[0])
        self.assertEqual(set(audit["before"]), {"external_id", "created_at", "updated_at"})
        self.assertIsNone(audit["after"])
        self.assertTrue(audit["actor_user_id"].startswith("cat-ca-operator"))
        text = rows[0]
        for value in ("Delete Me Fully", "delete.me@example.com", "hypertension", "too salty",
                      "1985-06-15", "Austin", "female"):
            self.assertNotIn(value, text)
        event = self.events("del1")[-1]
        self.assertEqual(event, {"customer_id": cid, "external_id": "del1", "change": "deleted",
                                 "changed_fields": []})

    def get_raw(self, cid):
        return request("GET", "/api/v1/customers/" + cid, token=self.admin)

    def test_roles(self):
        cid = self.upsert([customer("r1")]).json()["items"][0]["id"]
        self.assertEqual(request("GET", "/api/v1/customers", token=self.viewer).status, 200)
        self.assertEqual(self.get(cid, token=self.viewer).json()["external_id"], "r1")
        for method, path, body in (("POST", "", {"items": [customer("r2")]}),
                                   ("PUT", "/" + cid, customer("r1")),
                                   ("PATCH", "/" + cid, {"full_name": "V"}),
                                   ("DELETE", "/" + cid, None)):
            doc = self.assertProblem(request(method, "/api/v1/customers" + path,
                                             token=self.viewer, body=body), 403)
            self.assertIn("customers.write", doc["detail"])
        r = request("PATCH", "/api/v1/customers/" + cid, token=self.tok["operator"],
                    body={"full_name": "Operator Was Here"})
        self.assertEqual(r.status, 200, r)

    def test_other_vendors_customers_are_404_on_every_route(self):
        cid_b = self.upsert([customer("iso1")], token=self.tok_b["admin"]).json()["items"][0]["id"]
        for method, body in (("GET", None), ("PUT", customer("iso1")),
                             ("PATCH", {"full_name": "Hijack"}), ("DELETE", None)):
            self.assertProblem(request(method, "/api/v1/customers/" + cid_b, token=self.admin,
                                       body=body), 404)
        for method, body in (("GET", None), ("PATCH", {}), ("DELETE", None)):
            self.assertProblem(request(method, "/api/v1/customers/not-a-uuid",
                                       token=self.admin, body=body), 404)
        doc = self.get(cid_b, token=self.tok_b["admin"]).json()
        self.assertEqual(doc["full_name"], "Pat iso1")
        # the same external id in A is another customer; A's list never shows B's
        cid_a = self.upsert([customer("iso1")]).json()["items"][0]["id"]
        self.assertNotEqual(cid_a, cid_b)
        ids = [i["id"] for i in request("GET", "/api/v1/customers?q=iso1",
                                        token=self.admin).json()["items"]]
        self.assertEqual(ids, [cid_a])

    def test_idempotent_batch(self):
        key = {"Idempotency-Key": "cust-key" + RUN}
        first = self.upsert([customer("idem1")], headers=key)
        again = self.upsert([customer("idem1")], headers=key)
        self.assertEqual(again.headers.get("idempotent-replayed"), "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again.json()["items"][0]["status"], "created")


class Lists(StackCase):
    """Search, filters and cursors on a vendor of its own."""

    @classmethod
    def setUpClass(cls):
        cls.vid, cls.tok = make_vendor("CL")
        cls.admin = cls.tok["admin"]
        items = [
            customer("c1", full_name="Maria Gonzalez", email="maria.g@example.com",
                     custom_tags=["vip", "newsletter"]),
            customer("c2", full_name="Mario Rossi", email="mrossi@example.org",
                     custom_tags=["newsletter"]),
            customer("c3", full_name="Ann Lee", email="ann@lee.example", custom_tags=["B2B"]),
            customer("c4", full_name="Johann Maria Bach", email="jsb@example.com"),
            customer("member-77", full_name="Zoe Park", email="zoe@example.com", custom_tags=[]),
        ]
        r = request("POST", "/api/v1/customers", token=cls.admin, body={"items": items})
        assert r.status == 200, r

    def ext(self, query):
        r = request("GET", "/api/v1/customers?" + query, token=self.admin)
        self.assertEqual(r.status, 200, r)
        return sorted(i["external_id"] for i in r.json()["items"])

    def test_search(self):
        self.assertEqual(self.ext(q(q="maria")), ["c1", "c4"])
        self.assertEqual(self.ext(q(q="Maria Gonzalez")), ["c1"])
        self.assertEqual(self.ext(q(q='"maria bach"')), ["c4"])
        self.assertEqual(self.ext(q(q='"bach maria"')), [])
        self.assertEqual(self.ext(q(q="maria -bach")), ["c1"])
        self.assertEqual(self.ext(q(q="mario or ann")), ["c2", "c3"])
        self.assertEqual(self.ext(q(q="maria.g@example.com")), ["c1"])
        self.assertEqual(self.ext(q(q="member-77")), ["member-77"])
        self.assertEqual(self.ext(q(q="mar")), [])
        self.assertEqual(self.ext(q(q="mar", prefix="true")), ["c1", "c2", "c4"])
        self.assertEqual(self.ext(q(q="maria go", prefix="true")), ["c1"])

    def test_filters(self):
        self.assertEqual(self.ext(q(**{"custom_tags.any": "vip,b2b"})), ["c1", "c3"])
        self.assertEqual(self.ext(q(**{"custom_tags.any": "Newsletter"})), ["c1", "c2"])
        self.assertEqual(self.ext(q(**{"custom_tags.any": "newsletter", "q": "mario"})),
                         ["c2"])
        self.assertEqual(self.ext("updated_after=2999-01-01T00:00:00Z"), [])
        self.assertEqual(len(self.ext("updated_after=2000-01-01T00:00:00Z")), 5)

    def test_one_word_or_tag_reads_the_terms_like_the_other_ways(self):
        # one word or one tag alone reads customer_terms; with updated_after the same
        # filter is a one-shot statement over customers: both agree, page by page
        for query in (q(q="maria"), q(q="MARIA"), q(q="member"), q(q="77"), q(q="zzz"),
                      q(**{"custom_tags.any": "newsletter"}), q(**{"custom_tags.any": "b2b"}),
                      q(**{"custom_tags.any": "absent"})):
            want = self.walk(query + "&updated_after=2000-01-01T00:00:00Z", 1)
            self.assertEqual(self.walk(query, 1), want, query)
        self.assertEqual(sorted(self.walk(q(q="maria"), 1)), ["c1", "c4"])

    def test_terms_follow_every_write(self):
        """customer_terms holds exactly the terms of the vendor's current customers,
        after creates, changes of name, e-mail and tags, unchanged rewrites and a
        delete (migration 027)."""
        vid, tok = make_vendor("CT")
        admin = tok["admin"]
        drift = ("SELECT count(*) FROM ((SELECT vendor_id, kind, term, updated_at, customer_id "
                 "FROM customer_terms WHERE vendor_id = '{v}' EXCEPT ALL "
                 "SELECT c.vendor_id, x.kind, x.term, c.updated_at, c.id FROM customers c, "
                 "od_customer_terms(c.search_tsv, c.custom_tags) x WHERE c.vendor_id = '{v}') "
                 "UNION ALL (SELECT c.vendor_id, x.kind, x.term, c.updated_at, c.id "
                 "FROM customers c, od_customer_terms(c.search_tsv, c.custom_tags) x "
                 "WHERE c.vendor_id = '{v}' EXCEPT ALL SELECT vendor_id, kind, term, updated_at, "
                 "customer_id FROM customer_terms WHERE vendor_id = '{v}')) d").format(v=vid)
        count = "SELECT count(*) FROM customer_terms WHERE vendor_id = '%s'" % vid

        def post(items):
            r = request("POST", "/api/v1/customers", token=admin, body={"items": items})
            self.assertEqual(r.status, 200, r)
            return {i["external_id"]: i["id"] for i in r.json()["items"]}

        ids = post([customer("t1", full_name="Ada Lovelace", custom_tags=["vip", "vip2"]),
                    customer("t2", full_name="Alan Turing")])
        self.assertEqual(sql_rows(drift), ["0"])
        # t1: ada, lovelace, t1@example.com, t1 and the tags vip, vip2; t2: four words
        self.assertEqual(sql_rows(count), ["10"])
        post([customer("t1", full_name="Ada King", custom_tags=["vip"]),
              customer("t2", full_name="Alan Turing")])               # t2 unchanged
        self.assertEqual(sql_rows(drift), ["0"])
        self.assertEqual(self.names(admin, q(q="lovelace")), [])
        self.assertEqual(self.names(admin, q(q="king")), ["Ada King"])
        self.assertEqual(self.names(admin, q(**{"custom_tags.any": "vip2"})), [])
        r = request("PATCH", "/api/v1/customers/" + ids["t2"], token=admin,
                    body={"email": "alan@bletchley.example", "custom_tags": ["b2b"]},
                    headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sql_rows(drift), ["0"])
        self.assertEqual(self.names(admin, q(**{"custom_tags.any": "b2b"})), ["Alan Turing"])
        self.assertEqual(self.names(admin, q(q="t2")), ["Alan Turing"])
        self.assertEqual(request("DELETE", "/api/v1/customers/" + ids["t1"],
                                 token=admin).status, 204)
        self.assertEqual(sql_rows(drift), ["0"])
        self.assertEqual(sql_rows(count + " AND customer_id = '%s'" % ids["t1"]), ["0"])
        self.assertEqual(self.names(admin, q(q="ada")), [])
        # a tag spelled like SQL's NULL is a tag, on either path
        post([customer("t3", full_name="Null Tagged", custom_tags=["null"])])
        for extra in ("", "&updated_after=2000-01-01T00:00:00Z"):
            self.assertEqual(self.names(admin, q(**{"custom_tags.any": "null"}) + extra),
                             ["Null Tagged"], extra)
            self.assertEqual(self.names(admin, q(**{"custom_tags.any": "null,b2b"}) + extra),
                             ["Null Tagged", "Alan Turing"], extra)
        # another vendor's customers are not in this vendor's range of a term
        self.assertEqual(self.names(self.admin, q(q="turing")), [])
        # the application reads terms only through its vendor's view
        denied = psql("SELECT count(*) FROM customer_terms", user="app", check=False)
        self.assertNotEqual(denied.returncode, 0)
        self.assertIn("permission denied", denied.stderr)

    def names(self, token, query):
        r = request("GET", "/api/v1/customers?" + query, token=token)
        self.assertEqual(r.status, 200, r)
        return [i["full_name"] for i in r.json()["items"]]

    def test_bad_parameters_are_400(self):
        for query in ("limit=-1", "limit=abc", "prefix=maybe", "updated_after=yesterday",
                      "updated_after=2026-02-30T00:00:00Z", "custom_tags.any=***",
                      "custom_tag.any=vip", "q=a&q=b", "sort=name", "cursor="):
            self.assertProblem(request("GET", "/api/v1/customers?" + query, token=self.admin),
                               400)

    def test_limit_default_and_clamp(self):
        r = request("GET", "/api/v1/customers?limit=0", token=self.admin).json()
        self.assertEqual(len(r["items"]), 5)
        self.assertIsNone(r["next_cursor"])
        r = request("GET", "/api/v1/customers?limit=500", token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()["items"]), 5)

    def walk(self, query, limit):
        return [i["external_id"] for i in pages("/api/v1/customers?%s&limit=%d"
                                                % (query, limit), self.admin)]

    def test_cursor_pages_ties_without_duplicates_or_skips(self):
        # the class's customers were written in one transaction: one updated_at
        seen = self.walk("", 1)
        self.assertEqual(sorted(seen), ["c1", "c2", "c3", "c4", "member-77"])
        seen = self.walk(q(**{"custom_tags.any": "newsletter"}), 1)
        self.assertEqual(sorted(seen), ["c1", "c2"])

    def test_rows_inserted_between_pages(self):
        first = request("GET", "/api/v1/customers?limit=2", token=self.admin).json()
        late = request("POST", "/api/v1/customers", token=self.admin,
                       body={"items": [customer("late1")]}).json()["items"][0]["id"]
        rest = pages("/api/v1/customers?limit=2", self.admin, first["next_cursor"])
        seen = [i["external_id"] for i in first["items"] + rest]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertTrue({"c1", "c2", "c3", "c4", "member-77"} <= set(seen))
        self.assertNotIn("late1", seen)   # newer than the first page: it comes first
        self.assertEqual(request("DELETE", "/api/v1/customers/" + late,
                                 token=self.admin).status, 204)

    def test_cursor_tamper_and_reuse(self):
        c = request("GET", "/api/v1/customers?limit=1&q=maria",
                    token=self.admin).json()["next_cursor"]
        self.assertTrue(c)
        for path in ("/api/v1/customers?limit=1&q=mario&cursor=" + c,
                     "/api/v1/customers?limit=1&cursor=" + c,
                     "/api/v1/customers?limit=1&q=maria&cursor=" + c[:-10] +
                     ("B" if c[-10] == "A" else "A") + c[-9:],
                     "/api/v1/products?limit=1&q=maria&cursor=" + c):
            self.assertProblem(request("GET", path, token=self.admin), 400)
        other = make_vendor("CL2")[1]["admin"]
        self.assertProblem(request("GET", "/api/v1/customers?limit=1&q=maria&cursor=" + c,
                                   token=other), 400)
        r = request("GET", "/api/v1/customers?limit=1&q=maria&cursor=" + urllib.parse.quote(c),
                    token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()["items"]), 1)
