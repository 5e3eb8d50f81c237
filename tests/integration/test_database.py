"""test_database.py: the pool and PostgreSQL: the database going away gives 503
problems (not hangs) and the pool recovers; a migration that changes a result
type re-prepares statements; SQL errors never leak; roles and the schema."""
import json
import os
import urllib.parse
import subprocess
import time

from stack import ENV, ROOT, StackCase, ctl, pages, pg_ctl, psql, request, wait_for, wait_ready

TOKEN = ENV["ODYSSEY_TOKEN_ADMIN"]


class DatabaseDown(StackCase):
    def test_503_with_retry_after_then_recovery(self):
        self.assertEqual(request("GET", "/api/v1/me", token=TOKEN).status, 200)
        pg_ctl("stop")
        try:
            t0 = time.time()
            r = request("GET", "/api/v1/me", token=TOKEN, timeout=20)
            self.assertLess(time.time() - t0, 10, "a down database must not hang requests")
            doc = self.assertProblem(r, 503, "urn:odyssey:problem:database-unavailable")
            self.assertEqual(r.headers["retry-after"], "7")  # ODYSSEY_RETRY_AFTER of the test stack
            self.assertNotIn("connection", doc["detail"].lower().replace("unreachable", ""))
            self.assertProblem(request("GET", "/readyz"), 503)
            self.assertEqual(request("GET", "/healthz").status, 200)  # alive, not ready
        finally:
            pg_ctl("start")
        ok = wait_for(lambda: request("GET", "/api/v1/me", token=TOKEN).status == 200, 15, 0.2)
        self.assertTrue(ok, "the pool did not recover")
        # every worker reconnects: a burst of requests all succeed
        for _ in range(20):
            self.assertEqual(request("GET", "/api/v1/me", token=TOKEN).status, 200)


class Readiness(StackCase):
    def test_readyz_without_ledger_or_with_pending_migrations(self):
        psql("ALTER TABLE schema_migrations RENAME TO schema_migrations_aside")
        try:
            for _ in range(4):  # every worker
                doc = self.assertProblem(request("GET", "/readyz"), 503)
                self.assertIn("not been migrated", doc["detail"])
            psql("CREATE TABLE schema_migrations (LIKE schema_migrations_aside); "
                 "GRANT SELECT ON schema_migrations TO odyssey_app")
            for _ in range(4):
                r = request("GET", "/readyz")
                doc = self.assertProblem(r, 503)
                self.assertIn("pending", doc["detail"])
                self.assertEqual(r.headers["retry-after"], "7")
        finally:
            psql("DROP TABLE IF EXISTS schema_migrations; "
                 "ALTER TABLE schema_migrations_aside RENAME TO schema_migrations")
        self.assertTrue(wait_ready())


class Statements(StackCase):
    def test_result_type_change_reprepares(self):
        self.assertEqual(request("GET", "/api/v1/me", token=TOKEN).status, 200)
        psql("ALTER TABLE users ALTER COLUMN display_name TYPE varchar(300)")
        try:
            for _ in range(6):  # reaches every worker's prepared statement
                r = request("GET", "/api/v1/me", token=TOKEN)
                self.assertEqual(r.status, 200, r)
        finally:
            psql("ALTER TABLE users ALTER COLUMN display_name TYPE text")
        for _ in range(6):
            self.assertEqual(request("GET", "/api/v1/me", token=TOKEN).status, 200)

    def test_500_reveals_no_internals(self):
        psql("REVOKE SELECT ON users FROM odyssey_app")
        try:
            r = request("GET", "/api/v1/me", token=TOKEN)
        finally:
            psql("GRANT SELECT ON users TO odyssey_app")
        doc = self.assertProblem(r, 500)
        text = r.body.decode().lower()
        for leak in ("permission", "select", "users", "sqlstate", "42501"):
            self.assertNotIn(leak, text)
        self.assertEqual(doc["title"], "Internal Server Error")


