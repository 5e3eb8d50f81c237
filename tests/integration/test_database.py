"""test_database.py: the pool and PostgreSQL: the database going away gives 503
problems (not hangs) and the pool recovers; a migration that changes a result
type re-prepares statements; SQL errors never leak; roles and the schema."""
import os
import subprocess
import time

from stack import ENV, ROOT, StackCase, ctl, pg_ctl, psql, request, wait_for, wait_ready

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
        self.assertIn("db_plans: 3 passed, 0 failed", p.stdout)
