/* router.c: method + path-template routing. */
#include "http/router.h"

#include <stdbool.h>
#include <string.h>

/* Matches path against pattern, segment by segment. Fills m's parameters when
 * m is not NULL. Returns true on a match. */
static bool
path_matches(const char *pattern, const char *path, od_arena *a, od_route_match *m)
{
    const char *p = pattern, *s = path;
    size_t np = 0;

    while (*p != '\0' && *s != '\0') {
        const char *pe, *se;

        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        pe = strchr(p, '/');
        if (pe == NULL)
            pe = p + strlen(p);
        se = strchr(s, '/');
        if (se == NULL)
            se = s + strlen(s);
        if (*p == ':') {
            if (se == s || np == OD_ROUTE_MAX_PARAMS)
                return false;  /* a parameter never matches an empty segment */
            if (m != NULL) {
                m->names[np] = p + 1;
                m->name_lens[np] = (size_t)(pe - p - 1);
                m->values[np] = od_arena_strndup(a, s, (size_t)(se - s));
                if (m->values[np] == NULL)
                    return false;
            }
            np++;
        } else if (pe - p != se - s || memcmp(p, s, (size_t)(pe - p)) != 0) {
            return false;
        }
        p = pe;
        s = se;
    }
    if (*p != '\0' || *s != '\0')
        return false;
    if (m != NULL)
        m->nparams = np;
    return true;
}

/* Appends ", method" (or "method" first) to allow when it fits. */
static void
append_method(char *allow, size_t allowlen, size_t *used, const char *method)
{
    size_t mlen = strlen(method);

    if (allowlen == 0 || *used + mlen + 3 >= allowlen)
        return;
    if (*used > 0) {
        memcpy(allow + *used, ", ", 2);
        *used += 2;
    }
    memcpy(allow + *used, method, mlen);
    *used += mlen;
    allow[*used] = '\0';
}

od_route_status
od_router_match(const od_route *routes, size_t n, const char *method, const char *path,
                od_arena *a, od_route_match *m, char *allow, size_t allowlen)
{
    bool path_known = false;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    size_t used = 0;

    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < n; i++) {
        if (strcmp(routes[i].method, want) == 0 && path_matches(routes[i].pattern, path, a, m)) {
            m->route = &routes[i];
            return OD_ROUTE_FOUND;
        }
    }
    if (allowlen > 0)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!path_matches(routes[i].pattern, path, a, NULL))
            continue;
        path_known = true;
        append_method(allow, allowlen, &used, routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0)
            append_method(allow, allowlen, &used, "HEAD");  /* served by GET */
    }
    return path_known ? OD_ROUTE_METHOD_NOT_ALLOWED : OD_ROUTE_NOT_FOUND;
}

const char *
od_route_param(const od_route_match *m, const char *name)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < m->nparams; i++) {
        if (m->name_lens[i] == len && memcmp(m->names[i], name, len) == 0)
            return m->values[i];
    }
    return NULL;
}
