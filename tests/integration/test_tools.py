"""test_tools.py: odysseyctl, the nginx config, the systemd units, the OpenAPI
document and make install, each driven for real."""
import os
import shutil
import subprocess
import tempfile

from stack import BUILD, ENV, ROOT, VAR, StackCase, ctl, jwt, now, psql, request


class Ctl(StackCase):
    def test_help_for_every_command(self):
        for cmd in ("migrate", "vendor", "user", "admin", "token", "status"):
            p = ctl(cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("usage: odysseyctl " + cmd, p.stdout)
        self.assertEqual(ctl("--help").returncode, 0)
        self.assertEqual(ctl("frobnicate").returncode, 2)

    def test_vendor_create_makes_partitions_and_audits(self):
        p = ctl("vendor", "create", "--name", "Ctl Test Vendor")
        self.assertEqual(p.returncode, 0, p.stderr)
        vid = p.stdout.strip()
        hexid = vid.replace("-", "")
        tables = "SELECT count(*) FROM pg_class WHERE relkind IN ('r', 'p') AND relname LIKE '%s'"
        n = psql(tables % ("products_v" + hexid + "%")).stdout.strip()
        self.assertEqual(n, "17")
        n = psql(tables % ("customers_v" + hexid + "%")).stdout.strip()
        self.assertEqual(n, "33")
        n = psql("SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'vendors' "
                 "AND entity_id = '%s'" % vid).stdout.strip()
        self.assertEqual(n, "1")
        self.assertEqual(ctl("vendor", "create").returncode, 2)

    def test_user_add_link_admin_grant_and_token(self):
        self.assertEqual(ctl("user", "add", "--id", "ctl-user", "--email", "ctl@x.example").returncode, 0)
        p = ctl("user", "link", "--user", "ctl-user", "--vendor", ENV["ODYSSEY_DEMO_VENDOR_ID"],
                "--role", "vendor_viewer")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(psql("SELECT role || '/' || status FROM user_links WHERE user_id = 'ctl-user'").stdout.strip(),
                         "vendor_viewer/active")
        self.assertEqual(ctl("user", "link", "--user", "ctl-user", "--vendor",
                             ENV["ODYSSEY_DEMO_VENDOR_ID"], "--role", "king").returncode, 2)
        self.assertEqual(ctl("admin", "grant", "--user", "ctl-user").returncode, 0)
        self.assertEqual(psql("SELECT count(*) FROM platform_admins WHERE user_id = 'ctl-user'").stdout.strip(), "1")
        self.assertGreaterEqual(int(psql("SELECT count(*) FROM audit_log WHERE action = 'create' "
                                         "AND entity IN ('user_links', 'platform_admins')").stdout), 2)
        p = ctl("token", "--user", "ctl-user", "--ttl", "60")
        self.assertEqual(p.returncode, 0)
        r = request("GET", "/api/v1/me", token=p.stdout.strip())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"]["id"], "ctl-user")

    def test_token_refuses_without_secret(self):
        p = ctl("token", "--user", "x", env={"ODYSSEY_JWT_SECRET": "", "ODYSSEY_CONFIG": ""})
        self.assertEqual(p.returncode, 1)
        self.assertIn("ODYSSEY_JWT_SECRET", p.stderr)
        self.assertEqual(ctl("token", "--user", "x", "--ttl", "-5").returncode, 2)

    def test_status(self):
        p = ctl("status")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("0 pending", p.stdout)


class Deployment(StackCase):
    def test_nginx_config_passes_nginx_t(self):
        conf = os.path.join(VAR, "nginx", "nginx.conf")
        p = subprocess.run(["nginx", "-t", "-c", conf, "-p", os.path.join(VAR, "nginx")],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("test is successful", p.stderr)

    def test_systemd_units_verify(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze is not installed")
        tmp = tempfile.mkdtemp()
        try:
            # Verify the units as shipped, with ExecStart pointing at the built programs.
            for unit in ("odyssey-api.service", "odyssey-worker.service"):
                with open(os.path.join(ROOT, "systemd", unit)) as f:
                    text = f.read()
                text = text.replace("/usr/local/bin/", BUILD + "/")
                with open(os.path.join(tmp, unit), "w") as f:
                    f.write(text)
            p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                                os.path.join(tmp, "odyssey-api.service"),
                                os.path.join(tmp, "odyssey-worker.service")],
                               capture_output=True, text=True)
            errors = [l for l in p.stderr.splitlines()
                      if "odyssey" in l and "not found" not in l.lower()]
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(errors, [], p.stderr)
        finally:
            shutil.rmtree(tmp)

    def test_openapi_lints(self):
        p = subprocess.run(["bash", os.path.join(ROOT, "tests", "openapi", "lint.sh")],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout[-3000:] + p.stderr[-3000:])

    def test_make_install_destdir(self):
        tmp = tempfile.mkdtemp()
        try:
            p = subprocess.run(["make", "-s", "-C", BUILD, "install", "DESTDIR=" + tmp],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            for path in ("usr/local/bin/odyssey-api", "usr/local/bin/odyssey-worker",
                         "usr/local/bin/odysseyctl", "usr/local/share/odyssey/sql/001_foundation.sql",
                         "usr/local/share/odyssey/nginx/odyssey-site.conf.in",
                         "usr/local/share/odyssey/systemd/odyssey-api.service"):
                self.assertTrue(os.path.exists(os.path.join(tmp, path)), path)
            p = subprocess.run([os.path.join(tmp, "usr/local/bin/odysseyctl"), "--version"],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0)
        finally:
            shutil.rmtree(tmp)
