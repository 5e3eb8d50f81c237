/* filters.h: the query parameters of list endpoints: only known ones, each at most
 * once; values percent-decoded; true/false flags; RFC 3339 date-times; the text
 * search with its type-ahead prefix; comma lists of words as array literals. Each
 * refusal answers 400, because a filter silently ignored returns the wrong rows. */
#ifndef OD_API_FILTERS_H
#define OD_API_FILTERS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/* Refuses a parameter not named in names[0..n), or one given twice. */
bool od_filters_known(od_request *r, const char *const *names, size_t n);

/* Reads parameter name into *out (arena-owned; NULL when absent or empty). */
bool od_filters_get(od_request *r, const char *name, const char **out);

/* Reads parameter name as true or false into *out (false when absent). */
bool od_filters_flag(od_request *r, const char *name, bool *out);

/* Reads parameter name as an RFC 3339 date-time (2026-01-31T12:00:00Z) into *out
 * (NULL when absent). The database still refuses an impossible one (SQLSTATE 22). */
bool od_filters_time(od_request *r, const char *name, const char **out);

/* Reads q (websearch_to_tsquery syntax, at most 500 bytes) into *raw and, with
 * prefix=true, splits its last word when it is letters and digits: *word is that
 * word, matched as a prefix, and *q the rest; otherwise *q is *raw and *word NULL. */
bool od_filters_search(od_request *r, const char **raw, const char **q, const char **word);

/* Normalises one word of a filter; NULL when it is not acceptable. */
typedef const char *(*od_filters_norm)(const void *arg, const char *word, od_arena *a);

/* Reads the comma list list of parameter name as a sorted PostgreSQL array literal
 * of the words norm(arg, ...) gives (codes: [a-z0-9_] only). A word norm refuses
 * is 400 saying it is not what ("a known allergen"). Returns NULL after
 * answering. */
const char *od_filters_words(od_request *r, const char *name, const char *list,
                             od_filters_norm norm, const void *arg, const char *what);

#endif
