/* json.h: json-c helpers: strict parsing that reports the byte offset of an error,
 * arena ownership of json-c objects, and RFC 6901 pointer tokens. */
#ifndef OD_JSON_H
#define OD_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/status.h"

#define OD_JSON_MAX_DEPTH 64

/* Parses exactly one JSON value from data[0..len) (no trailing bytes but
 * whitespace, no NUL bytes, at most OD_JSON_MAX_DEPTH deep). On success returns
 * OD_OK and *out is a new reference the caller puts (or hands to an arena with
 * od_json_own); the document "null" gives OD_OK with *out NULL. On failure returns OD_EINVAL, *offset is the byte offset where
 * parsing stopped and *why a static description. */
od_rc od_json_parse(const char *data, size_t len, json_object **out, size_t *offset,
                    const char **why);

/* Hands o to the arena, which puts it at reset. Returns o (borrowed from now on). */
json_object *od_json_own(od_arena *a, json_object *o);

/* Returns the value of member name of o (borrowed), or NULL when o is not an
 * object, the member is absent, or it is JSON null. */
json_object *od_json_member(json_object *o, const char *name);

/* True when v is a finite JSON number; writes it to *out. */
bool od_json_number(json_object *v, double *out);

/* Returns the string in v, borrowed from v, when v is a JSON string without NUL
 * bytes (a "\u0000" escape, which C and PostgreSQL text cannot carry); else NULL. */
const char *od_json_string(json_object *v);

/* Returns the compact text of o, owned by o (valid while o lives). */
const char *od_json_text(json_object *o, size_t *len);

/* True when a and b hold the same value: numbers compare as numbers (1200 equals
 * 1200.0: a number written as a double may come back from the database as an
 * integer), objects whatever their keys' order, arrays element by element. NULL is
 * JSON null. */
bool od_json_same(json_object *a, json_object *b);

/* Finds the member name (a key written without escapes) at the top level of the
 * JSON object text[0..len) without parsing it: *value and *value_len are its value's
 * text (borrowed from text), *rest the object's text without the member
 * (arena-owned). False when it has no such member, or is not an object as far as a
 * scan can tell (balanced brackets, terminated strings). The scan does not
 * validate: text must be JSON (a database's output, say). */
bool od_json_cut_member(od_arena *a, const char *text, size_t len, const char *name,
                        char **rest, const char **value, size_t *value_len);

/* object_text (a JSON object's text, without a member name) with the member name
 * (a key that needs no escape) set to value_text (JSON text), appended;
 * arena-owned. NULL when out of memory. */
char *od_json_add_raw(od_arena *a, const char *object_text, const char *name,
                      const char *value_text);

/* Applies the RFC 7396 merge patch patch to the object target (both borrowed;
 * target is changed): a null member removes, an object member merges, anything
 * else replaces. */
void od_json_merge_patch(json_object *target, json_object *patch);

/* Returns an arena-owned RFC 6901 reference token of s ("~" -> "~0", "/" -> "~1"). */
char *od_json_pointer_token(od_arena *a, const char *s);

#endif
