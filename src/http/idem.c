/* idem.c: Idempotency-Key parsing and request fingerprints. */
#include "http/idem.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

bool
od_idem_key_parse(const char *value, char out[OD_IDEM_KEY_MAX + 1])
{
    size_t n = 0;

    if (value == NULL || *value == '\0')
        return false;
    if (*value != '"') {
        for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
            if (*p < 0x21 || *p > 0x7e || *p == '"' || n == OD_IDEM_KEY_MAX)
                return false;
            out[n++] = (char)*p;
        }
        out[n] = '\0';
        return true;
    }
    for (const unsigned char *p = (const unsigned char *)value + 1;; p++) {
        if (*p == '"') {
            out[n] = '\0';
            return p[1] == '\0' && n > 0;
        }
        if (*p == '\\') {
            p++;
            if (*p != '"' && *p != '\\')
                return false;
        }
        if (*p < 0x20 || *p > 0x7e || n == OD_IDEM_KEY_MAX)
            return false;
        out[n++] = (char)*p;
    }
}

static bool
part(EVP_MD_CTX *c, const char *s, size_t len)
{
    unsigned char n[8];

    for (int i = 0; i < 8; i++)
        n[i] = (unsigned char)((uint64_t)len >> (8 * (7 - i)));
    return EVP_DigestUpdate(c, n, sizeof(n)) == 1 && EVP_DigestUpdate(c, s, len) == 1;
}

/* SHA-256 over the length-prefixed parts into md[32]. Returns false when OpenSSL
 * failed (out of memory). */
static bool
digest(const char *const *parts, const size_t *lens, int n, unsigned char md[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int mdlen = 32;
    bool ok;

    memset(md, 0, 32);
    if (c == NULL)
        return false;
    ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1;
    for (int i = 0; ok && i < n; i++)
        ok = part(c, parts[i], lens[i]);
    ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

bool
od_idem_fingerprint(const char *method, const char *path, const char *query,
                    const char *body, size_t body_len, char hex[65])
{
    const char *parts[] = { method, path, query ? query : "", body ? body : "" };
    size_t lens[] = { strlen(method), strlen(path), query ? strlen(query) : 0,
                      body ? body_len : 0 };
    unsigned char md[32];

    if (!digest(parts, lens, 4, md))
        return false;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return true;
}

int64_t
od_idem_lock_id(const char *vendor_id, const char *key)
{
    const char *parts[] = { vendor_id, key };
    size_t lens[] = { strlen(vendor_id), strlen(key) };
    unsigned char md[32];
    uint64_t v = 0;

    (void)digest(parts, lens, 2, md);  /* zeros on failure: a spurious 409 at worst */
    for (int i = 0; i < 8; i++)
        v = (v << 8) | md[i];
    return (int64_t)v;
}
