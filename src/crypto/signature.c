/* signature.c: HMAC-SHA256 webhook signatures and signing secrets (OpenSSL). */
#include "crypto/signature.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* The HMAC implementation, fetched once per process (a fetch costs a lookup). */
static EVP_MAC *hmac;

static void
hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

od_rc
od_signature_v1(const void *key, size_t keylen, long long timestamp, const void *body,
                size_t n, char out[OD_SIGNATURE_HEX + 1])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    char ts[24], digest[] = "SHA256";
    int tlen = snprintf(ts, sizeof(ts), "%lld\n", timestamp);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx;
    bool ok;

    out[0] = '\0';
    if (hmac == NULL)
        hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (hmac == NULL || tlen <= 0 || (size_t)tlen >= sizeof(ts) ||
        (ctx = EVP_MAC_CTX_new(hmac)) == NULL)
        return OD_ENOMEM;
    ok = EVP_MAC_init(ctx, key, keylen, params) == 1 &&
         EVP_MAC_update(ctx, (const unsigned char *)ts, (size_t)tlen) == 1 &&
         (n == 0 || EVP_MAC_update(ctx, body, n) == 1) &&
         EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) == 1 && maclen == 32;
    EVP_MAC_CTX_free(ctx);
    if (!ok)
        return OD_ENOMEM;
    hex(mac, 32, out);
    OPENSSL_cleanse(mac, sizeof(mac));
    return OD_OK;
}

char *
od_signature_header(od_arena *a, const void *key, size_t keylen, const void *old_key,
                    size_t old_keylen, long long timestamp, const void *body, size_t n)
{
    char now[OD_SIGNATURE_HEX + 1], old[OD_SIGNATURE_HEX + 1];

    if (od_signature_v1(key, keylen, timestamp, body, n, now) != OD_OK)
        return NULL;
    if (old_key == NULL)
        return od_arena_printf(a, "v1=%s", now);
    if (od_signature_v1(old_key, old_keylen, timestamp, body, n, old) != OD_OK)
        return NULL;
    return od_arena_printf(a, "v1=%s,v1=%s", now, old);
}

od_rc
od_signature_secret(char out[OD_SIGNATURE_SECRET_LEN + 1])
{
    unsigned char raw[32];

    if (RAND_priv_bytes(raw, sizeof(raw)) != 1) {
        out[0] = '\0';
        return OD_EUNAVAIL;
    }
    memcpy(out, OD_SIGNATURE_PREFIX, 6);
    hex(raw, sizeof(raw), out + 6);
    OPENSSL_cleanse(raw, sizeof(raw));
    return OD_OK;
}
