/* query.c: query-string parameters. */
#include "http/query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) ('+' is a space, %XX a byte). Returns NULL on a bad escape. */
static char *
decode(od_arena *a, const char *s, size_t n)
{
    char *out = od_arena_alloc(a, n + 1), *p = out;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *p++ = ' ';
        } else if (s[i] == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;  /* a cut-off or non-hex escape, or a NUL byte */
            *p++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *p++ = s[i];
        }
    }
    *p = '\0';
    return out;
}

const char *
od_query_get(od_arena *a, const char *query, const char *name, bool *bad)
{
    size_t nlen = strlen(name);
    const char *p = query;

    *bad = false;
    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len >= nlen && strncmp(p, name, nlen) == 0 && (len == nlen || p[nlen] == '=')) {
            const char *v;

            if (len == nlen)
                return "";
            v = decode(a, p + nlen + 1, len - nlen - 1);
            if (v == NULL)
                *bad = true;
            return v;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

bool
od_query_limit(const char *value, int *limit)
{
    char *end;
    long v;

    *limit = OD_LIMIT_DEFAULT;
    if (value == NULL || *value == '\0')
        return true;
    errno = 0;
    v = strtol(value, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || value[0] == '+' || value[0] == ' ')
        return errno == ERANGE && v > 0 && *end == '\0' ? (*limit = OD_LIMIT_MAX, true) : false;
    if (v > 0)
        *limit = v > OD_LIMIT_MAX ? OD_LIMIT_MAX : (int)v;
    return true;
}
