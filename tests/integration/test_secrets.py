"""test_secrets.py: vendor secrets through odysseyctl: stored encrypted (never in
clear in the database), revealed with an audit row, and still readable after the
master key is rotated and the old key removed."""
import os
import subprocess

from stack import BUILD, ENV, StackCase, ctl, psql

VENDOR = ENV["ODYSSEY_DEMO_VENDOR_ID"]


def config_value(key):
    with open(ENV["ODYSSEY_CONFIG"]) as f:
        for line in f:
            if line.startswith(key + "="):
                return line.split("=", 1)[1].strip()
    return None


def put(value, purpose="webhook"):
    p = subprocess.run([os.path.join(BUILD, "odysseyctl"), "secrets", "put", "--vendor", VENDOR,
                        "--purpose", purpose], input=value + "\n", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


class Secrets(StackCase):
    def test_round_trip_rotation_and_audit(self):
        value = "whsec_" + os.urandom(12).hex()
        sid = put(value)
        # stored encrypted: the value appears nowhere in the row
        row = psql("SELECT encode(ciphertext, 'hex') || encode(wrapped_key, 'hex') || key_id "
                   "FROM secrets WHERE id = '%s'" % sid).stdout
        self.assertNotIn(value, row)
        self.assertNotIn(value.encode().hex(), row)
        p = ctl("secrets", "reveal", "--vendor", VENDOR, "--id", sid)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, value), p.stderr)
        n = psql("SELECT count(*) FROM audit_log WHERE action = 'reveal' AND entity = 'secrets' "
                 "AND entity_id = '%s'" % sid).stdout.strip()
        self.assertEqual(n, "1")
        # another vendor cannot reveal it
        self.assertNotEqual(ctl("secrets", "reveal", "--vendor", "00000000-0000-0000-0000-000000000000",
                                "--id", sid).returncode, 0)

        path = config_value("ODYSSEY_MASTER_KEY_FILE")
        with open(path) as f:
            old = f.read()
        new_line = ctl("keys", "generate", "--id", "rotated-key").stdout.strip()
        try:
            with open(path, "w") as f:
                f.write(new_line + "\n" + old)
            status = ctl("keys", "status")
            self.assertIn("rotated-key", status.stdout)
            p = ctl("keys", "rotate")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertEqual(psql("SELECT key_id FROM secrets WHERE id = '%s'" % sid).stdout.strip(),
                             "rotated-key")
            self.assertIn("re-wrapped 0 data keys", ctl("keys", "rotate").stdout)
            # the old key can go now
            with open(path, "w") as f:
                f.write(new_line + "\n")
            p = ctl("secrets", "reveal", "--vendor", VENDOR, "--id", sid)
            self.assertEqual((p.returncode, p.stdout.strip()), (0, value), p.stderr)
            self.assertGreaterEqual(int(psql("SELECT count(*) FROM audit_log WHERE entity = 'secrets' "
                                             "AND action = 'update'").stdout), 1)
        finally:
            with open(path, "w") as f:
                f.write(new_line + "\n" + old)

    def test_value_only_from_stdin_and_bounded(self):
        p = subprocess.run([os.path.join(BUILD, "odysseyctl"), "secrets", "put", "--vendor", VENDOR,
                            "--purpose", "webhook"], input="", capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(ctl("secrets", "put", "--vendor", VENDOR).returncode, 2)
