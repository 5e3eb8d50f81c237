"""test_taxonomy.py: taxonomy and synonym dictionaries through the API: global rows
visible to every vendor and read-only there, vendor rows isolated, a platform admin
managing global rows, the rules (codes, labels, parents, cycles, uniqueness,
deactivate-instead-of-delete, one canonical per word), audit, cursor pages, seeds."""
import time
import urllib.parse

from stack import StackCase, ctl, jwt, now, psql, request

RUN = "%d" % (time.time() * 1000 % 10**9)  # fresh codes on a reused database
VALIDATION = "urn:odyssey:problem:validation"
CONFLICT = "urn:odyssey:problem:conflict"


def must(p):
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.strip()


def token(user):
    return jwt({"sub": user, "exp": now() + 3600})


def pointers(doc):
    return sorted(e["pointer"] for e in doc.get("errors", []))


class Base(StackCase):
    @classmethod
    def setUpClass(cls):
        tag = "%s-%s" % (cls.__name__.lower(), RUN)  # each class its own vendors and users
        cls.va = must(ctl("vendor", "create", "--name", "Taxonomy A " + tag))
        cls.vb = must(ctl("vendor", "create", "--name", "Taxonomy B " + tag))
        for user, vendor, role in (("tx-a-" + tag, cls.va, "vendor_admin"),
                                   ("tx-av-" + tag, cls.va, "vendor_viewer"),
                                   ("tx-b-" + tag, cls.vb, "vendor_admin")):
            must(ctl("user", "add", "--id", user, "--email", user + "@x.example"))
            must(ctl("user", "link", "--user", user, "--vendor", vendor, "--role", role))
        must(ctl("user", "add", "--id", "tx-root-" + tag, "--email", "root@x.example"))
        must(ctl("admin", "grant", "--user", "tx-root-" + tag))
        cls.A, cls.AV = token("tx-a-" + tag), token("tx-av-" + tag)
        cls.B, cls.ROOT = token("tx-b-" + tag), token("tx-root-" + tag)

    def call(self, method, path, tok, body=None, headers=None):
        return request(method, path, token=tok, body=body, headers=headers)

    def create(self, kind, tok, code, **extra):
        body = {"code": code, "label": code.replace("_", " ").title()}
        body.update(extra)
        r = self.call("POST", "/api/v1/taxonomy/" + kind, tok, body)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def listing(self, path, tok):
        """Every item of a list, page by page."""
        items, cursor = [], None
        for _ in range(100):
            sep = "&" if "?" in path else "?"
            r = self.call("GET", path + (sep + "cursor=" + urllib.parse.quote(cursor) if cursor else ""), tok)
            self.assertEqual(r.status, 200, r)
            page = r.json()
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items
        self.fail("no end of list")

    def product(self, vendor, category_id, **arrays):
        """Inserts a product as the owner (no products API yet)."""
        ext = "p-%s-%d" % (RUN, time.time_ns() % 10**9)
        cols = ", ".join(arrays)
        vals = ", ".join("ARRAY[%s]::text[]" % ",".join("'%s'" % w for w in ws) for ws in arrays.values())
        psql("INSERT INTO products (id, vendor_id, external_id, name, brand, description, category_id, "
             "price%s) VALUES (od_entity_id('%s', '%s'), '%s', '%s', 'n', 'b', 'd', '%s', 1%s)"
             % ((", " + cols) if cols else "", vendor, ext, vendor, ext, category_id,
                (", " + vals) if vals else ""))
        return ext

    def global_id(self, kind, code, tok):
        items = self.listing("/api/v1/taxonomy/%s?scope=global&limit=200" % kind, tok)
        return next(i["id"] for i in items if i["code"] == code)


