/* base64.c: base64url encoding and decoding. */
#include "core/base64.h"

static int
sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

unsigned char *
od_b64url_decode(od_arena *a, const char *in, size_t len, size_t *outlen)
{
    unsigned char *out, *p;
    unsigned long acc = 0;
    int bits = 0;

    if (len % 4 == 1)
        return NULL;
    out = od_arena_alloc(a, len * 3 / 4 + 1);
    if (out == NULL)
        return NULL;
    p = out;
    for (size_t i = 0; i < len; i++) {
        int v = sextet((unsigned char)in[i]);

        if (v < 0)
            return NULL;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *p++ = (unsigned char)(acc >> bits);
            acc &= (1UL << bits) - 1;
        }
    }
    if (acc != 0)
        return NULL;  /* non-canonical: leftover bits must be zero */
    *p = '\0';
    *outlen = (size_t)(p - out);
    return out;
}

char *
od_b64url_encode(od_arena *a, const unsigned char *in, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = od_arena_alloc(a, (len + 2) / 3 * 4 + 1), *p;
    unsigned long acc = 0;
    int bits = 0;

    if (out == NULL)
        return NULL;
    p = out;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *p++ = alphabet[(acc >> bits) & 0x3f];
        }
        acc &= (1UL << bits) - 1;
    }
    if (bits > 0)
        *p++ = alphabet[(acc << (6 - bits)) & 0x3f];
    *p = '\0';
    return out;
}
