"""test_diet_rules.py: diet rule policies and scoring weights through nginx and the
pool: the global seeds in force until a vendor writes its own, each change a new
version with the previous one kept inactive (also under concurrent PUTs), the
validators' 422 pointers, returning to the global template, the role matrix,
other vendors untouched, and the audit rows."""
import json
import threading

from stack import StackCase, psql, request
from test_products import RUN, make_vendor

RULES = "/api/v1/diet-rules"
SCORING = "/api/v1/scoring-policy"
DEFAULT_WEIGHTS = {"preference_fit": 0.5, "budget_fit": 0.4, "recency": 0.1}


def concurrently(n, send):
    """Runs send(i) for i in 0..n-1 at once; returns the statuses in order."""
    statuses = [None] * n

    def run(i):
        statuses[i] = send(i).status

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def sodium_policy(limit, condition=None, weight=3):
    """A small valid hypertension-like policy; limit changes it."""
    p = {"schema_version": 1, "sources": ["AHA"],
         "rules": [{"id": "sodium_max", "type": "nutrient", "kind": "soft",
                    "nutrient": "sodium_mg", "op": "<=", "value": limit, "unit": "mg",
                    "weight": weight, "source": "AHA"}]}
    if condition:
        p["condition"] = condition
    return p


def pointers(doc):
    return sorted(e["pointer"] for e in doc["errors"])


class TwoVendors(StackCase):
    """A vendor (vid, tok, admin) and another (vid_b, tok_b), fresh per class."""
    LABELS = ()

    @classmethod
    def setUpClass(cls):
        (cls.vid, cls.tok), (cls.vid_b, cls.tok_b) = (make_vendor(l) for l in cls.LABELS)
        cls.admin = cls.tok["admin"]


