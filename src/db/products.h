/* products.h: data access for the catalog: the batch upsert, one product, the
 * soft delete, and list/search queries built from a filter (parameterised; the
 * values never enter the SQL text). The vendor's words: db/vocabulary.h. */
#ifndef OD_DB_PRODUCTS_H
#define OD_DB_PRODUCTS_H

#include <stdbool.h>

#include "db/db.h"

/* Upserts items_json (a JSON array of normalised products, see
 * od_product_normalise) for vendor_id, recording source "api" with ref. *res has
 * one row per item in input order: ord, id, result (created|updated|unchanged),
 * catalog_version. */
od_rc od_products_upsert(od_db *db, od_arena *a, const char *vendor_id, const char *items_json,
                         const char *ref, PGresult **res);

/* One product: row 0 is (document json, etag, soft_deleted bool); no row when it
 * does not exist in the vendor. With for_update the row is locked. */
od_rc od_products_get(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                      bool for_update, PGresult **res);

/* Soft-deletes a product: row 0 is (found, deleted, external_id, catalog_version). */
od_rc od_products_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                         PGresult **res);

/* What a list or search asks for. Arrays are PostgreSQL array literals of codes
 * ("{peanut,milk}"), already normalised. */
typedef struct od_product_filter {
    const char *vendor_id;
    const char *q;               /* websearch_to_tsquery text, or NULL */
    const char *prefix_word;     /* [a-z0-9]+ matched as a prefix with q, or NULL */
    const char *brand;
    const char *category_id;
    const char *tags_any;        /* any of these dietary tags */
    const char *allergens_none;  /* none of these allergens (unknown allergens excluded) */
    const char *updated_after;   /* timestamptz text */
    const char *status;          /* active|inactive */
    bool include_deleted;
    bool relevance;              /* order by rank (needs q), else by updated_at */
    int candidates;              /* relevance: how many recent matches are ranked */
    const char *after_key;       /* keyset position: updated_at text, or rank text */
    const char *after_id;
    int limit;                   /* rows to fetch */
} od_product_filter;

/* Runs the list/search query. Rows: (document json, sort key text, id text); with
 * relevance the document carries "rank" and the key is the rank. */
od_rc od_products_list(od_db *db, od_arena *a, const od_product_filter *f, PGresult **res);

/* The replica's lag in seconds as text ("0" when it has replayed everything it
 * received), for X-Data-Freshness. */
od_rc od_products_replica_lag(od_db *db, od_arena *a, PGresult **res);

#endif
