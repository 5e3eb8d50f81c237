"""test_customer_lists.py: a customer's consents (append-only history, the latest
per type in force) and product whitelist/blacklist (a product on one list at most,
even under concurrency; the vendor's live products only), through nginx and the
pool, with tenant isolation, the role matrix and audit rows without free text."""
import json
import threading

from stack import StackCase, psql, request
from test_products import RUN, make_vendor, must

def make_customer(vid, ext):
    """A customer written straight into the table (the lists only need one)."""
    return must(psql(
        "INSERT INTO customers (id, vendor_id, external_id, full_name, email, age, gender, location) "
        "VALUES (od_entity_id('%s', '%s'), '%s', '%s', 'Pat Doe', 'pat@x.example', 40, "
        "'unspecified', '{}') RETURNING id" % (vid, ext, vid, ext)))


def make_products(token, *exts):
    cat = psql("SELECT id FROM tax_categories WHERE vendor_id IS NULL AND code = 'snacks'").stdout.strip()
    items = [{"external_id": e, "name": "Item " + e, "brand": "Acme", "description": "food",
              "category_id": cat, "price": "1.00"} for e in exts]
    r = request("POST", "/api/v1/products", token=token, body={"items": items})
    assert r.status == 200, r
    return [i["id"] for i in r.json()["items"]]


