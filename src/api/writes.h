/* writes.h: what the write handlers of products and customers share: a 422
 * problem that the validators fill through od_issues (at most 500 errors shown),
 * the batch envelope {"items": [...]} (413 above the limit), external ids used
 * twice in a batch, the per-item answer, and the checks before a PUT or PATCH
 * (If-Match, members that cannot change). */
#ifndef OD_API_WRITES_H
#define OD_API_WRITES_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "domain/issues.h"
#include "http/request.h"

/* A 422 problem being filled. */
typedef struct od_writes {
    od_request *r;          /* borrowed */
    json_object *problem;   /* arena-owned */
    od_issues issues;       /* hand &issues to the validators; reports go to problem */
} od_writes;

/* Prepares w for r with a 422 problem saying detail. w must not move afterwards
 * (issues points at it). */
void od_writes_begin(od_writes *w, od_request *r, const char *detail);

/* Reports one problem (pointer and detail are copied). */
void od_writes_issue(od_writes *w, const char *pointer, const char *detail);

/* Sends the 422 problem, with errors_total when not every error is listed. */
void od_writes_fail(od_writes *w);

/* Reads the body of a batch, {"items": [...]}, of at most max items, each a noun
 * ("product"). Other members and an empty list are reported to w; a missing list
 * sends the 422 at once; more than max items answers 413. Returns the items
 * (arena-owned), or NULL after answering (400, 413, 415, 422). */
json_object *od_writes_batch(od_writes *w, size_t max, const char *noun);

/* Reports the later uses of an external_id that normalised items (each with its
 * "ord") repeat; noun names one item ("product"). */
void od_writes_repeats(od_writes *w, json_object *normalised, const char *noun);

/* Answers 200 {"items": [{"external_id", "id", "status"}, ...] tail}: items is the
 * batch as sent (borrowed), res holds one row per item in input order, the id in
 * column id_col and the status (created, updated, unchanged) in status_col; tail
 * adds members (",\"catalog_version\":3") or is "". Counts the rows written. */
void od_writes_answer(od_request *r, json_object *items, PGresult *res, int id_col,
                      int status_col, const char *tail);

/* Before a PUT or PATCH of one what ("product"): checks If-Match against etag
 * (412), then returns the stored document doc parsed (arena-owned), or NULL after
 * answering (412, 500). */
json_object *od_writes_current(od_request *r, const char *doc, const char *etag,
                               const char *what);

/* Reports members of body (a PUT or PATCH) that cannot change: those read_only
 * names, and an external_id other than current's (the id derives from it). */
void od_writes_fixed(od_writes *w, json_object *body, json_object *current,
                     bool (*read_only)(const char *member), const char *what);

#endif
