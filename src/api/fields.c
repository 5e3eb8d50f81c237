/* fields.c: request body members with pointered errors. */
#include "api/fields.h"

#include <string.h>

#include "core/json.h"
#include "http/problem.h"

void
od_fields_unknown(od_request *r, json_object *body, const char *const *known, size_t n,
                  json_object *problem)
{
    json_object_object_foreach(body, key, value) {
        bool ok = false;

        (void)value;
        for (size_t i = 0; i < n && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok)
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s",
                                                          od_json_pointer_token(r->arena, key)),
                                 "is not a field here");
    }
}

bool
od_fields_has(json_object *body, const char *name, json_object **v)
{
    return json_object_object_get_ex(body, name, v);
}

static size_t
utf8_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const char *
od_fields_text(od_request *r, json_object *body, const char *name, size_t max_chars,
               bool required, json_object *problem)
{
    json_object *v;
    const char *s, *end;

    if (!json_object_object_get_ex(body, name, &v)) {
        if (required)
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", name), "is required");
        return NULL;
    }
    if (v != NULL && json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        end = s + json_object_get_string_len(v);
        while (s < end && is_space(*s))
            s++;
        while (end > s && is_space(end[-1]))
            end--;
        if (end > s && utf8_chars(s, (size_t)(end - s)) <= max_chars)
            return od_arena_strndup(r->arena, s, (size_t)(end - s));
    }
    od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", name),
                         od_arena_printf(r->arena, "must be a string of 1 to %zu characters",
                                         max_chars));
    return NULL;
}

int
od_fields_bool(od_request *r, json_object *body, const char *name, json_object *problem)
{
    json_object *v;

    if (!json_object_object_get_ex(body, name, &v))
        return -1;
    if (v != NULL && json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v) ? 1 : 0;
    od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", name),
                         "must be true or false");
    return -2;
}

bool
od_fields_code(const char *s, size_t max, bool first_digit)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (first_digit && s[0] >= '0' && s[0] <= '9')))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}
