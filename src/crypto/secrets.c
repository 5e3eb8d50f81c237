/* secrets.c: envelope encryption of secret values with AES-256-GCM (OpenSSL EVP):
 * a random data key per value, wrapped through an od_kms. Keys never outlive the
 * call that used them (OPENSSL_cleanse), and nothing here logs. */
#include "crypto/secrets.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* An arena-owned plaintext that the arena wipes before it forgets it. */
typedef struct plain_holder {
    size_t n;                /* bytes to wipe, the NUL included */
    unsigned char bytes[];   /* the value, NUL-terminated */
} plain_holder;

static void
plain_wipe(void *arg)
{
    plain_holder *h = arg;

    OPENSSL_cleanse(h->bytes, h->n);
}

static void
set_why(const char **why, const char *step)
{
    if (why != NULL)
        *why = step;
}

bool
od_secret_key_id_valid(const char *s, size_t n)
{
    if (s == NULL || n == 0 || n > OD_SECRET_KEY_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

/* True when w names a plausible key id and blob length (what a KMS must produce). */
static bool
wrapped_valid(const od_wrapped *w)
{
    size_t idlen = strnlen(w->key_id, sizeof(w->key_id));

    return idlen < sizeof(w->key_id) && od_secret_key_id_valid(w->key_id, idlen) &&
           w->len > 0 && w->len <= sizeof(w->blob);
}

od_rc
od_secret_gcm_seal(const unsigned char *key, const unsigned char *nonce, const void *aad,
                   size_t aadlen, const unsigned char *in, size_t n, unsigned char *out,
                   unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx;
    int len;
    od_rc rc = OD_EINVAL;

    if (n > INT_MAX || aadlen > INT_MAX)
        return OD_EINVAL;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return OD_ENOMEM;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, OD_SECRET_NONCE_LEN, NULL) != 1 ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) != 1)
        goto cleanup;
    if (aadlen > 0 && EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        goto cleanup;
    if (n > 0 && EVP_EncryptUpdate(ctx, out, &len, in, (int)n) != 1)
        goto cleanup;
    if (EVP_EncryptFinal_ex(ctx, out + n, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, OD_SECRET_TAG_LEN, tag) != 1)
        goto cleanup;
    rc = OD_OK;
cleanup:
    EVP_CIPHER_CTX_free(ctx);  /* wipes the expanded key */
    return rc;
}

od_rc
od_secret_gcm_open(const unsigned char *key, const unsigned char *nonce, const void *aad,
                   size_t aadlen, const unsigned char *in, size_t n, const unsigned char *tag,
                   unsigned char *out)
{
    EVP_CIPHER_CTX *ctx;
    unsigned char tagcopy[OD_SECRET_TAG_LEN];
    int len;
    od_rc rc = OD_EINVAL;

    if (n > INT_MAX || aadlen > INT_MAX)
        return OD_EINVAL;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return OD_ENOMEM;
    memcpy(tagcopy, tag, sizeof(tagcopy));  /* the ctrl takes a non-const pointer */
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, OD_SECRET_NONCE_LEN, NULL) != 1 ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1)
        goto cleanup;
    if (aadlen > 0 && EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aadlen) != 1)
        goto cleanup;
    if (n > 0 && EVP_DecryptUpdate(ctx, out, &len, in, (int)n) != 1)
        goto cleanup;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, OD_SECRET_TAG_LEN, tagcopy) != 1 ||
        EVP_DecryptFinal_ex(ctx, out + n, &len) != 1)
        goto cleanup;
    rc = OD_OK;
cleanup:
    if (rc != OD_OK && n > 0)
        OPENSSL_cleanse(out, n);  /* unauthenticated bytes are never handed out */
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

