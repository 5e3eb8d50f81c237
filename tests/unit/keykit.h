/* keykit.h: test helpers shared by test_jwt and test_keyset: keys generated with
 * OpenSSL at test time, their PEM and JWK forms, tokens signed like an identity
 * provider signs them, and scratch files in a temporary directory. */
#ifndef OD_KEYKIT_H
#define OD_KEYKIT_H

#include <stddef.h>

#include <openssl/types.h>

/* Generates an RSA 2048 (bits 0) or other size key. Caller frees (EVP_PKEY_free). */
EVP_PKEY *od_kit_rsa(unsigned bits);

/* Generates an EC key on curve ("P-256", "P-384"). Caller frees. */
EVP_PKEY *od_kit_ec(const char *curve);

/* Returns data as unpadded base64url. Caller frees. */
char *od_kit_b64url(const void *data, size_t len);

/* Returns the public half of pk as PEM (BEGIN PUBLIC KEY). Caller frees. */
char *od_kit_pem(EVP_PKEY *pk);

/* Returns the public JWK of pk (RSA: n, e; EC: crv, x, y) with kid (NULL: none)
 * and extra members appended (e.g. "\"use\":\"enc\"", or NULL). Caller frees. */
char *od_kit_jwk(EVP_PKEY *pk, const char *kid, const char *extra);

/* Returns base64url(header).base64url(claims).signature, signed with pk over
 * SHA-256: PKCS #1 v1.5 for RSA, raw r||s (64 bytes) for EC. Caller frees. */
char *od_kit_sign(EVP_PKEY *pk, const char *header, const char *claims);

/* Same with HMAC-SHA-256 over secret[0..len). Caller frees. */
char *od_kit_hs256(const void *secret, size_t len, const char *header,
                   const char *claims);

/* Returns dir/name, caller frees. */
char *od_kit_path(const char *dir, const char *name);

/* Writes text to path (replacing it). Returns 0 or -1. */
int od_kit_write(const char *path, const char *text);

/* Sets the modification time of path to now + delta seconds. Returns 0 or -1. */
int od_kit_touch(const char *path, long delta);

/* Creates a fresh directory under /tmp. Caller frees and removes it with
 * od_kit_rmdir. */
char *od_kit_mkdtemp(void);

/* Removes the files in dir and dir itself, and frees dir. */
void od_kit_rmdir(char *dir);

#endif