class Taxonomy(Base):
    def test_unknown_kind_or_dictionary_is_404(self):
        for path in ("/api/v1/taxonomy/widgets", "/api/v1/taxonomy/category",
                     "/api/v1/synonyms/headers", "/api/v1/taxonomy/tags/not-a-uuid"):
            self.assertProblem(self.call("GET", path, self.A), 404)
        self.assertProblem(self.call("POST", "/api/v1/taxonomy/widgets", self.A,
                                     {"code": "x", "label": "x"}), 404)

    def test_global_rows_are_visible_to_every_vendor(self):
        for tok in (self.A, self.B):
            items = self.listing("/api/v1/taxonomy/allergens", tok)
            codes = {i["code"]: i["scope"] for i in items if i["scope"] == "global"}
            self.assertEqual(set(codes), {"milk", "egg", "fish", "shellfish", "tree_nuts", "peanut",
                                          "wheat", "soy", "sesame"})

    def test_crud_of_a_vendor_row_is_audited(self):
        row = self.create("categories", self.A, "crud_" + RUN, label="  Crud  ")
        self.assertEqual((row["scope"], row["label"], row["active"], row["parent_id"]),
                         ("vendor", "Crud", True, None))
        r = self.call("GET", "/api/v1/taxonomy/categories/" + row["id"].upper(), self.AV)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["code"], "crud_" + RUN)
        r = self.call("PATCH", "/api/v1/taxonomy/categories/" + row["id"], self.A,
                      {"label": "Crud two", "code": "crud_" + RUN})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["label"], "Crud two")
        r = self.call("DELETE", "/api/v1/taxonomy/categories/" + row["id"], self.A)
        self.assertEqual(r.status, 204, r)
        self.assertProblem(self.call("GET", "/api/v1/taxonomy/categories/" + row["id"], self.A), 404)
        audit = psql("SELECT action || '|' || coalesce(before->>'label', '-') || '|' || "
                     "coalesce(after->>'label', '-') || '|' || vendor_id FROM audit_log "
                     "WHERE entity = 'tax_categories' AND entity_id = '%s' ORDER BY id" % row["id"]
                     ).stdout.splitlines()
        self.assertEqual(audit, ["create|-|Crud|" + self.va, "update|Crud|Crud two|" + self.va,
                                 "delete|Crud two|-|" + self.va])

    def test_validation_errors_point_at_fields(self):
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/tags", self.A,
                                           {"code": "Bad", "label": "", "active": "yes",
                                            "parent_id": "nope", "colour": 1}), 422, VALIDATION)
        self.assertEqual(pointers(doc), ["#/active", "#/code", "#/colour", "#/label", "#/parent_id"])
        for code in ("_x", "a" * 65, "a-b", " ab", ""):
            doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/tags", self.A,
                                               {"code": code, "label": "x"}), 422)
            self.assertEqual(pointers(doc), ["#/code"], code)
        self.create("tags", self.A, "9" + "a" * 63)  # 64 characters, leading digit
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/tags", self.A,
                                           {"code": "long_label_" + RUN, "label": "é" * 201}), 422)
        self.assertEqual(pointers(doc), ["#/label"])
        self.create("tags", self.A, "label200_" + RUN, label="é" * 200)
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/tags", self.A, {}), 422)
        self.assertEqual(pointers(doc), ["#/code", "#/label"])
        self.assertProblem(self.call("POST", "/api/v1/taxonomy/tags", self.A, [1]), 422)
        self.assertProblem(request("POST", "/api/v1/taxonomy/tags", token=self.A, body=b"{",
                                   headers={"Content-Type": "application/json"}), 400)

    def test_parent_must_be_visible_and_of_the_same_kind(self):
        milk = self.global_id("allergens", "milk", self.A)
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/categories", self.A,
                                           {"code": "kid_" + RUN, "label": "x", "parent_id": milk}), 422)
        self.assertEqual(pointers(doc), ["#/parent_id"])
        theirs = self.create("categories", self.B, "b_parent_" + RUN)
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/categories", self.A,
                                           {"code": "kid_" + RUN, "label": "x",
                                            "parent_id": theirs["id"]}), 422)
        self.assertEqual(pointers(doc), ["#/parent_id"])
        # a global parent is visible: a vendor subcategory of a global category
        snacks = self.global_id("categories", "snacks", self.A)
        kid = self.create("categories", self.A, "kid_" + RUN, parent_id=snacks)
        self.assertEqual(kid["parent_id"], snacks)
        r = self.call("PATCH", "/api/v1/taxonomy/categories/" + kid["id"], self.A, {"parent_id": None})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json()["parent_id"])

    def test_cycles_are_refused(self):
        a = self.create("cuisines", self.A, "cy_a_" + RUN)
        b = self.create("cuisines", self.A, "cy_b_" + RUN, parent_id=a["id"])
        c = self.create("cuisines", self.A, "cy_c_" + RUN, parent_id=b["id"])
        for target, parent in ((a, c), (a, b), (a, a), (b, c)):
            doc = self.assertProblem(self.call("PATCH", "/api/v1/taxonomy/cuisines/" + target["id"],
                                               self.A, {"parent_id": parent["id"]}), 422, VALIDATION)
            self.assertEqual(pointers(doc), ["#/parent_id"])
        r = self.call("PATCH", "/api/v1/taxonomy/cuisines/" + c["id"], self.A, {"parent_id": a["id"]})
        self.assertEqual(r.status, 200, r)
        row = self.call("GET", "/api/v1/taxonomy/cuisines/" + a["id"], self.A).json()
        self.assertIsNone(row["parent_id"])

    def test_duplicate_code_is_409_and_a_vendor_may_shadow_a_global_code(self):
        shadow = self.create("categories", self.A, "snacks")
        self.assertEqual(shadow["scope"], "vendor")
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/categories", self.A,
                                           {"code": "snacks", "label": "Again"}), 409, CONFLICT)
        self.assertIn("snacks", doc["detail"])
        # the same code in another vendor is another scope
        self.create("categories", self.B, "snacks")
        both = [i for i in self.listing("/api/v1/taxonomy/categories", self.A) if i["code"] == "snacks"]
        self.assertEqual(sorted(i["scope"] for i in both), ["global", "vendor"])

    def test_code_never_changes(self):
        row = self.create("tags", self.A, "fixed_" + RUN)
        doc = self.assertProblem(self.call("PATCH", "/api/v1/taxonomy/tags/" + row["id"], self.A,
                                           {"code": "other_" + RUN}), 422)
        self.assertEqual(pointers(doc), ["#/code"])

    def test_vendor_isolation(self):
        theirs = self.create("tags", self.B, "isolated_" + RUN)
        for method, body in (("GET", None), ("PATCH", {"label": "x"}), ("DELETE", None)):
            self.assertProblem(self.call(method, "/api/v1/taxonomy/tags/" + theirs["id"], self.A, body), 404)
        self.assertNotIn(theirs["id"], [i["id"] for i in self.listing("/api/v1/taxonomy/tags", self.A)])
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/tags/" + theirs["id"], self.B).status, 200)
        # a uuid of nothing at all is 404 too
        self.assertProblem(self.call("GET", "/api/v1/taxonomy/tags/00000000-0000-0000-0000-000000000001",
                                     self.A), 404)

    def test_global_rows_are_read_only_for_vendors(self):
        milk = self.global_id("allergens", "milk", self.A)
        doc = self.assertProblem(self.call("PATCH", "/api/v1/taxonomy/allergens/" + milk, self.A,
                                           {"label": "Mine"}), 403)
        self.assertIn("global", doc["detail"])
        self.assertProblem(self.call("DELETE", "/api/v1/taxonomy/allergens/" + milk, self.A), 403)
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/allergens/" + milk, self.A).json()["label"], "Milk")

    def test_viewer_reads_but_does_not_write(self):
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/tags", self.AV).status, 200)
        doc = self.assertProblem(self.call("POST", "/api/v1/taxonomy/tags", self.AV,
                                           {"code": "viewer_" + RUN, "label": "x"}), 403)
        self.assertIn("taxonomy.manage", doc["detail"])

    def test_platform_admin_manages_global_rows(self):
        row = self.create("cuisines", self.ROOT, "global_" + RUN)
        self.assertEqual(row["scope"], "global")
        for tok in (self.A, self.B):
            r = self.call("GET", "/api/v1/taxonomy/cuisines/" + row["id"], tok)
            self.assertEqual(r.json()["scope"], "global", r)
        self.assertProblem(self.call("PATCH", "/api/v1/taxonomy/cuisines/" + row["id"], self.A,
                                     {"active": False}), 403)
        r = self.call("PATCH", "/api/v1/taxonomy/cuisines/" + row["id"], self.ROOT, {"active": False})
        self.assertEqual((r.status, r.json()["active"]), (200, False), r)
        # outside a vendor only global rows exist
        mine = self.create("cuisines", self.A, "mine_" + RUN)
        self.assertProblem(self.call("GET", "/api/v1/taxonomy/cuisines/" + mine["id"], self.ROOT), 404)
        self.assertProblem(self.call("DELETE", "/api/v1/taxonomy/cuisines/" + mine["id"], self.ROOT), 404)
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/cuisines?scope=vendor", self.ROOT).json()["items"], [])
        self.assertEqual(self.call("DELETE", "/api/v1/taxonomy/cuisines/" + row["id"], self.ROOT).status, 204)
        audit = psql("SELECT string_agg(action || '/' || actor_role || '/' || coalesce(vendor_id::text, 'none'), "
                     "' ' ORDER BY id) FROM audit_log WHERE entity = 'tax_cuisines' "
                     "AND entity_id = '%s'" % row["id"]).stdout.strip()
        self.assertEqual(audit, "create/superadmin/none update/superadmin/none delete/superadmin/none")
        # break-glass inside a vendor works on that vendor's rows
        glass = {"X-Vendor-Id": self.va, "X-Break-Glass-Justification": "taxonomy ticket " + RUN}
        r = self.call("POST", "/api/v1/taxonomy/cuisines", self.ROOT,
                      {"code": "glass_" + RUN, "label": "Glass"}, headers=glass)
        self.assertEqual((r.status, r.json()["scope"]), (201, "vendor"), r)
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/cuisines/" + r.json()["id"], self.A).status, 200)
        milk = self.global_id("allergens", "milk", self.A)
        self.assertProblem(self.call("PATCH", "/api/v1/taxonomy/allergens/" + milk, self.ROOT,
                                     {"label": "x"}, headers=glass), 403)

    def test_a_row_in_use_is_deactivated_not_deleted(self):
        cat = self.create("categories", self.A, "used_" + RUN)
        child = self.create("categories", self.A, "used_child_" + RUN, parent_id=cat["id"])
        tag = self.create("tags", self.A, "used_tag_" + RUN)
        cert = self.create("certifications", self.A, "used_cert_" + RUN)
        self.product(self.va, child["id"], dietary_tags=[tag["code"]], certifications=[cert["code"]])
        for kind, row, what in (("categories", cat, "child rows"), ("categories", child, "products"),
                                ("tags", tag, "products"), ("certifications", cert, "products")):
            doc = self.assertProblem(self.call("DELETE", "/api/v1/taxonomy/%s/%s" % (kind, row["id"]),
                                               self.A), 409, CONFLICT)
            self.assertIn(what, doc["detail"])
            self.assertIn('PATCH {"active": false}', doc["detail"])
            r = self.call("PATCH", "/api/v1/taxonomy/%s/%s" % (kind, row["id"]), self.A, {"active": False})
            self.assertEqual((r.status, r.json()["active"]), (200, False), r)
        # a global category used by a vendor's product cannot be deleted by the platform
        glob = self.create("categories", self.ROOT, "glob_used_" + RUN)
        self.product(self.vb, glob["id"])
        doc = self.assertProblem(self.call("DELETE", "/api/v1/taxonomy/categories/" + glob["id"],
                                           self.ROOT), 409)
        self.assertIn("deactivate", doc["detail"])
        # a global allergen is the canonical of the global value synonyms
        milk = self.global_id("allergens", "milk", self.ROOT)
        doc = self.assertProblem(self.call("DELETE", "/api/v1/taxonomy/allergens/" + milk, self.ROOT), 409)
        self.assertIn("synonyms", doc["detail"])

    def test_filters_and_cursor_pages(self):
        made = [self.create("tags", self.A, "page_%s_%d" % (RUN, i)) for i in range(5)]
        self.call("PATCH", "/api/v1/taxonomy/tags/" + made[0]["id"], self.A, {"active": False})
        mine = self.listing("/api/v1/taxonomy/tags?scope=vendor&limit=2", self.A)
        ids = [i["id"] for i in mine]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertTrue({m["id"] for m in made} <= set(ids))
        self.assertTrue(all(i["scope"] == "vendor" for i in mine))
        self.assertEqual([i["code"] for i in mine], sorted(i["code"] for i in mine))
        inactive = self.listing("/api/v1/taxonomy/tags?active=false", self.A)
        self.assertIn(made[0]["id"], [i["id"] for i in inactive])
        self.assertTrue(all(not i["active"] for i in inactive))
        globals_ = self.listing("/api/v1/taxonomy/tags?scope=global&active=true", self.A)
        self.assertIn("vegan", [i["code"] for i in globals_])
        self.assertTrue(all(i["scope"] == "global" for i in globals_))
        # limits
        self.assertEqual(len(self.call("GET", "/api/v1/taxonomy/tags?limit=0", self.A).json()["items"]),
                         min(50, len(self.listing("/api/v1/taxonomy/tags", self.A))))
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/tags?limit=500", self.A).status, 200)
        for bad in ("limit=-1", "limit=abc", "active=maybe", "scope=all", "cursor="):
            self.assertProblem(self.call("GET", "/api/v1/taxonomy/tags?" + bad, self.A), 400)
        # a cursor is bound to the vendor, the kind and the filters
        cursor = self.call("GET", "/api/v1/taxonomy/tags?scope=vendor&limit=1", self.A).json()["next_cursor"]
        q = "cursor=" + urllib.parse.quote(cursor)
        self.assertEqual(self.call("GET", "/api/v1/taxonomy/tags?scope=vendor&limit=1&" + q, self.A).status, 200)
        for path, tok in (("/api/v1/taxonomy/tags?" + q, self.A),
                          ("/api/v1/taxonomy/categories?scope=vendor&" + q, self.A),
                          ("/api/v1/taxonomy/tags?scope=vendor&" + q, self.B),
                          ("/api/v1/taxonomy/tags?scope=vendor&" + q[:-2], self.A)):
            self.assertProblem(self.call("GET", path, tok), 400)


