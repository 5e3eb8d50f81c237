/* checkkit.h: test helpers shared by test_product and test_customer: an od_issues
 * that keeps the problems of one validation run, JSON from text, documents with one
 * member replaced, problems looked up by pointer, and the usual verdicts (passed,
 * failed once at a pointer). */
#ifndef OD_CHECKKIT_H
#define OD_CHECKKIT_H

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/issues.h"

#define OD_CK_MAX 128

/* The problems of one run, in order (copies in arena). */
typedef struct od_ck {
    od_arena *arena;
    const char *ptr[OD_CK_MAX];
    const char *detail[OD_CK_MAX];
    unsigned n;
    od_issues issues;       /* hand &issues to the validator */
} od_ck;

/* Empties k; problems will be copied into arena. */
void od_ck_start(od_ck *k, od_arena *arena);

/* Parses text (which must be valid). Caller puts the result. */
json_object *od_ck_parse(const char *text);

/* Sets member name of o to the JSON value text (removes it when NULL); returns o. */
json_object *od_ck_with(json_object *o, const char *name, const char *value);

/* The index of the problem at ptr, or -1. */
int od_ck_find(const od_ck *k, const char *ptr);

/* The compact text of out's member name, "null", or "(absent)". */
const char *od_ck_member(json_object *out, const char *name);

/* Asserts that out (a validator's result) exists and nothing was reported. */
void od_ck_passed(const od_ck *k, json_object *out);

/* Asserts that out is NULL and exactly one problem was reported, at ptr, with
 * detail_part in its detail. Puts out. */
void od_ck_failed_once(const od_ck *k, json_object *out, const char *ptr,
                       const char *detail_part);

#endif
