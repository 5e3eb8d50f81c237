/* checkkit.c: validator test helpers. */
#include "checkkit.h"

#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "unit.h"

static void
collect(void *arg, const char *pointer, const char *detail)
{
    od_ck *k = arg;

    if (k->n < OD_CK_MAX) {
        k->ptr[k->n] = od_arena_strdup(k->arena, pointer);
        k->detail[k->n] = od_arena_strdup(k->arena, detail);
        k->n++;
    }
}

void
od_ck_start(od_ck *k, od_arena *arena)
{
    memset(k, 0, sizeof(*k));
    k->arena = arena;
    k->issues = (od_issues){ collect, k, 0 };
}

json_object *
od_ck_parse(const char *text)
{
    json_object *o = NULL;
    size_t off;
    const char *why;

    CU_ASSERT_EQUAL_FATAL(od_json_parse(text, strlen(text), &o, &off, &why), OD_OK);
    return o;
}

json_object *
od_ck_with(json_object *o, const char *name, const char *value)
{
    json_object_object_del(o, name);
    if (value != NULL)
        json_object_object_add(o, name, od_ck_parse(value));
    return o;
}

int
od_ck_find(const od_ck *k, const char *ptr)
{
    for (unsigned i = 0; i < k->n; i++) {
        if (strcmp(k->ptr[i], ptr) == 0)
            return (int)i;
    }
    return -1;
}

const char *
od_ck_member(json_object *out, const char *name)
{
    json_object *v;

    if (out == NULL || !json_object_object_get_ex(out, name, &v))
        return "(absent)";
    return v == NULL ? "null" : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

void
od_ck_passed(const od_ck *k, json_object *out)
{
    CU_ASSERT_PTR_NOT_NULL(out);
    CU_ASSERT_EQUAL(k->n, 0);
    for (unsigned i = 0; i < k->n; i++)
        printf("\n    unexpected %s: %s", k->ptr[i], k->detail[i]);
}

void
od_ck_failed_once(const od_ck *k, json_object *out, const char *ptr, const char *detail_part)
{
    int i = od_ck_find(k, ptr);

    CU_ASSERT_PTR_NULL(out);
    json_object_put(out);
    CU_ASSERT_EQUAL(k->n, 1);
    CU_ASSERT(i >= 0);
    if (i < 0 || k->n != 1) {
        for (unsigned j = 0; j < k->n; j++)
            printf("\n    want %s, got %s: %s", ptr, k->ptr[j], k->detail[j]);
        if (i < 0)
            return;
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(k->detail[i], detail_part));
    if (strstr(k->detail[i], detail_part) == NULL)
        printf("\n    %s: \"%s\" lacks \"%s\"", ptr, k->detail[i], detail_part);
}