class Synonyms(Base):
    def value(self, tok, domain, canonical, synonyms, status=201):
        r = self.call("POST", "/api/v1/synonyms/value", tok,
                      {"domain": domain, "canonical": canonical, "synonyms": synonyms})
        self.assertEqual(r.status, status, r)
        return r.json()

    def test_value_words_are_normalised_and_checked(self):
        row = self.value(self.A, "unit", "u_" + RUN, ["  Foo Bar ", "BAZ\t", "µG-" + RUN])
        self.assertEqual(row["synonyms"], ["foo bar", "baz", "µg-" + RUN])
        self.assertEqual(row["scope"], "vendor")
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                           {"domain": "unit", "canonical": "v_" + RUN,
                                            "synonyms": ["a", " A ", "  ", "v_" + RUN, 5]}), 422)
        self.assertEqual(pointers(doc), ["#/synonyms/4"])
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                           {"domain": "unit", "canonical": "v_" + RUN,
                                            "synonyms": ["a", " A ", "  ", "V_" + RUN]}), 422)
        self.assertEqual(pointers(doc), ["#/synonyms/1", "#/synonyms/2", "#/synonyms/3"])
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                           {"domain": "colour", "canonical": "Bad", "extra": 1,
                                            "synonyms": "x"}), 422)
        self.assertEqual(pointers(doc), ["#/canonical", "#/domain", "#/extra", "#/synonyms"])
        # one row per canonical in a scope and domain
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                           {"domain": "unit", "canonical": "u_" + RUN}), 409, CONFLICT)

    def test_a_word_maps_to_one_canonical_per_scope(self):
        self.value(self.A, "condition", "c1_" + RUN, ["shared " + RUN])
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                           {"domain": "condition", "canonical": "c2_" + RUN,
                                            "synonyms": ["Shared " + RUN]}), 409, CONFLICT)
        self.assertIn("c1_" + RUN, doc["detail"])
        # the canonical itself counts as a word
        self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                     {"domain": "condition", "canonical": "c3_" + RUN,
                                      "synonyms": ["c1_" + RUN]}), 409)
        # another domain, another vendor: other scopes
        self.value(self.A, "diet", "c2_" + RUN, ["shared " + RUN])
        self.value(self.B, "condition", "c2_" + RUN, ["shared " + RUN])
        # a vendor row overrides a global word
        self.value(self.A, "condition", "c4_" + RUN, ["htn"])
        # a patch is checked the same way
        row = self.value(self.A, "condition", "c5_" + RUN, [])
        self.assertProblem(self.call("PATCH", "/api/v1/synonyms/value/" + row["id"], self.A,
                                     {"synonyms": ["shared " + RUN]}), 409)
        r = self.call("PATCH", "/api/v1/synonyms/value/" + row["id"], self.A, {"synonyms": ["Own " + RUN]})
        self.assertEqual((r.status, r.json()["synonyms"]), (200, ["own " + RUN]), r)

    def test_allergen_canonical_must_be_an_active_allergen(self):
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                           {"domain": "allergen", "canonical": "gluten_" + RUN}), 422)
        self.assertEqual(pointers(doc), ["#/canonical"])
        mine = self.create("allergens", self.A, "lupin_" + RUN)
        row = self.value(self.A, "allergen", "lupin_" + RUN, ["lupine " + RUN])
        # the vendor's allergen is now referenced by its synonyms
        doc = self.assertProblem(self.call("DELETE", "/api/v1/taxonomy/allergens/" + mine["id"], self.A), 409)
        self.assertIn("synonyms", doc["detail"])
        self.call("PATCH", "/api/v1/taxonomy/allergens/" + mine["id"], self.A, {"active": False})
        self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.B,
                                     {"domain": "allergen", "canonical": "lupin_" + RUN}), 422)
        self.call("DELETE", "/api/v1/synonyms/value/" + row["id"], self.A)
        self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.A,
                                     {"domain": "allergen", "canonical": "lupin_" + RUN}), 422)
        self.assertEqual(self.call("DELETE", "/api/v1/taxonomy/allergens/" + mine["id"], self.A).status, 204)
        # a vendor row overriding a global allergen's words
        self.value(self.A, "allergen", "milk", ["whey", "lait " + RUN])

    def test_header_synonyms(self):
        body = {"mode": "products", "canonical": "nutrition.sodium_mg",
                "synonyms": ["Salt (mg) " + RUN], "transform_ops": ["trim", "parse_quantity:mg"],
                "confidence": 0.8}
        r = self.call("POST", "/api/v1/synonyms/header", self.A, body)
        self.assertEqual(r.status, 201, r)
        row = r.json()
        self.assertEqual((row["synonyms"], row["transform_ops"], row["confidence"], row["scope"]),
                         (["salt (mg) " + RUN], ["trim", "parse_quantity:mg"], 0.8, "vendor"))
        self.assertIn("/api/v1/synonyms/header/" + row["id"], r.headers["location"])
        self.assertProblem(self.call("POST", "/api/v1/synonyms/header", self.A, body), 409)
        doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/header", self.A,
                                           {"mode": "stores", "canonical": "Nutrition.x",
                                            "transform_ops": [1], "confidence": 0}), 422)
        self.assertEqual(pointers(doc), ["#/canonical", "#/confidence", "#/mode", "#/transform_ops"])
        for canonical in ("a.b.c", "1abc", "a.", ".a", "a_b.9"):
            doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/header", self.A,
                                               {"mode": "products", "canonical": canonical}), 422)
            self.assertEqual(pointers(doc), ["#/canonical"], canonical)
        for c in (1.5, -0.1, "0.5", None):
            doc = self.assertProblem(self.call("POST", "/api/v1/synonyms/header", self.A,
                                               {"mode": "products", "canonical": "brand", "confidence": c}), 422)
            self.assertEqual(pointers(doc), ["#/confidence"])
        self.assertProblem(self.call("POST", "/api/v1/synonyms/header", self.A,
                                     {"mode": "products", "canonical": "name",
                                      "synonyms": ["SALT (mg) " + RUN]}), 409, CONFLICT)
        # the same canonical in the other mode is another row
        r = self.call("POST", "/api/v1/synonyms/header", self.A,
                      {"mode": "customers", "canonical": "nutrition.sodium_mg", "confidence": 1})
        self.assertEqual((r.status, r.json()["confidence"], r.json()["transform_ops"]), (201, 1.0, []), r)
        r = self.call("PATCH", "/api/v1/synonyms/header/" + row["id"], self.A,
                      {"confidence": 0.55, "transform_ops": []})
        self.assertEqual((r.status, r.json()["confidence"], r.json()["synonyms"]),
                         (200, 0.55, ["salt (mg) " + RUN]), r)
        doc = self.assertProblem(self.call("PATCH", "/api/v1/synonyms/header/" + row["id"], self.A,
                                           {"mode": "customers"}), 422)
        self.assertEqual(pointers(doc), ["#/mode"])
        listed = self.listing("/api/v1/synonyms/header?mode=products&scope=vendor", self.A)
        self.assertEqual([i["id"] for i in listed], [row["id"]])
        self.assertProblem(self.call("GET", "/api/v1/synonyms/header?mode=stores", self.A), 400)
        self.assertProblem(self.call("GET", "/api/v1/synonyms/header/" + row["id"], self.B), 404)
        self.assertEqual(self.call("DELETE", "/api/v1/synonyms/header/" + row["id"], self.A).status, 204)
        audit = psql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE "
                     "entity = 'synonyms_header' AND entity_id = '%s'" % row["id"]).stdout.strip()
        self.assertEqual(audit, "create,update,delete")

    def test_global_dictionaries_and_the_platform(self):
        glob = next(i for i in self.listing("/api/v1/synonyms/value?domain=allergen&scope=global", self.A)
                    if i["canonical"] == "milk")
        self.assertProblem(self.call("PATCH", "/api/v1/synonyms/value/" + glob["id"], self.A,
                                     {"synonyms": []}), 403)
        self.assertProblem(self.call("DELETE", "/api/v1/synonyms/value/" + glob["id"], self.A), 403)
        self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.AV,
                                     {"domain": "unit", "canonical": "viewer"}), 403)
        row = self.value(self.ROOT, "unit", "g_" + RUN, ["global word " + RUN])
        self.assertEqual(row["scope"], "global")
        self.assertEqual(self.call("GET", "/api/v1/synonyms/value/" + row["id"], self.B).status, 200)
        # global scope: the word is taken for other global rows only
        self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.ROOT,
                                     {"domain": "unit", "canonical": "h_" + RUN,
                                      "synonyms": ["global word " + RUN]}), 409)
        self.value(self.A, "unit", "h_" + RUN, ["global word " + RUN])
        # a global allergen canonical must be a global allergen
        mine = self.create("allergens", self.A, "only_mine_" + RUN)
        self.assertProblem(self.call("POST", "/api/v1/synonyms/value", self.ROOT,
                                     {"domain": "allergen", "canonical": mine["code"]}), 422)
        self.assertEqual(self.call("DELETE", "/api/v1/synonyms/value/" + row["id"], self.ROOT).status, 204)

    def test_seeds(self):
        values = {i["canonical"]: set(i["synonyms"]) for i in
                  self.listing("/api/v1/synonyms/value?domain=allergen&scope=global", self.A)}
        expected = {
            "milk": "dairy, milks, casein, caseinate, whey, lactalbumin, lactoglobulin, lactose, ghee, "
                    "butter, buttermilk, cream, curds, milk solids, goat milk, sheep milk",
            "egg": "eggs, albumin, albumen, globulin, livetin, lysozyme, ovalbumin, ovomucoid, "
                   "mayonnaise, meringue, duck egg, goose egg, quail egg",
            "fish": "fishes",
            "shellfish": "crustacean shellfish, crustaceans, crustacean",
            "tree_nuts": "tree nut, tree nuts, nuts (tree), almond, black walnut, brazil nut, "
                         "california walnut, cashew, hazelnut, filbert, heartnut, macadamia, pecan, "
                         "pine nut, pistachio, english walnut, persian walnut",
            "peanut": "peanuts, arachis oil, ground nuts, goober, monkey nuts, beer nuts",
            "wheat": "durum, semolina, spelt, farina, graham, bulgur, couscous, triticale, wheat germ, "
                     "vital wheat gluten, emmer, farro",
            "soy": "soybean, soybeans, soya, soja, edamame, miso, natto, shoyu, tamari, tempeh, tofu, "
                   "textured vegetable protein",
            "sesame": "sesame seed, sesame seeds, benne, benniseed, gingelly, tahini, til, sim sim",
        }
        self.assertEqual(set(values), set(expected))
        for code, words in expected.items():
            missing = {w.strip() for w in words.split(",")} - values[code]
            self.assertEqual(missing, set(), code)
        self.assertNotIn("coconut", values["tree_nuts"])
        headers = {i["canonical"]: set(i["synonyms"]) for i in
                   self.listing("/api/v1/synonyms/header?mode=products&scope=global", self.A)}
        for canonical, words in (("name", {"product name", "item_name", "title"}),
                                 ("barcode", {"upc", "ean"}),
                                 ("nutrition.sodium_mg", {"sodium (mg)", "sodium_mg"}),
                                 ("nutrition.total_carbohydrate_g", {"total carbohydrate (g)"}),
                                 ("price", {"unit_price"}), ("brand", {"brand_name"})):
            self.assertTrue(words <= headers[canonical], canonical)
        for key in ("energy_kcal", "protein_g", "total_fat_g", "saturated_fat_g", "trans_fat_g",
                    "cholesterol_mg", "sodium_mg", "total_carbohydrate_g", "dietary_fiber_g",
                    "total_sugars_g", "added_sugars_g", "potassium_mg", "phosphorus_mg", "calcium_mg",
                    "iron_mg", "vitamin_d_mcg"):
            self.assertIn(key, headers["nutrition." + key])
        # no word maps to two canonicals in the global dictionaries
        dup = psql("SELECT count(*) FROM (SELECT 1 FROM synonyms_header h, unnest(h.synonyms || h.canonical) w "
                   "WHERE h.vendor_id IS NULL GROUP BY h.mode, w HAVING count(DISTINCT h.id) > 1) d").stdout
        self.assertEqual(dup.strip(), "0")
        dup = psql("SELECT count(*) FROM (SELECT 1 FROM synonyms_value s, unnest(s.synonyms || s.canonical) w "
                   "WHERE s.vendor_id IS NULL GROUP BY s.domain, w HAVING count(DISTINCT s.id) > 1) d").stdout
        self.assertEqual(dup.strip(), "0")