class DietRules(TwoVendors):
    LABELS = ("DietA", "DietB")

    def rows(self, code, vid=None):
        out = psql("SELECT version, active FROM diet_rules WHERE vendor_id = '%s' AND "
                   "condition_code = '%s' ORDER BY version" % (vid or self.vid, code)).stdout
        return [(int(v), a == "t") for v, a in (l.split("|") for l in out.splitlines() if l)]

    def audit(self, code, action):
        out = psql("SELECT json_build_object('before', before, 'after', after) FROM audit_log "
                   "WHERE vendor_id = '%s' AND entity = 'diet_rules' AND entity_id = '%s' "
                   "AND action = '%s' ORDER BY id" % (self.vid, code, action)).stdout
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    def test_get_falls_back_to_the_global_seed(self):
        r = request("GET", RULES + "/ckd", token=self.admin)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual((doc["condition_code"], doc["version"], doc["scope"], doc["active"]),
                         ("ckd", 1, "global", True))
        self.assertEqual(doc["policy"]["suppresses"], ["hypertension.potassium_goal"])
        self.assertEqual(sorted(doc), ["active", "condition_code", "created_at", "policy",
                                       "scope", "updated_at", "version"])
        self.assertProblem(request("GET", RULES + "/gout", token=self.admin), 404)
        for bad in ("Not-A-Code", "ckd%20x", "_x", "a" * 65):
            self.assertProblem(request("GET", RULES + "/" + bad, token=self.admin), 404)
            self.assertProblem(request("PUT", RULES + "/" + bad, token=self.admin,
                                       body=sodium_policy(2000)), 404)

    def test_list_is_every_condition_in_force(self):
        vid, tok = make_vendor("DietList")
        r = request("PUT", RULES + "/celiac", token=tok["admin"], body={
            "schema_version": 1, "rules": [
                {"id": "gluten_exclusion", "type": "exclude", "kind": "hard",
                 "allergens": ["wheat"], "ingredients_any": ["barley"], "source": "vendor"}]})
        self.assertEqual(r.status, 200, r)
        items, cursor = [], None
        while True:
            r = request("GET", RULES + "?limit=3" + ("&cursor=" + cursor if cursor else ""),
                        token=tok["admin"])
            self.assertEqual(r.status, 200, r)
            items += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        codes = [i["condition_code"] for i in items]
        self.assertEqual(codes, sorted(["celiac", "ckd", "cvd", "diabetes_t2", "hypertension",
                                        "hyperlipidemia", "obesity", "pregnancy"]))
        scopes = {i["condition_code"]: (i["scope"], i["version"]) for i in items}
        self.assertEqual(scopes["celiac"], ("vendor", 1))
        self.assertEqual(scopes["ckd"], ("global", 1))

    def test_put_makes_versions_and_the_old_one_inactive(self):
        r = request("PUT", RULES + "/hypertension", token=self.admin, body=sodium_policy(2000))
        self.assertEqual(r.status, 200, r)
        first = r.json()
        self.assertEqual((first["version"], first["scope"], first["active"]), (1, "vendor", True))
        self.assertEqual(first["policy"]["rules"][0]["value"], 2000)
        r = request("PUT", RULES + "/hypertension", token=self.admin,
                    body=sodium_policy(1800, condition="hypertension"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["version"], r.json()["scope"]), (2, "vendor"))
        self.assertEqual(self.rows("hypertension"), [(1, False), (2, True)])
        got = request("GET", RULES + "/hypertension", token=self.admin).json()
        self.assertEqual((got["version"], got["scope"]), (2, "vendor"))
        self.assertEqual(got["policy"]["rules"][0]["value"], 1800)
        # the same policy again is no change: no version
        r = request("PUT", RULES + "/hypertension", token=self.admin,
                    body=sodium_policy(1800, condition="hypertension"))
        self.assertEqual((r.status, r.json()["version"]), (200, 2), r)
        self.assertEqual(self.rows("hypertension"), [(1, False), (2, True)])
        # audited: the first over the global template, then over version 1
        rows = self.audit("hypertension", "update")
        self.assertEqual([(a["before"]["scope"], a["before"]["version"], a["after"]["version"])
                          for a in rows], [("global", 1, 1), ("vendor", 1, 2)])
        self.assertEqual(rows[1]["after"]["policy"]["rules"][0]["value"], 1800)
        self.assertEqual(rows[1]["before"]["policy"]["rules"][0]["value"], 2000)
        # the global template is untouched
        self.assertEqual(psql("SELECT version, active, policy -> 'rules' -> 0 ->> 'value' FROM "
                              "diet_rules WHERE vendor_id IS NULL AND condition_code = "
                              "'hypertension'").stdout.strip(), "1|t|2300")

    def test_another_vendor_still_sees_the_global_rule(self):
        request("PUT", RULES + "/diabetes_t2", token=self.admin, body=sodium_policy(1000))
        r = request("GET", RULES + "/diabetes_t2", token=self.tok_b["admin"])
        self.assertEqual((r.json()["scope"], r.json()["version"]), ("global", 1), r)
        self.assertEqual([x["id"] for x in r.json()["policy"]["rules"]],
                         ["fiber_goal", "added_sugars_max", "sodium_max"])
        self.assertEqual(self.rows("diabetes_t2", self.vid_b), [])
        # B cannot revert A's rule either: it has none of its own
        self.assertProblem(request("DELETE", RULES + "/diabetes_t2", token=self.tok_b["admin"]),
                           404)
        self.assertEqual(self.rows("diabetes_t2"), [(1, True)])

    def test_a_condition_of_the_vendors_own(self):
        r = request("PUT", RULES + "/gout" + RUN.replace("-", "_"), token=self.admin,
                    body=sodium_policy(1500))
        self.assertEqual(r.status, 201, r)
        code = "gout" + RUN.replace("-", "_")
        self.assertEqual(r.headers.get("location"), RULES + "/" + code)
        self.assertEqual((r.json()["version"], r.json()["scope"]), (1, "vendor"))
        self.assertEqual(self.audit(code, "create")[0]["before"], None)
        self.assertEqual(request("GET", RULES + "/" + code, token=self.admin).status, 200)
        self.assertProblem(request("GET", RULES + "/" + code, token=self.tok_b["admin"]), 404)

    def test_delete_returns_to_the_global_template(self):
        for limit in (2100, 2000):
            request("PUT", RULES + "/cvd", token=self.admin, body=sodium_policy(limit))
        r = request("DELETE", RULES + "/cvd", token=self.admin)
        self.assertEqual(r.status, 204, r)
        got = request("GET", RULES + "/cvd", token=self.admin).json()
        self.assertEqual((got["scope"], got["version"]), ("global", 1))
        self.assertEqual(self.rows("cvd"), [(1, False), (2, False)])
        self.assertProblem(request("DELETE", RULES + "/cvd", token=self.admin), 404)
        self.assertEqual(self.audit("cvd", "delete")[0]["before"]["version"], 2)
        # the history goes on: the next version is 3
        r = request("PUT", RULES + "/cvd", token=self.admin, body=sodium_policy(1900))
        self.assertEqual((r.status, r.json()["version"]), (200, 3), r)
        self.assertEqual(self.rows("cvd"), [(1, False), (2, False), (3, True)])

    def test_invalid_policies_are_422_with_pointers(self):
        policy = {"schema_version": 2, "condition": "obesity", "colour": "red", "rules": [
            {"id": "a", "type": "nutrient", "kind": "soft", "nutrient": "sodium_mg", "op": "~",
             "value": 1, "unit": "mg", "source": "x"},
            {"id": "b", "type": "nutrient", "kind": "soft", "nutrient": "unobtainium_mg",
             "op": "<=", "value": 1, "unit": "mg", "source": "x"},
            {"id": "a", "type": "exclude", "kind": "hard", "allergens": ["gluten"],
             "source": "x"}]}
        r = request("PUT", RULES + "/celiac", token=self.admin, body=policy)
        doc = self.assertProblem(r, 422, "urn:odyssey:problem:validation")
        self.assertEqual(pointers(doc), ["#/colour", "#/condition", "#/rules/0/op",
                                         "#/rules/1/nutrient", "#/rules/2/allergens/0",
                                         "#/rules/2/id", "#/schema_version"])
        r = request("PUT", RULES + "/celiac", token=self.admin, body=[1])
        self.assertEqual(pointers(self.assertProblem(r, 422)), ["#"])
        r = request("PUT", RULES + "/celiac", token=self.admin, body={"schema_version": 1})
        self.assertEqual(pointers(self.assertProblem(r, 422)), ["#/rules"])
        self.assertEqual(self.rows("celiac"), [])

    def test_viewers_and_operators_are_refused(self):
        for role in ("viewer", "operator"):
            for method, path, body in (("GET", RULES, None), ("GET", RULES + "/ckd", None),
                                       ("PUT", RULES + "/ckd", sodium_policy(2000)),
                                       ("DELETE", RULES + "/ckd", None),
                                       ("GET", SCORING, None),
                                       ("PUT", SCORING, DEFAULT_WEIGHTS)):
                doc = self.assertProblem(request(method, path, token=self.tok[role], body=body),
                                         403)
                self.assertIn("diet_rules.manage" if "diet" in path else "scoring.manage",
                              doc["detail"])
        self.assertEqual(self.rows("ckd"), [])

    def test_concurrent_puts_make_consecutive_versions(self):
        statuses = concurrently(8, lambda i: request(
            "PUT", RULES + "/pregnancy", token=self.admin, body=sodium_policy(1000 + i)))
        self.assertEqual(statuses, [200] * 8)
        rows = self.rows("pregnancy")
        self.assertEqual([v for v, _ in rows], list(range(1, 9)))
        self.assertEqual([v for v, a in rows if a], [8])


