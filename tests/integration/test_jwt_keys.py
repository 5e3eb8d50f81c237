"""test_jwt_keys.py: RS256 and ES256 tokens end to end: a PEM public key, a JWKS
file chosen by kid and rotated without a restart, HS/RS confusion refused. The test
stack starts with an RSA PEM key (kid-less, RS256) and an empty JWKS file that is
re-read every second (ODYSSEY_JWKS_RELOAD_INTERVAL=1)."""
import base64
import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import tempfile
import time

from stack import (ENV, VAR, StackCase, children, log_lines, now, pid_of, request,
                   wait_for)

KEYS = os.path.join(VAR, "keys")


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def run(args, data=None, text=False):
    return subprocess.run(args, input=data, capture_output=True, check=True, text=text).stdout


def der_to_raw(der, size=32):
    """ECDSA DER SEQUENCE{r, s} -> the JWS form r || s."""
    assert der[0] == 0x30
    i, out = (2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)), b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        out += der[i + 2:i + 2 + n].lstrip(b"\0").rjust(size, b"\0")
        i += 2 + n
    return out


def signing_input(header, claims):
    enc = lambda o: b64u(json.dumps(o, separators=(",", ":")).encode())
    return enc(header) + "." + enc(claims)


def sign(alg, private_pem, claims, kid=None):
    header = {"alg": alg, "typ": "JWT", **({"kid": kid} if kid else {})}
    si = signing_input(header, claims)
    sig = run(["openssl", "dgst", "-sha256", "-sign", private_pem], si.encode())
    return si + "." + b64u(der_to_raw(sig) if alg == "ES256" else sig)


def hs256_with(secret, claims, kid=None):
    si = signing_input({"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}, claims)
    return si + "." + b64u(hmac.new(secret, si.encode(), hashlib.sha256).digest())


def keypair(kind, directory):
    priv = os.path.join(directory, kind + ".pem")
    pub = os.path.join(directory, kind + ".pub.pem")
    opts = (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"] if kind.startswith("rsa")
            else ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
    run(["openssl", "genpkey"] + opts + ["-out", priv])
    run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub])
    return priv, pub


def rsa_jwk(pub, kid):
    mod = run(["openssl", "rsa", "-pubin", "-in", pub, "-noout", "-modulus"], text=True).strip().split("=", 1)[1]
    e = int(re.search(r"Exponent: (\d+)", run(["openssl", "rsa", "-pubin", "-in", pub, "-noout", "-text"],
                                                text=True)).group(1))
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64u(bytes.fromhex(mod)),
            "e": b64u(e.to_bytes((e.bit_length() + 7) // 8, "big"))}


def ec_jwk(pub, kid):
    der = run(["openssl", "pkey", "-pubin", "-in", pub, "-outform", "DER"])
    return {"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
            "x": b64u(der[-64:-32]), "y": b64u(der[-32:])}


def write_jwks(keys):
    path = os.path.join(KEYS, "jwks.json")
    with open(path + ".tmp", "w") as f:
        json.dump({"keys": keys}, f)
    os.replace(path + ".tmp", path)


def claims(user="demo-admin"):
    return {"sub": user, "exp": now() + 600}


class AsymmetricKeys(StackCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.rsa, cls.rsa_pub = keypair("rsa-a", cls.tmp)
        cls.ec, cls.ec_pub = keypair("ec-a", cls.tmp)
        cls.rsa2, cls.rsa2_pub = keypair("rsa-b", cls.tmp)

    def me(self, token):
        return request("GET", "/api/v1/me", token=token)

    def wait_for_keys(self, token, want):
        """Waits until the new JWKS is in use, then two reload intervals more: three
        answers in a row may come from the workers that looked already, while one
        that looked just before the write waits out its second (they look at most
        once a second, at whole seconds). After that every worker looks again at
        its next request."""
        end = time.time() + 6
        while time.time() < end:
            if all(self.me(token).status == want for _ in range(3)):
                time.sleep(2.2)
                return True
            time.sleep(0.3)
        return False

    def test_pem_key_rs256(self):
        r = self.me(sign("RS256", os.path.join(KEYS, "pem.pem"), claims()))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["user"]["id"], "demo-admin")
        # the same key's token as ES256, or signed by another key, is refused
        self.assertProblem(self.me(sign("RS256", self.rsa, claims())), 401)

    def test_hs_rs_confusion_is_refused(self):
        with open(os.path.join(KEYS, "pem.pub.pem"), "rb") as f:
            public = f.read()
        # Without a kid, HS256 selects the shared secret, never the RSA key: the
        # forged signature does not verify.
        r = self.me(hs256_with(public, claims()))
        doc = self.assertProblem(r, 401)
        self.assertIn('error="invalid_token"', r.headers["www-authenticate"])
        self.assertIn("signature", doc["detail"])

    def test_jwks_by_kid_and_rotation_without_restart(self):
        write_jwks([rsa_jwk(self.rsa_pub, "rsa-a"), ec_jwk(self.ec_pub, "ec-a")])
        rs = sign("RS256", self.rsa, claims(), kid="rsa-a")
        es = sign("ES256", self.ec, claims(), kid="ec-a")
        self.assertTrue(self.wait_for_keys(rs, 200), "JWKS not picked up")
        self.assertEqual(self.me(es).status, 200)
        # a kid bound to one algorithm refuses the other
        self.assertProblem(self.me(sign("ES256", self.ec, claims(), kid="rsa-a")), 401)
        doc = self.assertProblem(self.me(sign("RS256", self.rsa, claims(), kid="nope")), 401)
        self.assertIn("kid", doc["detail"])
        # HS256 forged with the JWK's key material under its kid
        with open(self.rsa_pub, "rb") as f:
            self.assertProblem(self.me(hs256_with(f.read(), claims(), kid="rsa-a")), 401)
        # the identity provider rotates: rsa-a leaves, rsa-b arrives
        write_jwks([rsa_jwk(self.rsa2_pub, "rsa-b"), ec_jwk(self.ec_pub, "ec-a")])
        rs2 = sign("RS256", self.rsa2, claims(), kid="rsa-b")
        self.assertTrue(self.wait_for_keys(rs2, 200), "rotated key not picked up")
        self.assertTrue(self.wait_for_keys(rs, 401), "retired key still accepted")
        # a broken file keeps the keys loaded before, in the workers that run and
        # in those forked meanwhile (they inherit the master's last good keys)
        self.addCleanup(write_jwks, [])
        with open(os.path.join(KEYS, "jwks.json"), "w") as f:
            f.write("{not json")
        time.sleep(1.5)
        self.assertEqual(self.me(rs2).status, 200)
        api = pid_of("api")
        old = children(api)
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        self.assertTrue(wait_for(lambda: len(set(children(api)) - set(old)) >= len(old),
                                 timeout=15), "workers not replaced")
        self.assertEqual([self.me(rs2).status for _ in range(8)], [200] * 8)
        # a reload (SIGHUP) with the broken file is refused: settings and keys stay
        seen = len(log_lines("api"))
        os.kill(api, signal.SIGHUP)
        self.assertTrue(wait_for(lambda: any("reload refused" in line
                                             for line in log_lines("api")[seen:]), timeout=10),
                        "reload not refused")
        self.assertEqual([self.me(rs2).status for _ in range(8)], [200] * 8)
