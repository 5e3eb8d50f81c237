"""test_health.py: health profiles through nginx and the pool: units converted
exactly, metrics and derived limits computed in C (the worked examples of
reference/nutrition.md), synonyms for conditions, refusals with pointers, the
minimum-necessary access (viewers refused and the refusal audited; every read and
write audited), the consent gate, cached matches dropped on a write, merge patches,
tenant isolation, and a profile derived again after its vendor's diet rule changes."""
import concurrent.futures
import datetime
import json
import subprocess
import time

from stack import ENV, StackCase, ctl, jwt, now, psql, request
from test_products import RUN, make_vendor, must


def years_ago(n, days=10):
    """A date of birth that makes someone n years old today (UTC)."""
    t = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=days)
    return t.replace(year=t.year - n).isoformat()


class Health(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.vid, cls.tok = make_vendor("H")
        cls.vid_b, cls.tok_b = make_vendor("HB")
        cls.admin, cls.operator, cls.viewer = cls.tok["admin"], cls.tok["operator"], cls.tok["viewer"]
        cls.n = 0

    def customer(self, token=None, vendor_token=None, **over):
        """A new customer of vendor A (or of the vendor of vendor_token); its id."""
        Health.n += 1
        c = {"external_id": "hc-%d%s" % (self.n, RUN), "full_name": "Pat Health",
             "email": "pat%d@example.com" % self.n, "gender": "female", "location": {},
             "dob": years_ago(45)}
        c.update(over)
        c = {k: v for k, v in c.items() if v is not None}
        r = request("POST", "/api/v1/customers", token=vendor_token or self.admin,
                    body={"items": [c]})
        self.assertEqual(r.status, 200, r)
        return r.json()["items"][0]["id"]

    def url(self, cid):
        return "/api/v1/customers/%s/health" % cid

    def put(self, cid, body, token=None, status=None):
        r = request("PUT", self.url(cid), token=token or self.operator, body=body)
        if status is not None:
            self.assertEqual(r.status, status, r)
        return r

    def audit(self, cid, action):
        out = psql("SELECT json_build_object('actor', actor_user_id, 'before', before, 'after', after) "
                   "FROM audit_log WHERE entity = 'customer_health_profiles' AND entity_id = '%s' "
                   "AND action = '%s' ORDER BY id" % (cid, action)).stdout
        return [json.loads(x) for x in out.splitlines() if x.strip()]

    # --- derivations --------------------------------------------------------------

    def test_worked_examples(self):
        cid = self.customer(gender="male", dob=years_ago(30))
        doc = self.put(cid, {"height_cm": 180, "weight_kg": 80, "activity_level": "moderate"},
                       status=201).json()
        self.assertEqual((doc["bmr"], doc["bmi"], doc["tdee_cached"]), (1780, 24.69, 2759))
        self.assertEqual((doc["age"], doc["gender"]), (30, "male"))
        cid = self.customer(dob=None, age=45)
        doc = self.put(cid, {"height": "165 cm", "weight": "70 kg", "activity_level": "light"},
                       status=201).json()
        self.assertEqual((doc["bmr"], doc["bmi"], doc["tdee_cached"]), (1345.25, 25.71, 1849.72))
        # 5'10" and 200 lb, converted exactly before computing
        cid = self.customer(dob=None, age=60, gender="unspecified")
        doc = self.put(cid, {"height": "5'10\"", "weight": "200 lb", "activity_level": "sedentary"},
                       status=201).json()
        self.assertEqual((doc["bmr"], doc["bmi"], doc["tdee_cached"]), (1640.43, 28.70, 1968.52))
        self.assertEqual((doc["height_cm"], doc["weight_kg"]), (177.8, 90.72))

    def test_a_write_answers_what_a_read_returns(self):
        # The store sends derived_limits back as the worker wrote it, the read as jsonb
        # renders it: the same document, member for member and value for value.
        cid = self.customer(gender="male", dob=years_ago(52))
        created = self.put(cid, {"height": "5 ft 9 in", "weight": "210 lb",
                                 "activity_level": "light", "conditions": ["T2D", "HTN"],
                                 "diet_goals": ["weight_loss"],
                                 "macro_targets": {"sodium_mg": 1800}}, status=201).json()
        self.assertTrue(created["derived_limits"])
        read = request("GET", self.url(cid), token=self.operator)
        self.assertEqual(read.status, 200, read)
        self.assertEqual(created, read.json())
        patched = request("PATCH", self.url(cid), token=self.operator,
                          body={"weight_kg": 92.5, "avoid_allergens": ["peanuts"]})
        self.assertEqual(patched.status, 200, patched)
        self.assertNotEqual(patched.json()["derived_limits"], created["derived_limits"])
        self.assertEqual(patched.json(), request("GET", self.url(cid), token=self.operator).json())

    def test_units_and_plausibility_are_422_with_reasons(self):
        cid = self.customer()
        r = self.put(cid, {"height": "5.10", "weight": "700 kg", "activity_level": "lazy",
                           "height_cm": 170, "bmi": 20, "colour": "red"})
        doc = self.assertProblem(r, 422)
        by = {e["pointer"]: e["detail"] for e in doc["errors"]}
        self.assertEqual(sorted(by), ["#/activity_level", "#/bmi", "#/colour", "#/height",
                                      "#/weight"])
        self.assertIn("not both", by["#/height"])
        r = self.put(cid, {"height": "5.10", "weight": "1 kg", "activity_level": "light"})
        by = {e["pointer"]: e["detail"] for e in self.assertProblem(r, 422)["errors"]}
        self.assertIn("ambiguous", by["#/height"])
        self.assertRegex(by["#/weight"], "2.*650")
        self.assertProblem(self.put(cid, {"height": 100, "activity_level": "light"}), 422)
        self.assertEqual(psql("SELECT count(*) FROM customer_health_profiles WHERE customer_id = '%s'"
                              % cid).stdout.strip(), "0")

    def test_age_follows_the_dob(self):
        cid = self.customer(dob=years_ago(50))
        r = self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light", "age": 40})
        errs = self.assertProblem(r, 422)["errors"]
        self.assertEqual([e["pointer"] for e in errs], ["#/age"])
        self.assertIn("50", errs[0]["detail"])
        doc = self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light"},
                       status=201).json()
        self.assertEqual(doc["age"], 50)

    def test_conditions_goals_and_allergens_through_synonyms(self):
        cid = self.customer()
        doc = self.put(cid, {"height_cm": 165, "weight_kg": 90, "activity_level": "light",
                             "conditions": ["T2D", "high blood pressure", "HTN"],
                             "diet_goals": ["Weight Loss", "vegan"],
                             "avoid_allergens": ["peanuts", "whey"],
                             "macro_targets": {"sodium_mg": 1500}}, status=201).json()
        self.assertEqual(doc["conditions"], ["diabetes_t2", "hypertension"])
        self.assertEqual(doc["diet_goals"], ["vegan", "weight_loss"])
        self.assertEqual(doc["avoid_allergens"], ["milk", "peanut"])
        dl = doc["derived_limits"]
        applied = {(p["condition"], p["scope"]) for p in dl["policies"]}
        self.assertIn(("diabetes_t2", "global"), applied)
        self.assertIn(("obesity", "global"), applied)          # through the weight_loss goal
        sodium = dl["effective"]["sodium_mg"]["max"]
        self.assertEqual((sodium["value"], sodium["kind"]), (1500, "hard"))  # clinician wins
        self.assertLess(dl["energy"]["target_kcal"], dl["energy"]["tdee_kcal"])
        r = self.put(cid, {"height_cm": 165, "weight_kg": 90, "activity_level": "light",
                           "conditions": ["flu"], "avoid_allergens": ["lecithin"],
                           "diet_goals": ["fly"]})
        self.assertEqual(sorted(e["pointer"] for e in self.assertProblem(r, 422)["errors"]),
                         ["#/avoid_allergens/0", "#/conditions/0", "#/diet_goals/0"])

    # --- access and audit -----------------------------------------------------------

    def test_viewer_is_refused_and_the_refusal_audited(self):
        cid = self.customer()
        self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light"}, status=201)
        for method in ("GET", "PUT", "PATCH"):
            r = request(method, self.url(cid), token=self.viewer,
                        body=None if method == "GET" else {"weight_kg": 71})
            self.assertProblem(r, 403)
        denials = self.audit(cid, "deny")
        self.assertEqual(len(denials), 3)
        self.assertTrue(all(d["actor"].startswith("cat-h-viewer") for d in denials), denials)
        self.assertTrue(all(d["before"] is None and d["after"] is None for d in denials))

    def test_reads_and_writes_are_audited(self):
        cid = self.customer()
        first = self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light"},
                         status=201).json()
        created = self.audit(cid, "create")
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["after"]["weight_kg"], 70)
        self.assertIn("bmi", created[0]["after"])
        r = request("PATCH", self.url(cid), token=self.operator, body={"weight": "160 lb"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["height_cm"], 170)
        upd = self.audit(cid, "update")[-1]
        self.assertEqual((upd["before"]["weight_kg"], upd["after"]["weight_kg"]), (70, 72.57))
        self.assertNotIn("height_cm", upd["after"])            # only what changed
        # the derived limits changed with the weight: as stored before, and as written
        self.assertEqual(upd["before"]["derived_limits"], first["derived_limits"])
        self.assertEqual(upd["after"]["derived_limits"], r.json()["derived_limits"])
        self.assertNotEqual(upd["before"]["derived_limits"], upd["after"]["derived_limits"])
        for token in (self.operator, self.admin):
            self.assertEqual(request("GET", self.url(cid), token=token).status, 200)
        reads = self.audit(cid, "read")
        self.assertEqual(len(reads), 2)
        self.assertTrue(all(x["before"] is None and x["after"] is None for x in reads))
        # a write that changes nothing audits no field: the derived limits hold
        # numbers written as 1200 that come back as integers, still the same values
        body = {"height": "5'10\"", "weight": "182 lb", "activity_level": "light",
                "conditions": ["hypertension", "T2D"], "diet_goals": ["weight_loss"],
                "avoid_allergens": ["peanuts"], "macro_targets": {"sodium_mg": 1800}}
        first = self.put(cid, body, status=200).json()
        self.assertEqual(self.put(cid, body, status=200).json()["derived_limits"],
                         first["derived_limits"])
        again = self.audit(cid, "update")[-1]
        self.assertEqual((again["before"], again["after"]), ({}, {}))
        # a profile whose stamp names no digest (written before it was kept) has its
        # derived limits recorded once, as they were and are; then no more
        psql("UPDATE customer_health_profiles SET policy_stamp = "
             "split_part(policy_stamp, '@', 1) || '@1' WHERE customer_id = '%s'" % cid)
        self.put(cid, body, status=200)
        unknown = self.audit(cid, "update")[-1]
        self.assertEqual(list(unknown["after"]), ["derived_limits"])
        self.assertEqual(unknown["before"]["derived_limits"], unknown["after"]["derived_limits"])
        self.put(cid, body, status=200)
        again = self.audit(cid, "update")[-1]
        self.assertEqual((again["before"], again["after"]), ({}, {}))
        # no health value reaches the logs' audit of another entity or an event
        ev = psql("SELECT count(*) FROM events WHERE payload::text LIKE '%%72.57%%'").stdout.strip()
        self.assertEqual(ev, "0")

    def test_break_glass_read_records_both(self):
        cid = self.customer()
        self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light"}, status=201)
        root = "h-root" + RUN
        must(ctl("user", "add", "--id", root, "--email", root + "@x.example"))
        must(ctl("admin", "grant", "--user", root))
        why = "health ticket %s" % RUN
        r = request("GET", self.url(cid), token=jwt({"sub": root, "exp": now() + 3600}),
                    headers={"X-Vendor-Id": self.vid, "X-Break-Glass-Justification": why})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(psql("SELECT count(*) FROM audit_log WHERE action = 'break_glass' "
                              "AND justification = '%s'" % why).stdout.strip(), "1")
        reads = self.audit(cid, "read")
        self.assertEqual([x["actor"] for x in reads], [root])

    def test_missing_profile_and_other_vendors(self):
        cid = self.customer()
        self.assertProblem(request("GET", self.url(cid), token=self.operator), 404)
        # the attempt is recorded, though there was nothing to read
        self.assertEqual(len(self.audit(cid, "read")), 1)
        self.assertProblem(request("PATCH", self.url(cid), token=self.operator,
                                   body={"weight_kg": 70}), 404)
        other = self.customer(vendor_token=self.tok_b["admin"])
        for method, body in (("GET", None), ("PUT", {"height_cm": 170, "weight_kg": 70,
                                                     "activity_level": "light"}),
                             ("PATCH", {"weight_kg": 70})):
            self.assertProblem(request(method, self.url(other), token=self.admin, body=body), 404)
            self.assertProblem(request(method, self.url("nope"), token=self.admin, body=body), 404)
        # the attempt on another vendor's customer is recorded in the caller's vendor,
        # and vendor B's trail does not see it
        tried = psql("SELECT count(*) FROM audit_log WHERE action = 'read' AND entity_id = '%s' "
                     "AND vendor_id = '%s'" % (other, self.vid)).stdout.strip()
        self.assertEqual(tried, "1")

    # --- consent, cache, re-derivation --------------------------------------------------

    def test_consent_gate(self):
        vid, tok = make_vendor("HC")
        cid = self.customer(vendor_token=tok["admin"])
        body = {"height_cm": 170, "weight_kg": 70, "activity_level": "light"}
        r = request("PATCH", "/api/v1/vendor", token=tok["admin"],
                    body={"settings": {"require_health_consent": True}})
        self.assertEqual(r.status, 200, r)
        r = self.put(cid, body, token=tok["operator"])
        self.assertIn("consent", self.assertProblem(r, 409)["detail"])
        consents = "/api/v1/customers/%s/consents" % cid
        request("POST", consents, token=tok["operator"],
                body={"consent_type": "health_data", "granted": True, "version": "1"})
        self.put(cid, body, token=tok["operator"], status=201)
        request("POST", consents, token=tok["operator"],
                body={"consent_type": "health_data", "granted": False, "version": "1"})
        self.assertProblem(self.put(cid, body, token=tok["operator"]), 409)
        # reading what was stored stays possible
        self.assertEqual(request("GET", self.url(cid), token=tok["operator"]).status, 200)

    def test_a_write_drops_cached_matches(self):
        cid = self.customer()
        psql("INSERT INTO matches_cache (vendor_id, customer_id, catalog_version, results) "
             "VALUES ('%s', '%s', 1, '[]')" % (self.vid, cid))
        self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light"}, status=201)
        self.assertEqual(psql("SELECT count(*) FROM matches_cache WHERE customer_id = '%s'" % cid)
                         .stdout.strip(), "0")

    def test_concurrent_patches_lose_no_change(self):
        # Each patch reads the profile, merges and writes it whole: writers of one
        # customer take turns, so a patch of one field never writes back the old
        # value of a field another patch has just changed.
        cid = self.customer()
        self.put(cid, {"height_cm": 150, "weight_kg": 50, "activity_level": "light"}, status=201)
        levels = ["sedentary", "moderate", "very", "extra"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            for i in range(8):
                want = {"height_cm": 160 + i, "weight_kg": 60 + i, "activity_level": levels[i % 4]}
                done = list(pool.map(lambda kv: request("PATCH", self.url(cid), token=self.operator,
                                                        body=dict([kv])), want.items()))
                self.assertEqual([r.status for r in done], [200] * 3, done)
                doc = request("GET", self.url(cid), token=self.operator).json()
                self.assertEqual({k: doc[k] for k in want}, want, "round %d" % i)
        # and the audit saw each change once, each from the value before it
        weights = [(u["before"]["weight_kg"], u["after"]["weight_kg"])
                   for u in self.audit(cid, "update") if "weight_kg" in u["after"]]
        self.assertEqual(weights, [(50 if i == 0 else 59 + i, 60 + i) for i in range(8)])

    def test_a_write_waits_for_the_customers_delete(self):
        # Deleting a customer removes its health data and takes the customer's health
        # lock (migration 032): a first profile written meanwhile waits, then finds
        # no customer. Without the lock it went on to its store, whose check of the
        # customer waited instead, and failed (409); with cached matches the two
        # could deadlock.
        cid = self.customer()
        held = subprocess.Popen(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                                 ENV["ODYSSEY_ADMIN_DATABASE_URL"]],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            held.stdin.write("BEGIN;\nSELECT external_id FROM od_customers_delete('%s', '%s');\n"
                             "SELECT 'deleted';\n" % (self.vid, cid))
            held.stdin.flush()
            self.assertEqual(held.stdout.readline().strip(), "hc-%d%s" % (self.n, RUN))
            self.assertEqual(held.stdout.readline().strip(), "deleted")
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                put = pool.submit(self.put, cid, {"height_cm": 170, "weight_kg": 70,
                                                  "activity_level": "light"})
                time.sleep(1.0)
                self.assertFalse(put.done(), "the write did not wait for the delete")
                held.stdin.write("COMMIT;\n")
                held.stdin.flush()
                self.assertProblem(put.result(timeout=30), 404)
        finally:
            held.stdin.close()
            held.wait(timeout=30)
        self.assertEqual(psql("SELECT count(*) FROM customer_health_profiles "
                              "WHERE customer_id = '%s'" % cid).stdout.strip(), "0")

    def test_a_changed_diet_rule_is_applied_on_the_next_read(self):
        vid, tok = make_vendor("HR")
        cid = self.customer(vendor_token=tok["admin"])
        doc = self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light",
                             "conditions": ["hypertension"]}, token=tok["operator"], status=201).json()
        self.assertEqual(doc["derived_limits"]["effective"]["sodium_mg"]["max"]["value"], 1500)
        # every worker has read the rules in force (each keeps them parsed)
        for _ in range(8):
            self.assertEqual(request("GET", self.url(cid), token=tok["operator"]).status, 200)
        # the vendor's own hypertension rule (as the diet-rules API writes it)
        psql("INSERT INTO diet_rules (vendor_id, condition_code, version, policy) "
             "SELECT '%s', condition_code, 1, jsonb_set(policy, '{rules}', "
             "'[{\"id\": \"sodium_max\", \"type\": \"nutrient\", \"kind\": \"soft\", "
             "\"nutrient\": \"sodium_mg\", \"op\": \"<=\", \"value\": 1800, \"unit\": \"mg\", "
             "\"source\": \"vendor\"}]') FROM diet_rules WHERE vendor_id IS NULL "
             "AND condition_code = 'hypertension' AND active" % vid)
        doc = request("GET", self.url(cid), token=tok["operator"]).json()
        pol = [p for p in doc["derived_limits"]["policies"] if p["condition"] == "hypertension"]
        self.assertEqual((pol[0]["scope"], pol[0]["version"]), ("vendor", 1))
        self.assertEqual(doc["derived_limits"]["effective"]["sodium_mg"]["max"]["value"], 1800)
        stored = psql("SELECT derived_limits->'effective'->'sodium_mg'->'max'->>'value' FROM "
                      "customer_health_profiles WHERE customer_id = '%s'" % cid).stdout.strip()
        self.assertEqual(stored, "1800")
        self.assertEqual(len(self.audit(cid, "update")), 1)  # the re-derivation is a write
        # nothing changes on the next read
        request("GET", self.url(cid), token=tok["operator"])
        self.assertEqual(len(self.audit(cid, "update")), 1)
        # a rule edited in place (not through the API) is what the next write derives from
        body = {"height_cm": 170, "weight_kg": 71, "activity_level": "light",
                "conditions": ["hypertension"]}
        for _ in range(8):
            self.put(cid, body, token=tok["operator"])
        psql("UPDATE diet_rules SET policy = jsonb_set(policy, '{rules,0,value}', '1700') "
             "WHERE vendor_id = '%s' AND condition_code = 'hypertension'" % vid)
        doc = self.put(cid, body, token=tok["operator"]).json()
        self.assertEqual(doc["derived_limits"]["effective"]["sodium_mg"]["max"]["value"], 1700)

    def test_a_read_trusts_only_the_stamp_of_the_rules_in_force(self):
        """A profile keeps the stamp of the rules it was derived under (migration 028):
        a read whose rules have that stamp sends the stored document as it is; without
        a stamp, or with another one, it compares the policies as before, and derives
        again only when they changed."""
        vid, tok = make_vendor("HS")
        op = tok["operator"]
        cid = self.customer(vendor_token=tok["admin"])
        stamp = "SELECT policy_stamp FROM customer_health_profiles WHERE customer_id = '%s'" % cid
        doc = self.put(cid, {"height_cm": 170, "weight_kg": 70, "activity_level": "light",
                             "conditions": ["hypertension"]}, token=op, status=201).json()
        first = psql(stamp).stdout.strip()
        self.assertRegex(first, "^[0-9a-f]{32}@[0-9]+@[0-9a-f]{32}$")
        self.assertNotIn("policy_stamp", doc)
        reads = len(self.audit(cid, "read"))

        def inputs_and_derivation(d):  # setting the stamp below touches updated_at
            return {k: v for k, v in d.items() if k != "updated_at"}
        for unknown in (None, "0" * 32):  # a profile of before 028, a stamp of other rules
            psql("UPDATE customer_health_profiles SET policy_stamp = %s WHERE customer_id = '%s'"
                 % ("NULL" if unknown is None else "'%s'" % unknown, cid))
            for _ in range(3):
                r = request("GET", self.url(cid), token=op)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(inputs_and_derivation(r.json()), inputs_and_derivation(doc))
        psql("UPDATE customer_health_profiles SET policy_stamp = '%s' WHERE customer_id = '%s'"
             % (first, cid))
        for _ in range(8):  # every worker, with the stamp that names the rules in force
            r = request("GET", self.url(cid), token=op)
            self.assertEqual(inputs_and_derivation(r.json()), inputs_and_derivation(doc))
        self.assertEqual(len(self.audit(cid, "update")), 0)     # no read wrote
        self.assertEqual(len(self.audit(cid, "read")), reads + 14)  # every read recorded
        # the vendor's own rule: another stamp; the next read derives and stores it
        psql("INSERT INTO diet_rules (vendor_id, condition_code, version, policy) "
             "SELECT '%s', condition_code, 1, policy FROM diet_rules WHERE vendor_id IS NULL "
             "AND condition_code = 'hypertension' AND active" % vid)
        doc = request("GET", self.url(cid), token=op).json()
        pol = [p for p in doc["derived_limits"]["policies"] if p["condition"] == "hypertension"]
        self.assertEqual(pol[0]["scope"], "vendor")
        self.assertEqual(len(self.audit(cid, "update")), 1)
        second = psql(stamp).stdout.strip()
        self.assertRegex(second, "^[0-9a-f]{32}@[0-9]+@[0-9a-f]{32}$")
        self.assertNotEqual(second.split("@")[0], first.split("@")[0])
        self.assertEqual(request("GET", self.url(cid), token=op).json(), doc)
        self.assertEqual(len(self.audit(cid, "update")), 1)
        # a derivation changed without a new stamp (by hand, or by a binary older than
        # 028) loses its stamp, so a read compares the policies again
        psql("UPDATE customer_health_profiles SET derived_limits = derived_limits || "
             "'{\"edited\": true}' WHERE customer_id = '%s'" % cid)
        self.assertEqual(psql(stamp).stdout.strip(), "")
        # a write of the API keeps a stamp when the rules have not changed
        self.put(cid, {"height_cm": 171, "weight_kg": 70, "activity_level": "light",
                       "conditions": ["hypertension"]}, token=op, status=200)
        third = psql(stamp).stdout.strip()
        self.assertEqual(third.split("@")[0], second.split("@")[0])
        self.assertNotEqual(third, second)

    def test_a_changed_synonym_reaches_every_worker(self):
        """Workers keep the vocabulary under its version (migration 029): a synonym
        added or removed is what the next write of every worker validates against."""
        vid, tok = make_vendor("HV")
        op = tok["operator"]
        cid = self.customer(vendor_token=tok["admin"])
        word = {"height_cm": 170, "weight_kg": 70, "activity_level": "light",
                "conditions": ["pressure trouble"]}
        for _ in range(8):  # every worker keeps the vendor's words
            self.put(cid, dict(word, conditions=["hypertension"]), token=op)
            self.assertProblem(self.put(cid, word, token=op), 422)

        def version():
            return int(psql("SELECT version FROM vocabulary_version").stdout)

        before = version()
        r = request("POST", "/api/v1/synonyms/value", token=tok["admin"],
                    body={"domain": "condition", "canonical": "hypertension",
                          "synonyms": ["pressure trouble"]})
        self.assertEqual(r.status, 201, r)
        self.assertGreater(version(), before)
        for _ in range(8):
            doc = self.put(cid, word, token=op, status=200).json()
            self.assertEqual(doc["conditions"], ["hypertension"])
        self.assertEqual(request("DELETE", "/api/v1/synonyms/value/" + r.json()["id"],
                                 token=tok["admin"]).status, 204)
        for _ in range(8):
            self.assertProblem(self.put(cid, word, token=op), 422)

    def test_a_vendors_own_condition(self):
        vid, tok = make_vendor("HG")
        cid = self.customer(vendor_token=tok["admin"])
        body = {"height_cm": 170, "weight_kg": 70, "activity_level": "light", "conditions": ["gout"]}
        r = self.put(cid, body, token=tok["operator"])
        self.assertEqual([e["pointer"] for e in self.assertProblem(r, 422)["errors"]],
                         ["#/conditions/0"])
        policy = {"schema_version": 1, "condition": "gout", "sources": ["vendor dietitian"],
                  "rules": [{"id": "protein_max", "type": "nutrient", "kind": "soft",
                             "nutrient": "protein_g", "op": "<=", "value": 80, "unit": "g",
                             "source": "vendor dietitian"}]}
        r = request("PUT", "/api/v1/diet-rules/gout", token=tok["admin"], body=policy)
        self.assertIn(r.status, (200, 201), r)
        doc = self.put(cid, body, token=tok["operator"], status=201).json()
        self.assertEqual(doc["conditions"], ["gout"])
        pol = doc["derived_limits"]["policies"]
        self.assertEqual([(p["condition"], p["scope"], p["version"]) for p in pol],
                         [("gout", "vendor", 1)])
        self.assertEqual(doc["derived_limits"]["effective"]["protein_g"]["max"]["value"], 80)