class ScoringPolicy(TwoVendors):
    LABELS = ("ScoreS", "ScoreT")

    def test_default_then_the_vendors_own(self):
        r = request("GET", SCORING, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["weights"], r.json()["scope"]), (DEFAULT_WEIGHTS, "global"))
        self.assertIn("updated_at", r.json())
        mine = {"preference_fit": 1, "budget_fit": 2.5, "recency": 0}
        r = request("PUT", SCORING, token=self.admin, body=mine)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["weights"], r.json()["scope"]), (mine, "vendor"))
        self.assertEqual(request("GET", SCORING, token=self.admin).json()["weights"], mine)
        # other vendors keep the default
        r = request("GET", SCORING, token=self.tok_b["admin"])
        self.assertEqual((r.json()["weights"], r.json()["scope"]), (DEFAULT_WEIGHTS, "global"))
        # a second change keeps the first as history; the same weights again change nothing
        r = request("PUT", SCORING, token=self.admin, body=dict(mine, recency=0.5))
        self.assertEqual(r.status, 200, r)
        request("PUT", SCORING, token=self.admin, body=dict(mine, recency=0.5))
        self.assertEqual(psql("SELECT count(*), count(*) FILTER (WHERE active) FROM "
                              "scoring_policies WHERE vendor_id = '%s'" % self.vid)
                         .stdout.strip(), "2|1")
        out = psql("SELECT action, json_build_object('b', before -> 'weights', 'a', "
                   "after -> 'weights') FROM audit_log WHERE vendor_id = '%s' AND "
                   "entity = 'scoring_policies' ORDER BY id" % self.vid).stdout.splitlines()
        rows = [(a, json.loads(j)) for a, j in (l.split("|", 1) for l in out if l)]
        self.assertEqual(rows, [("update", {"b": DEFAULT_WEIGHTS, "a": mine}),
                                ("update", {"b": mine, "a": dict(mine, recency=0.5)})])
        self.assertEqual(psql("SELECT count(*) FROM scoring_policies WHERE vendor_id IS NULL "
                              "AND active").stdout.strip(), "1")

    def test_concurrent_puts_leave_one_active_row(self):
        vid, tok = make_vendor("ScoreRace")
        statuses = concurrently(6, lambda i: request(
            "PUT", SCORING, token=tok["admin"],
            body={"preference_fit": i + 1, "budget_fit": 1, "recency": 1}))
        self.assertEqual(statuses, [200] * 6)
        self.assertEqual(psql("SELECT count(*), count(*) FILTER (WHERE active) FROM "
                              "scoring_policies WHERE vendor_id = '%s'" % vid).stdout.strip(),
                         "6|1")

    def test_invalid_weights_are_422_with_pointers(self):
        for body, expected in (
                ({"preference_fit": 11, "budget_fit": -1, "recency": 0.1},
                 ["#/budget_fit", "#/preference_fit"]),
                ({"preference_fit": 1, "budget_fit": 1, "recency": 1, "price": 1}, ["#/price"]),
                ({"preference_fit": 0, "budget_fit": 0, "recency": 0}, ["#"]),
                ({"preference_fit": "high", "budget_fit": 1}, ["#/preference_fit", "#/recency"]),
                ([], ["#"])):
            r = request("PUT", SCORING, token=self.tok_b["admin"], body=body)
            self.assertEqual(pointers(self.assertProblem(r, 422)), expected, body)
        self.assertEqual(psql("SELECT count(*) FROM scoring_policies WHERE vendor_id = '%s'"
                              % self.vid_b).stdout.strip(), "0")
