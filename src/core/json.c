/* json.c: json-c helpers. */
#include "core/json.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

od_rc
od_json_parse(const char *data, size_t len, json_object **out, size_t *offset,
              const char **why)
{
    json_tokener *tok;
    json_object *o;
    enum json_tokener_error jerr;
    size_t end;

    *out = NULL;
    *offset = 0;
    *why = NULL;
    if (len > (size_t)INT32_MAX) {
        *why = "document too large";
        return OD_EINVAL;
    }
    if (memchr(data, '\0', len) != NULL) {
        *offset = (size_t)((const char *)memchr(data, '\0', len) - data);
        *why = "NUL byte in document";
        return OD_EINVAL;
    }
    tok = json_tokener_new_ex(OD_JSON_MAX_DEPTH);
    if (tok == NULL) {
        *why = "out of memory";
        return OD_ENOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, data, (int)len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* A bare number or literal needs an end marker to be complete; for a
         * document cut short this reports the error at its end. */
        o = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
        if (jerr == json_tokener_continue) {
            *offset = len;
            *why = "unexpected end of document";
            json_tokener_free(tok);
            return OD_EINVAL;
        }
    }
    if (jerr != json_tokener_success) {
        *offset = end;
        *why = json_tokener_error_desc(jerr);
        json_tokener_free(tok);
        json_object_put(o);
        return OD_EINVAL;
    }
    json_tokener_free(tok);
    while (end < len && (data[end] == ' ' || data[end] == '\t' || data[end] == '\n' ||
                         data[end] == '\r'))
        end++;
    if (end != len) {
        *offset = end;
        *why = "unexpected data after the JSON value";
        json_object_put(o);
        return OD_EINVAL;
    }
    *out = o;
    return OD_OK;
}

static void
put_cleanup(void *o)
{
    json_object_put(o);
}

json_object *
od_json_own(od_arena *a, json_object *o)
{
    if (o != NULL && od_arena_on_reset(a, put_cleanup, o) != 0)
        return NULL;  /* already put by the failed registration */
    return o;
}

