/* taxonomy.h: the five taxonomy tables (tax_categories, tax_tags, tax_allergens,
 * tax_cuisines, tax_certifications; same columns) under RLS: global rows
 * (vendor_id NULL) and one vendor's own. vendor_id NULL below means "outside any
 * vendor": a platform admin working on global rows. */
#ifndef OD_DB_TAXONOMY_H
#define OD_DB_TAXONOMY_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

typedef struct od_tax_kind od_tax_kind;  /* one table and its statements */

/* Returns the kind named by its plural ("categories"), or NULL (static). */
const od_tax_kind *od_taxonomy_kind(const char *plural);

/* Returns the kind's table name ("tax_categories") (static). */
const char *od_taxonomy_table(const od_tax_kind *k);

/* List filters; NULL members match everything. */
typedef struct od_tax_filter {
    const char *active;    /* "true" / "false" */
    const char *scope;     /* "global" / "vendor" */
    const char *after_code;  /* keyset position (code, id) of the last row sent */
    const char *after_id;
    int limit;
} od_tax_filter;

/* Lists the rows visible in vendor_id (global ones plus its own) ordered by
 * (code, id): column 0 the row as JSON text, 1 the code, 2 the id. */
od_rc od_taxonomy_list(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                       const od_tax_filter *f, PGresult **res);

/* Returns the visible row id: column 0 JSON text, column 1 "global" or "vendor"
 * (0 rows: not visible). */
od_rc od_taxonomy_get(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                      const char *id, PGresult **res);

/* Locks the row the caller may write (its own vendor's, or a global one outside any
 * vendor) FOR UPDATE: column 0 JSON text, column 1 the code (0 rows: none). */
od_rc od_taxonomy_lock(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                       const char *id, PGresult **res);

/* Sets *ok when parent_id names a row of this kind visible in vendor_id. */
od_rc od_taxonomy_parent_visible(od_db *db, od_arena *a, const od_tax_kind *k,
                                 const char *vendor_id, const char *parent_id, bool *ok,
                                 PGresult **res);

/* Takes the tree lock of the kind in this scope (held until the transaction ends,
 * so concurrent re-parentings cannot make a cycle together), then sets *cycle when
 * id is parent_id or one of its ancestors. */
od_rc od_taxonomy_would_cycle(od_db *db, od_arena *a, const od_tax_kind *k,
                              const char *vendor_id, const char *id, const char *parent_id,
                              bool *cycle, PGresult **res);

/* Inserts a row of vendor_id (NULL: global). active NULL means true. Returns the row
 * JSON in column 0 and its id in column 1; OD_EDB with 23505 on a duplicate code in the scope. */
od_rc od_taxonomy_insert(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                         const char *code, const char *label, const char *parent_id,
                         const char *active, PGresult **res);

/* Updates the writable row: NULL label/active keep the value; set_parent replaces
 * parent_id (NULL clears it). Returns the row JSON in column 0 (0 rows: none). */
od_rc od_taxonomy_update(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                         const char *id, const char *label, bool set_parent,
                         const char *parent_id, const char *active, PGresult **res);

/* Sets *why to what references the row ("children", "products", "synonyms"; static)
 * or NULL. Looks across every vendor for a global row (od_taxonomy_in_use, a
 * SECURITY DEFINER function: RLS would hide other vendors' products). */
od_rc od_taxonomy_in_use(od_db *db, od_arena *a, const od_tax_kind *k, const char *id,
                         const char **why, PGresult **res);

/* Deletes the writable row. Returns its JSON in column 0 (0 rows: none); OD_EDB with
 * 23503 when a reference appeared meanwhile. */
od_rc od_taxonomy_delete(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                         const char *id, PGresult **res);

#endif
