/* filters.c: reading and checking the query parameters of lists. */
#include "api/filters.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "http/query.h"

#define OD_Q_MAX     500   /* bytes of a search text */
#define OD_WORDS_MAX 100   /* words of a comma list */

bool
od_filters_known(od_request *r, const char *const *names, size_t n)
{
    bool seen[32] = { false };
    const char *p = r->query;

    while (p != NULL && *p != '\0') {
        size_t len = strcspn(p, "=&"), i = 0;

        while (len > 0 && i < n && !(strlen(names[i]) == len && strncmp(p, names[i], len) == 0))
            i++;
        if (len > 0 && i == n) {
            od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "unknown query parameter "
                            "\"%.*s\"", (int)(len > 64 ? 64 : len), p));
            return false;
        }
        if (len > 0 && i < sizeof(seen) && seen[i]) {
            od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "query parameter \"%s\" "
                            "is given twice: send one comma list", names[i]));
            return false;
        }
        if (len > 0 && i < sizeof(seen))
            seen[i] = true;
        p = strchr(p, '&');
        if (p != NULL)
            p++;
    }
    return true;
}

bool
od_filters_get(od_request *r, const char *name, const char **out)
{
    bool bad = false;

    *out = od_query_get(r->arena, r->query, name, &bad);
    if (bad) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "the value of %s is not "
                        "correctly percent-encoded", name));
        return false;
    }
    if (*out != NULL && **out == '\0')
        *out = NULL;
    return true;
}

bool
od_filters_flag(od_request *r, const char *name, bool *out)
{
    const char *v;

    *out = false;
    if (!od_filters_get(r, name, &v))
        return false;
    if (v != NULL && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s must be true or false",
                                                      name));
        return false;
    }
    *out = v != NULL && strcmp(v, "true") == 0;
    return true;
}

/* RFC 3339 date-time: 2026-01-31T12:00:00(.frac)?(Z|+hh:mm). */
static bool
rfc3339(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t i = 0;

    for (; shape[i]; i++) {
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9')
                            : (shape[i] == 'T' ? (s[i] != 'T' && s[i] != 't') : s[i] != shape[i]))
            return false;
    }
    if (s[i] == '.') {
        size_t k = ++i;

        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == k || i - k > 6)
            return false;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
        return true;
    return (s[i] == '+' || s[i] == '-') && s[i + 1] >= '0' && s[i + 1] <= '9' &&
           s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] == ':' && s[i + 4] >= '0' &&
           s[i + 4] <= '9' && s[i + 5] >= '0' && s[i + 5] <= '9' && s[i + 6] == '\0';
}

bool
od_filters_time(od_request *r, const char *name, const char **out)
{
    if (!od_filters_get(r, name, out))
        return false;
    if (*out != NULL && !rfc3339(*out)) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s must be an RFC 3339 "
                        "date-time, such as 2026-01-31T12:00:00Z", name));
        return false;
    }
    return true;
}

static bool
alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
od_filters_search(od_request *r, const char **raw, const char **q, const char **word)
{
    bool prefix;

    *q = *word = NULL;
    if (!od_filters_get(r, "q", raw) || !od_filters_flag(r, "prefix", &prefix))
        return false;
    if (*raw != NULL && strlen(*raw) > OD_Q_MAX) {
        od_resp_problem(r, 400, NULL, "q is longer than 500 bytes");
        return false;
    }
    *q = *raw;
    if (prefix && *raw != NULL) {
        /* Type-ahead: the last word, when it is plain letters and digits, also
         * matches as a prefix ("choc" finds "chocolate"). */
        size_t end = strlen(*raw), start = end;

        while (start > 0 && alnum((*raw)[start - 1]))
            start--;
        if (end > start && (start == 0 || (*raw)[start - 1] == ' ')) {
            *word = od_arena_strndup(r->arena, *raw + start, end - start);
            *q = od_arena_strndup(r->arena, *raw, start);
        }
    }
    return true;
}

static int
cmp_words(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *
od_filters_words(od_request *r, const char *name, const char *list, od_filters_norm norm,
                 const void *arg, const char *what)
{
    char *copy = od_arena_strdup(r->arena, list), *save = NULL;
    const char **words;
    size_t n = 0, cap = 1;
    od_buf b;
    char *out;

    for (const char *c = list; *c; c++)
        cap += *c == ',';
    words = od_arena_alloc(r->arena, sizeof(*words) * cap);
    if (copy == NULL || words == NULL || cap > OD_WORDS_MAX) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s takes at most 100 words",
                                                      name));
        return NULL;
    }
    for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
        const char *code = norm(arg, w, r->arena);

        if (code == NULL) {
            od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s: \"%.64s\" is not %s",
                            name, w, what));
            return NULL;
        }
        words[n++] = code;
    }
    if (n == 0) {
        od_resp_problem(r, 400, NULL, od_arena_printf(r->arena, "%s needs at least one word",
                                                      name));
        return NULL;
    }
    /* Codes are [a-z0-9_] only, so quotes need no escaping inside them; quoted,
     * a code such as "null" is a string, not a NULL element. Sorted, so the
     * cursor binding does not depend on the order the client wrote them in. */
    qsort(words, n, sizeof(*words), cmp_words);
    od_buf_init(&b, 8192);
    od_buf_puts(&b, "{");
    for (size_t i = 0; i < n; i++)
        od_buf_printf(&b, "%s\"%s\"", i ? "," : "", words[i]);
    od_buf_puts(&b, "}");
    out = b.failed == OD_OK ? od_arena_strndup(r->arena, b.data, b.len) : NULL;
    od_buf_free(&b);
    return out;
}
