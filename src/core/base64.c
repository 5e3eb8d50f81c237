/* base64.c: base64url decoding. */
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
