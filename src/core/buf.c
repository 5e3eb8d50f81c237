/* buf.c: growable byte buffer with a hard cap. */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
od_buf_init(od_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
    b->failed = OD_OK;
}

static void
release(od_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void
od_buf_free(od_buf *b)
{
    release(b);
    b->failed = OD_OK;
}

/* Frees b and makes rc its sticky failure. */
static od_rc
fail(od_buf *b, od_rc rc)
{
    release(b);
    b->failed = rc;
    return rc;
}

od_rc
od_buf_append(od_buf *b, const void *p, size_t n)
{
    if (b->failed != OD_OK)
        return b->failed;
    if (n > b->cap || b->len > b->cap - n)
        return fail(b, OD_ETOOBIG);
    if (b->len + n + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 256;
        char *d;

        while (want < b->len + n + 1)
            want *= 2;
        if (want > b->cap + 1)
            want = b->cap + 1;
        d = realloc(b->data, want);
        if (d == NULL)
            return fail(b, OD_ENOMEM);
        b->data = d;
        b->alloc = want;
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return OD_OK;
}

od_rc
od_buf_puts(od_buf *b, const char *s)
{
    return od_buf_append(b, s, strlen(s));
}

od_rc
od_buf_printf(od_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;
    od_rc rc;
    char *big;

    if (b->failed != OD_OK)
        return b->failed;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return fail(b, OD_EINVAL);
    if ((size_t)n < sizeof(small))
        return od_buf_append(b, small, (size_t)n);
    if ((size_t)n > b->cap)
        return fail(b, OD_ETOOBIG);
    big = malloc((size_t)n + 1);
    if (big == NULL)
        return fail(b, OD_ENOMEM);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc = od_buf_append(b, big, (size_t)n);
    free(big);
    return rc;
}

od_rc
od_buf_json_escape(od_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;
    od_rc rc;

    for (; *p != '\0'; p++) {
        char esc[7];
        size_t elen = 2;

        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        rc = od_buf_append(b, run, (size_t)(p - run));
        if (rc != OD_OK)
            return rc;
        esc[0] = '\\';
        switch (*p) {
        case '"':  esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[*p >> 4]; esc[5] = hex[*p & 0xf];
            elen = 6;
        }
        rc = od_buf_append(b, esc, elen);
        if (rc != OD_OK)
            return rc;
        run = p + 1;
    }
    return od_buf_append(b, run, (size_t)(p - run));
}

const char *
od_buf_str(const od_buf *b)
{
    return b->data ? b->data : "";
}