class CustomerLists(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vid, cls.tok = make_vendor("LS")
        cls.vid_b, cls.tok_b = make_vendor("LSB")
        cls.admin, cls.operator, cls.viewer = cls.tok["admin"], cls.tok["operator"], cls.tok["viewer"]
        cls.cust = make_customer(cls.vid, "c1")
        cls.cust_b = make_customer(cls.vid_b, "c1")
        cls.p1, cls.p2, cls.p3, cls.p4, cls.gone = make_products(
            cls.admin, "p1", "p2", "p3", "p4", "gone")
        assert request("DELETE", "/api/v1/products/" + cls.gone, token=cls.admin).status == 204
        cls.pb, = make_products(cls.tok_b["admin"], "pb")

    def url(self, tail, cust=None):
        return "/api/v1/customers/%s/%s" % (cust or self.cust, tail)

    def audit(self, entity, action, cust=None):
        out = psql("SELECT coalesce(after, before)::text FROM audit_log WHERE entity = '%s' AND "
                   "action = '%s' AND entity_id = '%s' ORDER BY id"
                   % (entity, action, cust or self.cust))
        return [json.loads(x) for x in out.stdout.splitlines() if x.strip()]

    # --- consents --------------------------------------------------------------

    def test_consents_append_and_the_latest_is_in_force(self):
        c = make_customer(self.vid, "consent-1")
        url = self.url("consents", c)
        r = request("POST", url, token=self.operator,
                    body={"consent_type": "health_data", "granted": True, "version": "2026-01"})
        self.assertEqual(r.status, 201, r)
        first = r.json()
        self.assertEqual((first["consent_type"], first["granted"], first["version"]),
                         ("health_data", True, "2026-01"))
        self.assertTrue(first["recorded_by"].startswith("cat-ls-operator"))
        request("POST", url, token=self.operator,
                body={"consent_type": "marketing.email", "granted": True, "version": "1"})
        r = request("POST", url, token=self.admin,
                    body={"consent_type": "health_data", "granted": False, "version": "2026-02"})
        self.assertEqual(r.status, 201, r)
        items = request("GET", url, token=self.viewer).json()["items"]
        self.assertEqual([(i["consent_type"], i["granted"], i["in_force"]) for i in items],
                         [("health_data", False, True), ("marketing.email", True, True),
                          ("health_data", True, False)])
        # history is kept: three rows, nothing updated in place
        self.assertEqual(psql("SELECT count(*) FROM customer_consents WHERE customer_id = '%s'"
                              % c).stdout.strip(), "3")
        # pages of one, newest first, no repeats
        seen, cursor = [], None
        while True:
            r = request("GET", url + "?limit=1" + ("&cursor=" + cursor if cursor else ""),
                        token=self.viewer)
            self.assertEqual(r.status, 200, r)
            seen += [i["id"] for i in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(seen, [i["id"] for i in items])

    def test_consent_validation_is_422_with_pointers(self):
        r = request("POST", self.url("consents"), token=self.admin,
                    body={"consent_type": "Health Data!", "granted": "yes", "colour": 1})
        doc = self.assertProblem(r, 422)
        pointers = sorted(e["pointer"] for e in doc["errors"])
        self.assertEqual(pointers, ["#/colour", "#/consent_type", "#/granted", "#/version"])
        r = request("POST", self.url("consents"), token=self.admin,
                    body={"consent_type": "health_data", "version": "1"})
        self.assertEqual([e["pointer"] for e in self.assertProblem(r, 422)["errors"]],
                         ["#/granted"])

    def test_consent_writes_are_audited_and_viewers_cannot_write(self):
        r = request("POST", self.url("consents"), token=self.viewer,
                    body={"consent_type": "health_data", "granted": True, "version": "1"})
        self.assertProblem(r, 403)
        request("POST", self.url("consents"), token=self.admin,
                body={"consent_type": "research", "granted": True, "version": "v3"})
        self.assertIn({"consent_type": "research", "granted": True, "version": "v3"},
                      self.audit("customer_consents", "create"))

    # --- whitelist / blacklist -------------------------------------------------

    def test_add_replace_note_list_and_remove(self):
        c = make_customer(self.vid, "lists-1")
        url = self.url("whitelist", c)
        r = request("POST", url, token=self.operator, body={"product_id": self.p1, "note": "likes"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json()["product_id"], r.json()["note"]), (self.p1, "likes"))
        r = request("POST", url, token=self.operator, body={"product_id": self.p1, "note": "loves"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["note"], "loves")
        self.assertEqual(request("POST", url, token=self.operator, body={"product_id": self.p2})
                         .status, 201)
        ids, cursor = [], None
        while True:
            r = request("GET", url + "?limit=1" + ("&cursor=" + cursor if cursor else ""),
                        token=self.viewer)
            self.assertEqual(r.status, 200, r)
            ids += [i["product_id"] for i in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(ids, sorted([self.p1, self.p2]))
        r = request("DELETE", url + "/" + self.p2, token=self.operator)
        self.assertEqual(r.status, 204, r)
        self.assertProblem(request("DELETE", url + "/" + self.p2, token=self.operator), 404)
        self.assertProblem(request("DELETE", url + "/not-a-uuid", token=self.operator), 404)
        # the audit rows name the product, never the note
        rows = (self.audit("customer_whitelists", "create", c) +
                self.audit("customer_whitelists", "update", c))
        self.assertIn({"product_id": self.p1}, rows)
        self.assertNotIn("loves", json.dumps(rows))
        self.assertIn({"product_id": self.p2}, self.audit("customer_whitelists", "delete", c))

    def test_a_product_is_on_one_list_at_most(self):
        self.assertEqual(request("POST", self.url("blacklist"), token=self.admin,
                                 body={"product_id": self.p3}).status, 201)
        r = request("POST", self.url("whitelist"), token=self.admin, body={"product_id": self.p3})
        self.assertIn("blacklist", self.assertProblem(r, 409)["detail"])
        # after removal from one list it may go on the other
        self.assertEqual(request("DELETE", self.url("blacklist/" + self.p3), token=self.admin)
                         .status, 204)
        self.assertEqual(request("POST", self.url("whitelist"), token=self.admin,
                                 body={"product_id": self.p3}).status, 201)

    def test_concurrent_adds_to_both_lists_leave_one(self):
        c = make_customer(self.vid, "race-1")
        results = {}

        def add(which):
            results[which] = request("POST", self.url(which, c), token=self.admin,
                                     body={"product_id": self.p4}).status

        for _ in range(3):
            for which in ("whitelist", "blacklist"):
                request("DELETE", self.url(which + "/" + self.p4, c), token=self.admin)
            threads = [threading.Thread(target=add, args=(w,)) for w in ("whitelist", "blacklist")]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(sorted(results.values()), [201, 409], results)
            n = psql("SELECT (SELECT count(*) FROM customer_whitelists WHERE customer_id = '{0}') + "
                     "(SELECT count(*) FROM customer_blacklists WHERE customer_id = '{0}')"
                     .format(c)).stdout.strip()
            self.assertEqual(n, "1")

    def test_only_live_products_of_the_vendor(self):
        for pid in (self.pb, self.gone, "00000000-0000-0000-0000-000000000000"):
            r = request("POST", self.url("whitelist"), token=self.admin, body={"product_id": pid})
            self.assertEqual([e["pointer"] for e in self.assertProblem(r, 422)["errors"]],
                             ["#/product_id"], pid)
        r = request("POST", self.url("whitelist"), token=self.admin,
                    body={"product_id": "nope", "note": 5, "extra": True})
        self.assertEqual(sorted(e["pointer"] for e in self.assertProblem(r, 422)["errors"]),
                         ["#/extra", "#/note", "#/product_id"])

    def test_roles_and_other_vendors(self):
        self.assertProblem(request("POST", self.url("whitelist"), token=self.viewer,
                                   body={"product_id": self.p1}), 403)
        self.assertProblem(request("DELETE", self.url("blacklist/" + self.p1), token=self.viewer),
                           403)
        # vendor B's customer is not found by vendor A on any route, and the reverse
        for method, tail, body in (("GET", "consents", None), ("GET", "whitelist", None),
                                   ("GET", "blacklist", None),
                                   ("POST", "consents", {"consent_type": "x", "granted": True,
                                                         "version": "1"}),
                                   ("POST", "whitelist", {"product_id": self.pb}),
                                   ("POST", "blacklist", {"product_id": self.pb}),
                                   ("DELETE", "whitelist/" + self.pb, None),
                                   ("DELETE", "blacklist/" + self.pb, None)):
            self.assertProblem(request(method, self.url(tail, self.cust_b), token=self.admin,
                                       body=body), 404)
            self.assertProblem(request(method, self.url(tail, "0000"), token=self.admin,
                                       body=body), 404)
        self.assertEqual(psql("SELECT count(*) FROM customer_consents WHERE customer_id = '%s'"
                              % self.cust_b).stdout.strip(), "0")