json_object *
od_json_member(json_object *o, const char *name)
{
    json_object *v = NULL;

    if (o == NULL || !json_object_is_type(o, json_type_object))
        return NULL;
    return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

bool
od_json_number(json_object *v, double *out)
{
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return false;
    *out = json_object_get_double(v);
    return isfinite(*out);
}

const char *
od_json_string(json_object *v)
{
    const char *s;

    if (v == NULL || !json_object_is_type(v, json_type_string))
        return NULL;
    s = json_object_get_string(v);
    return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

const char *
od_json_text(json_object *o, size_t *len)
{
    return json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
                                             JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

char *
od_json_pointer_token(od_arena *a, const char *s)
{
    size_t n = 0;
    char *d, *p;

    for (const char *q = s; *q; q++)
        n += (*q == '~' || *q == '/') ? 2 : 1;
    d = od_arena_alloc(a, n + 1);
    if (d == NULL)
        return NULL;
    p = d;
    for (const char *q = s; *q; q++) {
        if (*q == '~' || *q == '/') {
            *p++ = '~';
            *p++ = *q == '~' ? '0' : '1';
        } else {
            *p++ = *q;
        }
    }
    *p = '\0';
    return d;
}

bool
od_json_same(json_object *a, json_object *b)
{
    json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
    bool na = ta == json_type_int || ta == json_type_double;
    bool nb = tb == json_type_int || tb == json_type_double;

    if (na && nb && (ta == json_type_double || tb == json_type_double))
        return json_object_get_double(a) == json_object_get_double(b);
    if (ta != tb)
        return false;
    if (ta == json_type_object) {
        if (json_object_object_length(a) != json_object_object_length(b))
            return false;
        json_object_object_foreach(a, key, value) {
            json_object *other;

            if (!json_object_object_get_ex(b, key, &other) || !od_json_same(value, other))
                return false;
        }
        return true;
    }
    if (ta == json_type_array) {
        size_t n = json_object_array_length(a);

        if (n != json_object_array_length(b))
            return false;
        for (size_t i = 0; i < n; i++) {
            if (!od_json_same(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
                return false;
        }
        return true;
    }
    return json_object_equal(a, b);  /* null, boolean, string; integers of both kinds */
}

static size_t
skip_space(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The index just past the JSON text's value (a string, an object, an array or a
 * scalar) that starts at s[i]; more than n when it does not end. */
static size_t
skip_value(const char *s, size_t i, size_t n)
{
    int depth = 0;
    size_t start = i;

    if (i < n && s[i] != '"' && s[i] != '{' && s[i] != '[') {
        while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
               s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            i++;
        return i > start ? i : n + 1;
    }
    while (i < n) {
        char c = s[i++];

        if (c == '"') {
            while (i < n && s[i] != '"')
                i += s[i] == '\\' ? 2 : 1;
            if (i++ >= n)
                return n + 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
        if (depth == 0)
            return i;
    }
    return n + 1;
}

bool
od_json_cut_member(od_arena *a, const char *text, size_t len, const char *name,
                   char **rest, const char **value, size_t *value_len)
{
    size_t nlen = strlen(name), i = skip_space(text, 0, len), sep = 0;
    bool first = true;

    if (i >= len || text[i] != '{')
        return false;
    i = skip_space(text, i + 1, len);
    while (i < len && text[i] == '"') {
        size_t key = i, start, end, from, to;
        bool match;

        if ((i = skip_value(text, key, len)) > len)
            return false;
        match = i - key - 2 == nlen && memcmp(text + key + 1, name, nlen) == 0;
        i = skip_space(text, i, len);
        if (i >= len || text[i] != ':')
            return false;
        start = skip_space(text, i + 1, len);
        if ((end = skip_value(text, start, len)) > len)
            return false;
        i = skip_space(text, end, len);
        if (i >= len || (text[i] != ',' && text[i] != '}'))
            return false;
        if (match) {
            /* The member and one comma: the one before it, or after a first one. */
            from = first ? key : sep;
            to = first && text[i] == ',' ? i + 1 : end;
            if ((*rest = od_arena_alloc(a, len - (to - from) + 1)) == NULL)
                return false;
            memcpy(*rest, text, from);
            memcpy(*rest + from, text + to, len - to);
            (*rest)[len - (to - from)] = '\0';
            *value = text + start;
            *value_len = end - start;
            return true;
        }
        if (text[i] == '}')
            return false;
        sep = i;
        first = false;
        i = skip_space(text, i + 1, len);
    }
    return false;
}

char *
od_json_add_raw(od_arena *a, const char *object_text, const char *name,
                const char *value_text)
{
    size_t n = strlen(object_text);

    while (n > 0 && object_text[n - 1] != '}')
        n--;  /* the closing brace, after any trailing space */
    if (n == 0)
        return NULL;
    /* An empty object gets no comma: only a brace and space before the closing one. */
    for (size_t i = 0; i + 1 < n; i++) {
        if (object_text[i] != '{' && object_text[i] != ' ' && object_text[i] != '\n' &&
            object_text[i] != '\t' && object_text[i] != '\r')
            return od_arena_printf(a, "%.*s,\"%s\":%s}", (int)(n - 1), object_text, name,
                                   value_text);
    }
    return od_arena_printf(a, "{\"%s\":%s}", name, value_text);
}

void
od_json_merge_patch(json_object *target, json_object *patch)
{
    json_object_object_foreach(patch, key, value) {
        json_object *cur = NULL;

        if (value == NULL) {
            json_object_object_del(target, key);
        } else if (json_object_is_type(value, json_type_object) &&
                   json_object_object_get_ex(target, key, &cur) && cur != NULL &&
                   json_object_is_type(cur, json_type_object)) {
            od_json_merge_patch(cur, value);
        } else if (json_object_is_type(value, json_type_object)) {
            json_object *fresh = json_object_new_object();

            od_json_merge_patch(fresh, value);
            json_object_object_add(target, key, fresh);
        } else {
            json_object_object_add(target, key, json_object_get(value));
        }
    }
}
