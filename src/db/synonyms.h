/* synonyms.h: the normalisation dictionaries synonyms_header (CSV header -> field,
 * per mode) and synonyms_value (value -> canonical, per domain) under RLS: global
 * rows (vendor_id NULL) and one vendor's own; vendor_id NULL below means "outside
 * any vendor" (a platform admin on global rows). Words are stored lower-cased and
 * trimmed; the normalisation happens in SQL (lower() knows Unicode). */
#ifndef OD_DB_SYNONYMS_H
#define OD_DB_SYNONYMS_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

typedef enum od_syn_set {
    OD_SYN_HEADER,  /* synonyms_header; group = mode */
    OD_SYN_VALUE    /* synonyms_value; group = domain */
} od_syn_set;

/* Parses the path segment ("header", "value"). */
bool od_synonyms_set(const char *name, od_syn_set *out);

/* Returns the table name (static). */
const char *od_synonyms_table(od_syn_set s);

typedef struct od_syn_filter {
    const char *group;            /* mode or domain, or NULL */
    const char *scope;            /* "global" / "vendor", or NULL */
    const char *after_canonical;  /* keyset position (canonical, id) */
    const char *after_id;
    int limit;
} od_syn_filter;

/* Lists the visible rows ordered by (canonical, id): column 0 JSON text, 1 the
 * canonical, 2 the id. */
od_rc od_synonyms_list(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                       const od_syn_filter *f, PGresult **res);

/* Returns the visible row: column 0 JSON text (0 rows: not visible). */
od_rc od_synonyms_get(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                      const char *id, PGresult **res);

/* Locks the writable row FOR UPDATE: column 0 JSON text, 1 the group, 2 the
 * canonical, 3 the synonyms as a JSON array text (0 rows: none). */
od_rc od_synonyms_lock(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                       const char *id, PGresult **res);

/* Normalises words_json (a JSON array of strings): one row per word in order with
 * column 0 the normalised word, 1 "t" when it is empty, 2 "t" when it repeats an
 * earlier word, 3 "t" when it equals canonical. */
od_rc od_synonyms_normalize(od_db *db, od_arena *a, const char *words_json,
                            const char *canonical, PGresult **res);

/* Takes the dictionary lock of (set, scope, group) until the transaction ends, then
 * looks for a word of words_json (normalised) or canonical that another row (not
 * self_id) of that scope and group already maps: *word and *other (arena-owned) are
 * set to the first such word and that row's canonical, else NULL. */
od_rc od_synonyms_conflict(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                           const char *group, const char *self_id, const char *canonical,
                           const char *words_json, const char **word, const char **other,
                           PGresult **res);

/* Sets *ok when code is an active tax_allergens code visible in vendor_id. */
od_rc od_synonyms_allergen_ok(od_db *db, od_arena *a, const char *vendor_id, const char *code,
                              bool *ok, PGresult **res);

/* Inserts a row of vendor_id (NULL: global). words_json may be NULL ([]); for the
 * header set ops_json (NULL: []) and confidence (NULL: 1.0) apply. Returns the row
 * JSON in column 0 and its id in column 1; OD_EDB 23505 on a duplicate canonical. */
od_rc od_synonyms_insert(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                         const char *group, const char *canonical, const char *words_json,
                         const char *ops_json, const char *confidence, PGresult **res);

/* Updates the writable row; NULL arguments keep the value. Returns the row JSON in
 * column 0 (0 rows: none). */
od_rc od_synonyms_update(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                         const char *id, const char *canonical, const char *words_json,
                         const char *ops_json, const char *confidence, PGresult **res);

/* Deletes the writable row. Returns its JSON in column 0 (0 rows: none). */
od_rc od_synonyms_delete(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                         const char *id, PGresult **res);

#endif