od_rc
od_secret_seal(const od_kms *kms, od_arena *a, const void *aad, size_t aadlen,
               const void *plaintext, size_t n, od_envelope *env, const char **why)
{
    unsigned char dek[OD_SECRET_KEY_LEN];
    od_rc rc;

    if (kms == NULL || kms->wrap == NULL || a == NULL || env == NULL ||
        (plaintext == NULL && n > 0) || (aad == NULL && aadlen > 0)) {
        set_why(why, "check the arguments");
        return OD_EINVAL;
    }
    memset(env, 0, sizeof(*env));
    if (n > OD_SECRET_VALUE_MAX) {
        set_why(why, "check the value size");
        return OD_ETOOBIG;
    }
    if (RAND_priv_bytes(dek, sizeof(dek)) != 1 ||
        RAND_bytes(env->nonce, sizeof(env->nonce)) != 1) {
        set_why(why, "draw random bytes");
        rc = OD_EUNAVAIL;
        goto cleanup;
    }
    env->ciphertext = od_arena_alloc(a, n > 0 ? n : 1);
    if (env->ciphertext == NULL) {
        set_why(why, "allocate the ciphertext");
        rc = OD_ENOMEM;
        goto cleanup;
    }
    env->ctlen = n;
    rc = od_secret_gcm_seal(dek, env->nonce, aad, aadlen, plaintext, n, env->ciphertext,
                            env->tag);
    if (rc != OD_OK) {
        set_why(why, "encrypt the value");
        goto cleanup;
    }
    rc = kms->wrap(kms->ctx, dek, sizeof(dek), &env->key);
    if (rc == OD_OK && !wrapped_valid(&env->key))
        rc = OD_EINVAL;  /* a KMS that answers nonsense must not be stored */
    if (rc != OD_OK)
        set_why(why, "wrap the data key");
cleanup:
    OPENSSL_cleanse(dek, sizeof(dek));
    if (rc != OD_OK) {
        memset(env, 0, sizeof(*env));
    }
    return rc;
}

/* Unwraps *w with kms into dek (exactly OD_SECRET_KEY_LEN bytes). */
static od_rc
unwrap_dek(const od_kms *kms, const od_wrapped *w, unsigned char *dek)
{
    size_t n = OD_SECRET_KEY_LEN;
    od_rc rc;

    if (!wrapped_valid(w))
        return OD_EINVAL;
    rc = kms->unwrap(kms->ctx, w, dek, &n);
    if (rc == OD_OK && n != OD_SECRET_KEY_LEN)
        rc = OD_EINVAL;
    return rc;
}

od_rc
od_secret_open(const od_kms *kms, od_arena *a, const void *aad, size_t aadlen,
               const od_envelope *env, unsigned char **out, size_t *outlen, const char **why)
{
    unsigned char dek[OD_SECRET_KEY_LEN];
    plain_holder *h;
    od_rc rc;

    if (kms == NULL || kms->unwrap == NULL || a == NULL || env == NULL || out == NULL ||
        outlen == NULL || (aad == NULL && aadlen > 0) ||
        (env->ciphertext == NULL && env->ctlen > 0)) {
        set_why(why, "check the arguments");
        return OD_EINVAL;
    }
    *out = NULL;
    *outlen = 0;
    if (env->ctlen > OD_SECRET_VALUE_MAX) {
        set_why(why, "check the value size");
        return OD_EINVAL;
    }
    rc = unwrap_dek(kms, &env->key, dek);
    if (rc != OD_OK) {
        set_why(why, "unwrap the data key");
        goto cleanup;
    }
    h = od_arena_alloc(a, sizeof(*h) + env->ctlen + 1);
    if (h == NULL) {
        set_why(why, "allocate the plaintext");
        rc = OD_ENOMEM;
        goto cleanup;
    }
    h->n = env->ctlen + 1;
    if (od_arena_on_reset(a, plain_wipe, h) != 0) {
        set_why(why, "allocate the plaintext");
        rc = OD_ENOMEM;
        goto cleanup;
    }
    rc = od_secret_gcm_open(dek, env->nonce, aad, aadlen, env->ciphertext, env->ctlen,
                            env->tag, h->bytes);
    if (rc != OD_OK) {
        set_why(why, "decrypt the value");
        goto cleanup;
    }
    h->bytes[env->ctlen] = '\0';
    *out = h->bytes;
    *outlen = env->ctlen;
cleanup:
    OPENSSL_cleanse(dek, sizeof(dek));
    return rc;
}

od_rc
od_secret_rewrap(const od_kms *from, const od_kms *to, const od_wrapped *in, od_wrapped *out,
                 const char **why)
{
    unsigned char dek[OD_SECRET_KEY_LEN];
    od_rc rc;

    if (from == NULL || from->unwrap == NULL || to == NULL || to->wrap == NULL ||
        in == NULL || out == NULL || in == out) {
        set_why(why, "check the arguments");
        return OD_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    rc = unwrap_dek(from, in, dek);
    if (rc != OD_OK) {
        set_why(why, "unwrap the data key");
        goto cleanup;
    }
    rc = to->wrap(to->ctx, dek, sizeof(dek), out);
    if (rc == OD_OK && !wrapped_valid(out))
        rc = OD_EINVAL;
    if (rc != OD_OK) {
        set_why(why, "wrap the data key");
        memset(out, 0, sizeof(*out));
    }
cleanup:
    OPENSSL_cleanse(dek, sizeof(dek));
    return rc;
}

od_rc
od_secret_uuid(char out[37])
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1) {
        out[0] = '\0';
        return OD_EUNAVAIL;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
    return OD_OK;
}
