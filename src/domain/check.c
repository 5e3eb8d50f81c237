/* check.c: field checks shared by the product and customer validators. */
#include "domain/check.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

#define OD_WORD_MAX 64

void
od_check_bad(od_check *c, const char *field, long idx, const char *sub, const char *detail)
{
    char *ptr;

    if (idx < 0)
        ptr = od_arena_printf(c->a, "%s/%s", c->prefix, field);
    else if (sub == NULL)
        ptr = od_arena_printf(c->a, "%s/%s/%ld", c->prefix, field, idx);
    else
        ptr = od_arena_printf(c->a, "%s/%s/%ld/%s", c->prefix, field, idx, sub);
    od_issues_report(c->issues, ptr ? ptr : c->prefix, detail);
}

bool
od_check_control(const char *s, size_t len, bool allow_newlines)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == 0x7f || (ch < 0x20 && !(allow_newlines && (ch == '\n' || ch == '\r' ||
                                                              ch == '\t'))))
            return true;
    }
    return false;
}

bool
od_check_blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

bool
od_check_in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, list[i]) == 0)
            return true;
    }
    return false;
}

bool
od_check_begin(od_check *c, json_object *item, int ord, const char *const *known, size_t n,
               bool (*read_only)(const char *member), const char *what)
{
    if (item == NULL || !json_object_is_type(item, json_type_object)) {
        od_issues_report(c->issues, c->prefix, od_arena_printf(c->a, "must be an object "
                                                               "(a %s)", what));
        return false;
    }
    c->out = json_object_new_object();
    json_object_object_add(c->out, "ord", json_object_new_int(ord));
    json_object_object_foreach(item, key, value) {
        (void)value;
        if (od_check_in(key, known, n))
            continue;
        od_issues_report(c->issues, od_arena_printf(c->a, "%s/%s", c->prefix,
                                                    od_json_pointer_token(c->a, key)),
                         read_only(key) ? "is set by the server and cannot be sent"
                                        : od_arena_printf(c->a, "is not a field of a %s", what));
    }
    return true;
}

json_object *
od_check_end(od_check *c, unsigned before)
{
    if (c->issues->count != before) {
        json_object_put(c->out);
        return NULL;
    }
    return c->out;
}

void
od_check_text(od_check *c, json_object *item, const char *name, size_t max, unsigned flags)
{
    json_object *v = od_json_member(item, name);
    const char *s;
    size_t len;

    if (v == NULL) {
        if (flags & OD_CHECK_REQUIRED)
            od_check_bad(c, name, -1, NULL, "is required");
        json_object_object_add(c->out, name, NULL);
        return;
    }
    if (!json_object_is_type(v, json_type_string)) {
        od_check_bad(c, name, -1, NULL, "must be a string");
        return;
    }
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (len != strlen(s) || od_check_control(s, len, (flags & OD_CHECK_MULTILINE) != 0)) {
        od_check_bad(c, name, -1, NULL, "must not contain control characters");
        return;
    }
    if (len > max) {
        od_check_bad(c, name, -1, NULL, od_arena_printf(c->a, "must be at most %zu bytes long",
                                                        max));
        return;
    }
    if ((flags & OD_CHECK_NONBLANK) && od_check_blank(s)) {
        od_check_bad(c, name, -1, NULL, "must not be empty");
        return;
    }
    json_object_object_add(c->out, name, json_object_get(v));
}

void
od_check_match(od_check *c, json_object *item, const char *name, bool (*ok)(const char *s),
               const char *detail)
{
    json_object *v = od_json_member(item, name);

    if (v == NULL) {
        json_object_object_add(c->out, name, NULL);
        return;
    }
    if (!ok(od_json_string(v))) {
        od_check_bad(c, name, -1, NULL, detail);
        return;
    }
    json_object_object_add(c->out, name, json_object_get(v));
}

const char *
od_check_code(const char *word, od_arena *a)
{
    size_t n = strlen(word), k = 0;
    char *out = od_arena_alloc(a, n + 1);
    bool gap = false;

    if (out == NULL)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
        unsigned char ch = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p - 'A' + 'a') : *p;

        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (gap && k > 0)
                out[k++] = '_';
            out[k++] = (char)ch;
            gap = false;
        } else {
            gap = true;
        }
    }
    out[k] = '\0';
    return k >= 1 && k <= OD_WORD_MAX ? out : NULL;
}

const char *
od_check_as_code(const void *arg, const char *word, od_arena *a, const char **why)
{
    (void)arg;
    (void)why;
    return od_check_code(word, a);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
od_check_words(od_check *c, json_object *item, const char *name, size_t max, od_check_norm norm)
{
    json_object *v = od_json_member(item, name), *o;
    const char **words;
    size_t n, k = 0;
    bool ok = true;

    if (v == NULL) {
        json_object_object_add(c->out, name, NULL);
        return;
    }
    if (!json_object_is_type(v, json_type_array)) {
        od_check_bad(c, name, -1, NULL, "must be an array of strings");
        return;
    }
    n = json_object_array_length(v);
    if (n > max) {
        od_check_bad(c, name, -1, NULL, od_arena_printf(c->a, "must have at most %zu entries",
                                                        max));
        return;
    }
    words = od_arena_alloc(c->a, sizeof(*words) * (n + 1));
    if (words == NULL) {
        od_check_bad(c, name, -1, NULL, "could not be read");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = od_json_string(json_object_array_get_idx(v, i)), *w, *why = NULL;

        if (s == NULL || od_check_blank(s) || od_check_control(s, strlen(s), false) ||
            strlen(s) > OD_WORD_MAX) {
            od_check_bad(c, name, (long)i, NULL, "must be a non-empty string of at most 64 "
                         "bytes");
            ok = false;
            continue;
        }
        w = norm(c->ctx, s, c->a, &why);
        if (w == NULL) {
            od_check_bad(c, name, (long)i, NULL, why ? why : "must contain letters or digits");
            ok = false;
            continue;
        }
        words[k++] = w;
    }
    if (!ok)
        return;
    qsort(words, k, sizeof(*words), cmp_str);
    o = json_object_new_array();
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || strcmp(words[i], words[i - 1]) != 0)
            json_object_array_add(o, json_object_new_string(words[i]));
    }
    json_object_object_add(c->out, name, o);
}
