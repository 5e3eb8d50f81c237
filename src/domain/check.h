/* check.h: what the validators of API documents share (pure): each problem is
 * reported once with the JSON pointer of its field, strings are checked for
 * control characters and NUL escapes, unknown members are named, and word lists
 * are normalised, de-duplicated and sorted. */
#ifndef OD_CHECK_H
#define OD_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "domain/issues.h"

/* One object being validated. */
typedef struct od_check {
    const char *prefix;         /* JSON pointer of the object: "#/items/3", or "#" */
    od_arena *a;                /* where pointers, details and normalised words live */
    od_issues *issues;          /* borrowed: where problems go */
    const void *ctx;            /* the validator's own data (a vocabulary), or NULL */
    json_object *out;           /* the normalised object being built */
} od_check;

/* Reports detail for the member field of the object (idx >= 0: its element idx;
 * sub: a member of that element, an escaped pointer token). */
void od_check_bad(od_check *c, const char *field, long idx, const char *sub,
                  const char *detail);

/* True when s[0..len) holds a control character (tab, CR and LF allowed with
 * allow_newlines). */
bool od_check_control(const char *s, size_t len, bool allow_newlines);

/* True when s is empty or only spaces, tabs and line breaks. */
bool od_check_blank(const char *s);

/* True when name is one of list[0..n). */
bool od_check_in(const char *name, const char *const *list, size_t n);

/* Starts checking item as one what ("product") at input position ord: a value
 * that is not an object is reported (false); otherwise c->out becomes {"ord": ord}
 * and every member not in known[0..n) is reported: "is set by the server and
 * cannot be sent" when read_only(name) says so, else "is not a field of a
 * <what>". */
bool od_check_begin(od_check *c, json_object *item, int ord, const char *const *known,
                    size_t n, bool (*read_only)(const char *member), const char *what);

/* Ends the check begun when c->issues->count was before: returns c->out (a new
 * reference for the caller) when nothing was reported since, else puts it and
 * returns NULL. */
json_object *od_check_end(od_check *c, unsigned before);

/* Flags of od_check_text. */
#define OD_CHECK_REQUIRED  1u   /* absent or null is an error */
#define OD_CHECK_NONBLANK  2u   /* must hold more than white space */
#define OD_CHECK_MULTILINE 4u   /* tabs and line breaks allowed */

/* A text member of at most max bytes, copied to c->out as sent (null when
 * absent). */
void od_check_text(od_check *c, json_object *item, const char *name, size_t max,
                   unsigned flags);

/* An optional string member that ok(text) accepts (ok gets NULL for a value that
 * is not a plain string), copied to c->out as sent (null when absent); detail is
 * reported when ok refuses it. */
void od_check_match(od_check *c, json_object *item, const char *name,
                    bool (*ok)(const char *s), const char *detail);

/* word as a code: lower case, every run of other characters one '_' ("Low
 * Sodium" -> "low_sodium"). Returns arena-owned text, or NULL when the code would
 * be empty or longer than 64 bytes. */
const char *od_check_code(const char *word, od_arena *a);

/* Normalises one word of a list: returns the stored form (arena-owned or
 * borrowed from arg), or NULL with *why set (arena-owned or static; NULL for
 * "must contain letters or digits"). */
typedef const char *(*od_check_norm)(const void *arg, const char *word, od_arena *a,
                                     const char **why);

/* The od_check_norm of words that become codes (od_check_code). */
const char *od_check_as_code(const void *arg, const char *word, od_arena *a, const char **why);

/* A list member of at most max non-empty strings of at most 64 bytes, each
 * normalised by norm(c->ctx, ...); c->out gets the sorted list without repeats
 * (null when absent). */
void od_check_words(od_check *c, json_object *item, const char *name, size_t max,
                    od_check_norm norm);

#endif