class Schema(StackCase):
    def test_schema_checks(self):
        # A product with images, so that the check of section 0 has one to compare.
        vendor = ENV["ODYSSEY_DEMO_VENDOR_ID"]
        cat = psql("SELECT id FROM tax_categories WHERE vendor_id IS NULL AND code = 'snacks'")
        item = {"ord": 0, "external_id": "schema-images", "name": "Imaged", "brand": "B",
                "description": "d", "category_id": cat.stdout.strip(), "price": "1.00",
                "images": [{"url": "https://cdn.example/s1.jpg", "alt": None, "order": 0},
                           {"url": "https://cdn.example/s2.jpg", "alt": "back", "order": 1}]}
        psql("SELECT set_config('odyssey.vendor_id', '%s', false); "
             "SELECT count(*) FROM od_products_upsert('%s', '%s', 'api', 'schema-check')"
             % (vendor, vendor, json.dumps([item])), user="app")
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", ENV["ODYSSEY_ADMIN_DATABASE_URL"],
                            "-f", os.path.join(ROOT, "tests", "sql", "schema_checks.sql")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_app_role_cannot_read_a_partition_or_rewrite_audit(self):
        part = psql("SELECT c.relname FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid "
                    "WHERE c.relname LIKE 'products_v%_h00' LIMIT 1").stdout.strip()
        self.assertTrue(part)
        p = psql("SELECT count(*) FROM " + part, user="app", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("permission denied", p.stderr)
        p = psql("DELETE FROM audit_log", user="app", check=False)
        self.assertNotEqual(p.returncode, 0)
        p = psql("UPDATE audit_log SET action = 'x'", check=False)  # the owner cannot either
        self.assertNotEqual(p.returncode, 0)
        p = psql("CREATE TABLE intruder (id int)", user="app", check=False)
        self.assertNotEqual(p.returncode, 0)


def psql_script(script):
    """Runs a script as the application role; psql stops at the first error."""
    return subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", ENV["DATABASE_URL"]],
                          input=script, capture_output=True, text=True)


class WritesPerVendor(StackCase):
    """The write functions plan their statements for the caller's vendor: they lock
    (and so planned) none of another vendor's partitions or their indexes. As SQL
    functions they planned every vendor's, 0.4-1.2 s a call at 50 vendors
    (migrations 033, 035)."""

    PRODUCT = ("jsonb_build_array(jsonb_build_object('ord', 0, 'external_id', "
               "'lock-probe-' || gen_random_uuid(), 'name', 'Probe', 'brand', 'B', "
               "'description', 'd', 'price', 1, 'images', '[]'::jsonb, 'category_id', "
               "(SELECT id FROM tax_categories WHERE vendor_id IS NULL AND code = 'snacks')))")
    CUSTOMER = ("jsonb_build_array(jsonb_build_object('ord', 0, 'external_id', 'lock-probe', "
                "'full_name', 'Probe ' || gen_random_uuid(), 'email', 'probe@x.example', "
                "'age', 40, 'gender', 'unspecified', 'location', '{}'::jsonb))")
    CALLS = {
        "od_products_upsert": ["od_products_upsert(v, '[]', 'api', 'lock-probe')"],
        "od_products_upsert, a new product":
            ["od_products_upsert(v, %s, 'api', 'lock-probe')" % PRODUCT],
        "od_customers_upsert": ["od_customers_upsert(v, '[]', 'lock-probe')"],
        # twice: the second call updates the customer (the terms' removal trigger runs)
        "od_customers_upsert, a customer written twice":
            ["od_customers_upsert(v, %s, 'lock-probe')" % CUSTOMER] * 2,
        "od_customers_delete": ["od_customers_delete(v, gen_random_uuid())"],
    }

    def test_writes_lock_only_their_vendors_partitions(self):
        other = ctl("vendor", "create", "--name", "Lock probe")
        self.assertEqual(other.returncode, 0, other.stderr)
        vendor = ENV["ODYSSEY_DEMO_VENDOR_ID"]
        for name, calls in self.CALLS.items():
            call = ";\n    PERFORM count(*) FROM ".join(calls)
            with self.subTest(function=name):
                # One transaction, rolled back: the DO block calls the function, then
                # lists the relations of other vendors that this backend holds a lock on.
                p = psql_script("BEGIN;\n" + """DO $$
DECLARE
    v uuid := 'VENDOR';
    own text := replace(v::text, '-', '');
    mine int; others text;
BEGIN
    PERFORM set_config('odyssey.vendor_id', v::text, true);
    PERFORM count(*) FROM CALL;
    SELECT count(*) FILTER (WHERE m[2] = own),
           string_agg(c.relname, ' ') FILTER (WHERE m[2] <> own)
      INTO mine, others
      FROM pg_locks l JOIN pg_class c ON c.oid = l.relation,
           regexp_match(c.relname, '^(products|customers|customer_terms)_v([0-9a-f]{32})') m
     WHERE l.pid = pg_backend_pid();
    IF mine = 0 OR others IS NOT NULL THEN
        RAISE EXCEPTION '% own relations locked; of other vendors: %', mine, left(others, 200);
    END IF;
END
$$;""".replace("VENDOR", vendor).replace("CALL", call) + "\nROLLBACK;\n")
                self.assertEqual(p.returncode, 0, p.stderr)


