/* keyset.h: the keys that verify bearer tokens. Each key is bound to exactly one
 * algorithm (HS256 secret, RS256 or ES256 public key) and has a kid (maybe empty).
 * Built from the HS256 secret, a PEM public key file and a JWKS file; the JWKS part
 * is re-read when the file changes, so the identity provider can rotate keys. */
#ifndef OD_KEYSET_H
#define OD_KEYSET_H

#include <stddef.h>
#include <time.h>

#include <openssl/types.h>

#include "core/status.h"

#define OD_KEYSET_KID_MAX 256        /* longer kids are refused (header) or skipped (JWKS) */
#define OD_KEYSET_FILE_MAX 1048576   /* bytes read from a PEM or JWKS file at most */

typedef enum od_keyset_alg {
    OD_KEYSET_HS256 = 1,
    OD_KEYSET_RS256,
    OD_KEYSET_ES256
} od_keyset_alg;

typedef struct od_keyset od_keyset;          /* opaque */
typedef struct od_keyset_key od_keyset_key;  /* opaque; one key of a set */

/* Where the keys come from (every string borrowed, "" or NULL = unused). */
typedef struct od_keyset_settings {
    const char *hs256_secret;     /* ODYSSEY_JWT_SECRET: one HS256 key, empty kid */
    const char *public_key_file;  /* ODYSSEY_JWT_PUBLIC_KEY_FILE: PEM "PUBLIC KEY" */
    const char *public_key_alg;   /* ODYSSEY_JWT_PUBLIC_KEY_ALG: "RS256" (default) or "ES256" */
    const char *public_key_kid;   /* ODYSSEY_JWT_PUBLIC_KEY_KID: kid of that key, or "" */
    const char *jwks_file;        /* ODYSSEY_JWKS_FILE: RFC 7517 {"keys":[...]} */
    int jwks_reload_interval;     /* ODYSSEY_JWKS_RELOAD_INTERVAL: seconds; 0 = never */
} od_keyset_settings;

/* Outcome of od_keyset_find. */
typedef enum od_keyset_match {
    OD_KEYSET_MATCH = 0,  /* a key was found and it is bound to the algorithm asked for */
    OD_KEYSET_NO_KEY,     /* the token names a kid that no key has */
    OD_KEYSET_WRONG_ALG   /* the kid's key is bound to another algorithm; or, without
                           * a kid, no key without a kid is bound to this one */
} od_keyset_match;

/* Parses a JWS "alg" name. Returns 0 and sets *out for HS256, RS256 and ES256;
 * -1 for anything else ("none" included). */
int od_keyset_alg_parse(const char *name, od_keyset_alg *out);

/* Returns the JWS name of alg ("HS256", ...), static. */
const char *od_keyset_alg_name(od_keyset_alg alg);

/* Builds a key set from s: reads the PEM and JWKS files now. A JWK that cannot be
 * used (use other than "sig", unknown kty/crv/alg, no kid, bad numbers) is skipped
 * with a warning in the log. Returns OD_OK and *out (caller frees with
 * od_keyset_free), or OD_EINVAL / OD_ENOMEM with a message naming the setting in
 * err; an unreadable file, a PEM that is not a public key of the configured
 * algorithm, or a JWKS file that is not JSON {"keys":[...]} is such an error. */
od_rc od_keyset_open(const od_keyset_settings *s, od_keyset **out, char *err,
                     size_t errlen);

/* Releases ks and every key (secrets are wiped first). Accepts NULL. */
void od_keyset_free(od_keyset *ks);

/* Number of keys in ks (for logs and tests). */
size_t od_keyset_count(const od_keyset *ks);

/* Re-reads the JWKS file if one is configured, the reload interval has passed since
 * the last look (at now) and the file changed (mtime, ctime, inode or size). A file
 * that cannot be read or parsed keeps the old keys and logs an error once per change
 * of the file. Returns OD_OK (nothing to do, or reloaded), or OD_EINVAL / OD_ENOMEM
 * when the file could not be used. Keys found before the call are invalid after it. */
od_rc od_keyset_maybe_reload(od_keyset *ks, time_t now);

/* Re-reads the JWKS file now, whatever its interval and stamp (for SIGHUP).
 * Same failure rule and return as od_keyset_maybe_reload. */
od_rc od_keyset_reload(od_keyset *ks);

/* Chooses the key for a token whose header names kid (NULL or "" = none) and alg.
 * With a kid: the key with that kid, which must be bound to alg. Without: among
 * the keys with an empty kid (at most the HS256 secret and the PEM key, which never
 * share an algorithm), the one bound to alg. The token never picks the algorithm of
 * a key: it only picks a key, whose own algorithm must then equal alg. On
 * OD_KEYSET_MATCH sets *key (borrowed; valid until the next reload or free). */
od_keyset_match od_keyset_find(const od_keyset *ks, const char *kid, od_keyset_alg alg,
                               const od_keyset_key **key);

/* Returns the algorithm k is bound to. */
od_keyset_alg od_keyset_key_alg(const od_keyset_key *k);

/* Returns the HS256 secret of k and its length in *len (borrowed), or NULL for a
 * public key. */
const unsigned char *od_keyset_key_secret(const od_keyset_key *k, size_t *len);

/* Returns the public key of an RS256 or ES256 key (borrowed), or NULL for HS256. */
EVP_PKEY *od_keyset_key_pkey(const od_keyset_key *k);

#endif
