/* secrets.h: envelope encryption of vendor secrets. Each value gets its own random
 * AES-256-GCM data key, bound to a caller-chosen context (AAD); the data key is
 * wrapped by a key-management service behind od_kms (a local master key file today,
 * a cloud KMS client tomorrow). Pure: no I/O and no logging; errors name the step
 * that failed, never the bytes. See docs/secrets.md. */
#ifndef OD_SECRETS_H
#define OD_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

#define OD_SECRET_KEY_LEN    32     /* AES-256 data and master keys, bytes */
#define OD_SECRET_NONCE_LEN  12     /* GCM nonce, bytes */
#define OD_SECRET_TAG_LEN    16     /* GCM tag, bytes */
#define OD_SECRET_KEY_ID_MAX 64     /* characters of a master key id */
#define OD_SECRET_WRAPPED_MAX 1024  /* bytes of a wrapped data key (a KMS's blob) */
#define OD_SECRET_VALUE_MAX  65536  /* bytes of one secret value */

/* A data key wrapped by a KMS: which master key, and the KMS's opaque blob. */
typedef struct od_wrapped {
    char key_id[OD_SECRET_KEY_ID_MAX + 1];      /* master key id, NUL-terminated */
    unsigned char blob[OD_SECRET_WRAPPED_MAX];  /* local KMS: nonce | ciphertext | tag */
    size_t len;                                 /* bytes used in blob */
} od_wrapped;

/* The key-wrapping service (the KMS stand-in). An implementation fills the three
 * functions and its ctx; the envelope code never sees a master key. Contracts:
 * wrap: wraps the n-byte data key under the active master key into *out (key_id
 *   set). Returns OD_OK, OD_EUNAVAIL (no randomness / service down), OD_EINVAL.
 * unwrap: recovers the data key of *in into dek; *n holds dek's capacity on entry
 *   and the key length on return. Returns OD_OK, OD_ENOTFOUND (key id unknown to
 *   this service), OD_EINVAL (blob tampered with or not made by this key), or
 *   OD_EUNAVAIL. Never returns a guessed key.
 * active_key_id: the id wrap uses now (borrowed, valid while ctx lives). */
typedef struct od_kms {
    od_rc (*wrap)(void *ctx, const unsigned char *dek, size_t n, od_wrapped *out);
    od_rc (*unwrap)(void *ctx, const od_wrapped *in, unsigned char *dek, size_t *n);
    const char *(*active_key_id)(void *ctx);
    void *ctx;  /* the implementation's state; owned by whoever built the od_kms */
} od_kms;

/* One encrypted secret value, as stored (one row of the secrets table). */
typedef struct od_envelope {
    od_wrapped key;                             /* the wrapped data key */
    unsigned char nonce[OD_SECRET_NONCE_LEN];   /* value nonce (random) */
    unsigned char tag[OD_SECRET_TAG_LEN];       /* value tag */
    unsigned char *ciphertext;                  /* as long as the plaintext */
    size_t ctlen;
} od_envelope;

/* Encrypts n bytes of plaintext (borrowed, at most OD_SECRET_VALUE_MAX) under a new
 * random data key with aad (the context, e.g. "vendor:<uuid>/webhook:<id>", which
 * must be given again to open it) and wraps that key with kms. Fills *env; its
 * ciphertext is arena-owned. The data key is wiped before returning. Returns OD_OK,
 * OD_ETOOBIG, OD_ENOMEM, OD_EUNAVAIL (random generator) or the kms's wrap code;
 * *why (when not NULL) gets a static name of the failed step. */
od_rc od_secret_seal(const od_kms *kms, od_arena *a, const void *aad, size_t aadlen,
                     const void *plaintext, size_t n, od_envelope *env, const char **why);

/* Decrypts env (borrowed) with the same aad. On OD_OK *out is an arena-owned
 * NUL-terminated copy of the value (*outlen bytes before the NUL) that the arena
 * wipes at its next reset or destroy. Returns OD_ENOTFOUND (master key id unknown),
 * OD_EINVAL (anything tampered with, wrong aad, wrong key: never garbage),
 * OD_ENOMEM or the kms's unwrap code; *why (when not NULL) names the failed step. */
od_rc od_secret_open(const od_kms *kms, od_arena *a, const void *aad, size_t aadlen,
                     const od_envelope *env, unsigned char **out, size_t *outlen,
                     const char **why);

/* Re-wraps one data key (rotation): unwraps *in with from, wraps it again with to
 * (often the same service, whose active key changed) into *out. The value's
 * ciphertext is not involved. Returns the codes of unwrap and wrap; *why names the
 * failed step. in and out may not overlap. */
od_rc od_secret_rewrap(const od_kms *from, const od_kms *to, const od_wrapped *in,
                       od_wrapped *out, const char **why);

/* AES-256-GCM encryption of n bytes of in into out (n bytes; may equal in) with a
 * 32-byte key and 12-byte nonce, writing the 16-byte tag. Returns OD_OK, OD_ENOMEM
 * or OD_EINVAL (lengths beyond what the cipher takes). All buffers borrowed. */
od_rc od_secret_gcm_seal(const unsigned char *key, const unsigned char *nonce,
                         const void *aad, size_t aadlen, const unsigned char *in,
                         size_t n, unsigned char *out, unsigned char *tag);

/* AES-256-GCM decryption, the inverse of od_secret_gcm_seal. Returns OD_EINVAL when
 * the tag does not verify, in which case out has been wiped. */
od_rc od_secret_gcm_open(const unsigned char *key, const unsigned char *nonce,
                         const void *aad, size_t aadlen, const unsigned char *in,
                         size_t n, const unsigned char *tag, unsigned char *out);

/* Writes a random (version 4) uuid into out[37]: the id of a row whose secret's
 * context (AAD) must name it before either is stored. Returns OD_OK or OD_EUNAVAIL
 * (the random generator failed). */
od_rc od_secret_uuid(char out[37]);

/* True when s is a valid master key id: 1 to OD_SECRET_KEY_ID_MAX characters of
 * A-Z a-z 0-9 . _ : - (it is stored, logged and used as AAD, so no spaces). */
bool od_secret_key_id_valid(const char *s, size_t n);

#endif