class Migrations(StackCase):
    def ledger(self):
        return psql("SELECT version || ':' || checksum FROM schema_migrations ORDER BY 1").stdout

    def test_applied_twice_changes_nothing(self):
        before = self.ledger()
        p = ctl("migrate")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("0 applied now", p.stdout)
        self.assertEqual(self.ledger(), before)

    def test_changed_applied_migration_is_refused(self):
        import shutil
        import tempfile
        tmp = tempfile.mkdtemp()
        try:
            for f in os.listdir(os.path.join(ROOT, "sql")):
                shutil.copy(os.path.join(ROOT, "sql", f), tmp)
            first = sorted(f for f in os.listdir(tmp) if f.endswith(".sql"))[0]
            with open(os.path.join(tmp, first), "a") as f:
                f.write("\n-- edited after it was applied\n")
            with open(os.path.join(tmp, "999_new.sql"), "w") as f:
                f.write("CREATE TABLE must_not_exist (id int);\n")
            before = self.ledger()
            p = ctl("migrate", env={"ODYSSEY_MIGRATIONS_DIR": tmp})
            self.assertEqual(p.returncode, 1)
            self.assertIn(first, p.stderr)
            self.assertIn("changed", p.stderr)
            self.assertEqual(self.ledger(), before)
            self.assertEqual(psql("SELECT to_regclass('must_not_exist') IS NULL").stdout.strip(), "t")
        finally:
            shutil.rmtree(tmp)

    def test_failed_migration_rolls_back(self):
        import shutil
        import tempfile
        tmp = tempfile.mkdtemp()
        try:
            for f in os.listdir(os.path.join(ROOT, "sql")):
                shutil.copy(os.path.join(ROOT, "sql", f), tmp)
            with open(os.path.join(tmp, "998_broken.sql"), "w") as f:
                f.write("CREATE TABLE half_done (id int);\nSELECT no_such_function();\n")
            p = ctl("migrate", env={"ODYSSEY_MIGRATIONS_DIR": tmp})
            self.assertEqual(p.returncode, 1)
            self.assertIn("998_broken.sql", p.stderr)
            self.assertEqual(psql("SELECT to_regclass('half_done') IS NULL").stdout.strip(), "t")
            self.assertEqual(psql("SELECT count(*) FROM schema_migrations WHERE version = '998'").stdout.strip(), "0")
        finally:
            shutil.rmtree(tmp)


