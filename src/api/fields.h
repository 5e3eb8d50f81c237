/* fields.h: reading the members of a JSON request body for the write handlers:
 * each refusal becomes one errors[] entry of a 422 problem, with the member's JSON
 * pointer, so a client learns every bad field at once. */
#ifndef OD_API_FIELDS_H
#define OD_API_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "http/request.h"

/* Adds "is not a field here" to problem for each member of body not named in
 * known[0..n). */
void od_fields_unknown(od_request *r, json_object *body, const char *const *known, size_t n,
                       json_object *problem);

/* True when body has member name (a JSON null counts as present); *v is borrowed. */
bool od_fields_has(json_object *body, const char *name, json_object **v);

/* Reads a string member, trimmed of ASCII white space: absent gives NULL (an error
 * when required); otherwise it must be a string of 1..max_chars characters (UTF-8)
 * after trimming. Returns the trimmed text (arena-owned) or NULL after adding an
 * error. */
const char *od_fields_text(od_request *r, json_object *body, const char *name, size_t max_chars,
                           bool required, json_object *problem);

/* Reads a boolean member: returns -1 when absent, 0 or 1, or -2 after adding an
 * error (not a boolean; null is refused too). */
int od_fields_bool(od_request *r, json_object *body, const char *name, json_object *problem);

/* True when s matches ^[a-z0-9][a-z0-9_]{0,max-1}$ (first_digit: a leading digit
 * is allowed). */
bool od_fields_code(const char *s, size_t max, bool first_digit);

#endif
