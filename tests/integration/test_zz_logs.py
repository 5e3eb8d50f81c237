"""test_zz_logs.py: runs last. No secret, token or stored secret value appears in
any log line of the stack: the pool, the daemon, nginx's access and error logs,
PostgreSQL's log."""
import glob
import os

from stack import ENV, LOG, VAR, StackCase


def secrets():
    out = [ENV["ODYSSEY_JWT_SECRET"]]
    for name in ("ODYSSEY_TOKEN_ADMIN", "ODYSSEY_TOKEN_OPERATOR", "ODYSSEY_TOKEN_VIEWER"):
        token = ENV[name]
        out += [token, token.split(".")[2]]
    for url in (ENV["DATABASE_URL"], ENV["ODYSSEY_ADMIN_DATABASE_URL"]):
        out.append(url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1])  # the password
    with open(os.path.join(VAR, "secrets", "master.key")) as f:
        out += [line.split()[1] for line in f if line.strip() and not line.startswith("#")]
    return [s for s in out if len(s) >= 16]


class Logs(StackCase):
    def test_no_secret_in_any_log(self):
        files = glob.glob(os.path.join(LOG, "*.log")) + glob.glob(os.path.join(VAR, "nginx", "*.log"))
        files += glob.glob(os.path.join(os.path.dirname(ENV["ODYSSEY_PGDATA"]), "*.log"))
        self.assertGreaterEqual(len(files), 4, files)
        values = secrets()
        self.assertGreaterEqual(len(values), 8)
        for path in files:
            with open(path, errors="replace") as f:
                text = f.read()
            for v in values:
                self.assertNotIn(v, text, "a secret in " + path)
            self.assertNotIn("Bearer ", text, "an Authorization header in " + path)
            self.assertNotIn("whsec_", text, "a stored secret value in " + path)