class VendorPlans(StackCase):
    """db/vendor_stmt.c and the plan modes of db/db.c, driven from C against this
    database as the API's role (tests/integration/db_plans.c)."""

    def test_db_plans(self):
        from test_products import make_vendor, product
        va, tokens = make_vendor("PlansA")
        vb, _ = make_vendor("PlansB")
        r = request("POST", "/api/v1/products", token=tokens["admin"],
                    body={"items": [product("plans-1"), product("plans-2")]})
        self.assertEqual(r.status, 200, r.body)
        env = dict(os.environ, PLANS_VENDOR_A=va, PLANS_VENDOR_B=vb,
                   DATABASE_URL=ENV["DATABASE_URL"])
        p = subprocess.run([os.path.join(ENV["ODYSSEY_BUILD"], "db_plans")], env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("db_plans: 7 passed, 0 failed", p.stdout)


class KeptSearches(StackCase):
    """Searches of plain words keep one plan per vendor that walks the newest rows or
    reads every match through the GIN index (db/search_sql.h): whichever way a run
    takes, the answer is the one-shot statement's. Words: "alpha" in 90 % of the
    rows, "beta" in the oldest half only (common, but not among the newest rows:
    the walk finds nothing and the bitmap must run too), "gamma" in three rows."""

    @classmethod
    def setUpClass(cls):
        from test_products import make_vendor, product
        from test_customers import customer
        cls.vid, tokens = make_vendor("Kept")
        cls.token = tokens["admin"]

        def words(i):
            return " ".join(w for w, on in (("alpha", i % 10 != 0), ("beta", i < 500),
                                           ("gamma", i in (7, 507, 907))) if on)

        def tags(i):  # vegan: every other row; keto: the oldest half; paleo: three
            return [t for t, on in (("vegan", i % 2 == 0), ("keto", i < 500),
                                    ("paleo", i in (8, 508, 908))) if on]

        ids = {}
        for half in (range(0, 500), range(500, 1000)):  # two transactions: two times
            r = request("POST", "/api/v1/products", token=cls.token, body={"items": [
                product("kept-%d" % i, name="Item %s %d" % (words(i), i),
                        dietary_tags=tags(i),
                        **({"allergens": ["milk"]}, {"allergens": []}, {})[i % 3])
                for i in half]})
            assert r.status == 200, r
            ids.update((i["external_id"], i["id"]) for i in r.json()["items"])
            r = request("POST", "/api/v1/customers", token=cls.token, body={"items": [
                customer("kept-%d" % i, full_name="Pat %s" % words(i),
                         email="kept%d@example.com" % i,
                         custom_tags=["every10"] if i % 10 == 0 else ["other"])
                for i in half]})
            assert r.status == 200, r
        for ext in ("kept-999", "kept-998", "kept-7"):  # soft-deleted: never found
            r = request("DELETE", "/api/v1/products/" + ids[ext], token=cls.token)
            assert r.status == 204, r
        for table in ("products", "customers"):  # statistics; a visibility map
            part = psql("SELECT od_vendor_partition_name('%s', '%s')" % (table, cls.vid)).stdout
            psql("VACUUM (ANALYZE) %s" % part.strip())

    def oracle(self, table, config, text, prefix=None, rank_of=0, cond="", deleted=False):
        """The ids of the matches as the API orders them, computed by the owner."""
        tsq = "websearch_to_tsquery('%s', '%s')" % (config, text)
        if prefix:
            tsq = "(%s && to_tsquery('%s', '%s:*'))" % (tsq, config, prefix)
        live = " AND soft_deleted_at IS NULL" if table == "products" and not deleted else ""
        live += cond
        base = ("SELECT id, updated_at, ts_rank(search_tsv, %s) AS rank FROM %s "
                "WHERE vendor_id = '%s'%s AND search_tsv @@ %s" % (tsq, table, self.vid, live, tsq))
        if rank_of:
            sql = ("SELECT id FROM (%s ORDER BY updated_at DESC, id DESC LIMIT %d) c "
                   "ORDER BY rank DESC, id" % (base, rank_of))
        else:
            sql = "SELECT id FROM (%s) c ORDER BY updated_at DESC, id DESC" % base
        return psql(sql).stdout.split()

    def ids(self, path):
        return [i["id"] for i in pages(path, self.token)]

    def same(self, got, want, path):
        """got == want, reported briefly (lists of a thousand ids)."""
        if got != want:
            first = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w),
                         min(len(got), len(want)))
            self.fail("%s: %d ids, want %d; first difference at %d: %s" % (
                path, len(got), len(want), first, (got[first:first + 2], want[first:first + 2])))

    def test_products_in_time_order(self):
        s = "/api/v1/search/products?sort=-updated_at&limit=50&q="
        for text, prefix in (("alpha", None), ("beta", None), ("gamma", None),
                             ("alpha gamma", None), ("", "alp"), ("beta", "gam"),
                             ("alpha", "the"),
                             ("the", None), ("zzzz", None)):
            path = s + text.replace(" ", "+") + (prefix and "+" + prefix + "&prefix=true" or "")
            want = self.oracle("products", "english", text, prefix)
            self.same(self.ids(path), want, path)
            # the one-shot statement (a filter that changes nothing) agrees
            self.same(self.ids(path + "&brand=Acme"), want, path + "&brand=Acme")
            # the filters the kept statements take
            for query, cond, deleted in self.filters():
                want = self.oracle("products", "english", text, prefix, cond=cond,
                                   deleted=deleted)
                self.same(self.ids(path + query), want, path + query)
        self.assertEqual(len(self.oracle("products", "english", "alpha")), 897)
        self.assertEqual(len(self.oracle("products", "english", "beta")), 499)

    def test_products_by_relevance(self):
        # ODYSSEY_SEARCH_CANDIDATES is 500: the 500 newest matches, ranked
        for text in ("alpha", "beta", "gamma", "alpha beta"):
            path = "/api/v1/search/products?limit=200&q=" + text.replace(" ", "+")
            want = self.oracle("products", "english", text, rank_of=500)
            self.same(self.ids(path), want, path)
            self.same(self.ids(path + "&brand=Acme"), want, path + "&brand=Acme")
            for query, cond, deleted in self.filters():
                want = self.oracle("products", "english", text, rank_of=500, cond=cond,
                                   deleted=deleted)
                self.same(self.ids(path + query), want, path + query)

    def filters(self):
        """The filters a kept product search takes (src/db/products.c): query, the
        owner's condition, whether deleted products are in."""
        newer = psql("SELECT to_char(min(updated_at) AT TIME ZONE 'UTC', "
                     "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM products "
                     "WHERE vendor_id = '%s'" % self.vid).stdout.strip()
        none = " AND allergens IS NOT NULL AND NOT allergens && '{milk}'"
        return (("&allergens.none=milk", none, False),
                ("&updated_after=" + newer, " AND updated_at > '%s'" % newer, False),
                ("&include_deleted=true", "", True),
                ("&status=active&allergens.none=milk&include_deleted=true",
                 " AND status = 'active'" + none, True))

    def test_filtered_product_lists_keep_their_plan(self):
        # brand, category, allergens.none, updated_after, include_deleted and the
        # status keep a plan per vendor (src/db/products.c; test_products covers
        # allergens.none, which these rows do not declare): the owner's query agrees,
        # page by page
        one = request("GET", "/api/v1/products?limit=1", token=self.token).json()["items"][0]
        live = " AND soft_deleted_at IS NULL"
        for query, cond in (
                ("brand=" + urllib.parse.quote(one["brand"]),
                 "brand = '%s'%s" % (one["brand"].replace("'", "''"), live)),
                ("category_id=%s&updated_after=2000-01-01T00:00:00Z" % one["category_id"],
                 "category_id = '%s'%s" % (one["category_id"], live)),
                ("updated_after=2000-01-01T00:00:00Z&include_deleted=true", "true"),
                ("status=active", "status = 'active'" + live),
                ("status=inactive", "status = 'inactive'" + live),
                # two filters that could drive an index: planned with the values
                ("brand=%s&category_id=%s" % (urllib.parse.quote(one["brand"]),
                                              one["category_id"]),
                 "brand = '%s' AND category_id = '%s'%s" % (
                     one["brand"].replace("'", "''"), one["category_id"], live))):
            path = "/api/v1/products?limit=70&" + query
            want = psql("SELECT id FROM products WHERE vendor_id = '%s' AND %s "
                        "ORDER BY updated_at DESC, id DESC" % (self.vid, cond)).stdout.split()
            self.assertEqual(len(want) > 100, "inactive" not in query, query)
            self.same(self.ids(path), want, path)
        # tags.any keeps a plan too, walking or reading the bitmap by how common the
        # tags are (keto: common, but only among the oldest rows), with the filters
        # that never drive an index
        sizes = set()
        for tags in ("vegan", "keto", "paleo", "paleo,keto", "vegan,keto"):
            holds = "dietary_tags && '{%s}'" % tags
            for query, cond, deleted in (("", "", False),) + self.filters():
                path = "/api/v1/products?limit=70&tags.any=" + tags + query
                want = psql("SELECT id FROM products WHERE vendor_id = '%s' AND %s%s%s "
                            "ORDER BY updated_at DESC, id DESC" % (
                                self.vid, holds, "" if deleted else live, cond)).stdout.split()
                self.same(self.ids(path), want, path)
                sizes.add(len(want))
        self.assertTrue(0 in sizes and 3 in sizes and max(sizes) > 140, sizes)

    def test_customers(self):
        s = "/api/v1/customers?limit=50&q="
        for text, prefix in (("alpha", None), ("beta", None), ("gamma", None), ("", "alp"),
                             ("pat beta", None), ("pat alpha", None), ("pat gamma", None)):
            path = s + text.replace(" ", "+") + (prefix and "+" + prefix + "&prefix=true" or "")
            want = self.oracle("customers", "simple", text, prefix)
            self.same(self.ids(path), want, path)
            after = path + "&updated_after=2000-01-01T00:00:00Z"
            self.same(self.ids(after), want, after)
        self.assertEqual(len(self.oracle("customers", "simple", "beta")), 500)
        # one tag alone (customer_terms) and with a filter that changes nothing
        tagged = ("SELECT id FROM customers WHERE vendor_id = '%s' AND custom_tags && "
                  "'{every10}' ORDER BY updated_at DESC, id DESC" % self.vid)
        want = psql(tagged).stdout.split()
        self.assertEqual(len(want), 100)
        path = "/api/v1/customers?limit=30&custom_tags.any=every10"
        self.same(self.ids(path), want, path)
        self.same(self.ids(path + "&updated_after=2000-01-01T00:00:00Z"), want, path)

    def test_each_way_is_taken_when_it_should(self):
        env = dict(os.environ, SEARCH_VENDOR=self.vid, DATABASE_URL=ENV["DATABASE_URL"])
        p = subprocess.run([os.path.join(ENV["ODYSSEY_BUILD"], "db_search")], env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("db_search: 3 passed, 0 failed", p.stdout)


class ManyFrequentWords(StackCase):
    """A kept search sends the frequent lexemes its words can use (src/db/search_stats.c):
    a one-letter or two-letter prefix can use dozens of them, and the literals must
    hold them all."""

    # 40 words of ten letters, all beginning with "ca": about 500 bytes of lexemes
    WORDS = ["ca" + "bdfgjkmqvwxz"[i // 12] + "bdfgjkmqvwxz"[i % 12] + "bdfgkm"
             for i in range(40)]

    def test_a_short_prefix_of_many_frequent_words(self):
        from test_products import make_vendor, product
        vid, tokens = make_vendor("Lexemes")
        r = request("POST", "/api/v1/products", token=tokens["admin"], body={"items": [
            product("lex-%d" % i, name=" ".join(self.WORDS)) for i in range(60)]})
        self.assertEqual(r.status, 200, r)
        part = psql("SELECT od_vendor_partition_name('products', '%s')" % vid).stdout.strip()
        psql("VACUUM (ANALYZE) %s" % part)
        for query in ("q=c&prefix=true", "q=ca&prefix=true", "q=" + "+".join(self.WORDS)):
            r = request("GET", "/api/v1/search/products?limit=100&sort=-updated_at&" + query,
                        token=tokens["admin"])
            self.assertEqual(r.status, 200, (query, r))
            self.assertEqual(len(r.json()["items"]), 60, query)
