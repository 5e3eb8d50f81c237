/* issuekit.h: what the tests of the pure validators share: an od_issues sink that
 * keeps every problem (pointer and detail, copied into the test's arena) and strict
 * parsing of the JSON a test writes. */
#ifndef OD_ISSUEKIT_H
#define OD_ISSUEKIT_H

#include <string.h>

#include <CUnit/CUnit.h>

#include "core/arena.h"
#include "core/json.h"
#include "domain/issues.h"

#define OD_KIT_ISSUES_MAX 128

/* The problems one validation reported, in order. */
typedef struct od_kit_issues {
    od_arena *arena;            /* borrowed: where pointers and details are copied */
    const char *ptr[OD_KIT_ISSUES_MAX];
    const char *detail[OD_KIT_ISSUES_MAX];
    unsigned n;
} od_kit_issues;

/* The add callback of an od_issues whose arg is an od_kit_issues. */
static inline void
od_kit_collect(void *arg, const char *pointer, const char *detail)
{
    od_kit_issues *c = arg;

    if (c->n < OD_KIT_ISSUES_MAX) {
        c->ptr[c->n] = od_arena_strdup(c->arena, pointer);
        c->detail[c->n] = od_arena_strdup(c->arena, detail);
        c->n++;
    }
}

/* Parses text, which the test wrote and must be valid; the caller puts the result. */
static inline json_object *
od_kit_parse(const char *text)
{
    json_object *o = NULL;
    size_t off;
    const char *why;

    CU_ASSERT_EQUAL_FATAL(od_json_parse(text, strlen(text), &o, &off, &why), OD_OK);
    return o;
}

#endif
