/* customers.h: data access for customers: the batch upsert, one customer, the hard
 * delete, and the list query built from a filter (parameterised; the values never
 * enter the SQL text). The vendor's gender words: db/vocabulary.h. */
#ifndef OD_DB_CUSTOMERS_H
#define OD_DB_CUSTOMERS_H

#include <stdbool.h>

#include "db/db.h"

/* Upserts items_json (a JSON array of normalised customers, see
 * od_customer_normalise) for vendor_id as user actor. *res has one row per item in
 * input order: ord, id, result (created|updated|unchanged), changed fields (a JSON
 * array of names). */
od_rc od_customers_upsert(od_db *db, od_arena *a, const char *vendor_id, const char *items_json,
                          const char *actor, PGresult **res);

/* One customer: row 0 is (document json, etag); no row when it does not exist in
 * the vendor. With for_update the row is locked. */
od_rc od_customers_get(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                       bool for_update, PGresult **res);

/* Checks that customer id exists in the vendor; with lock, locks its row (FOR NO
 * KEY UPDATE) until the transaction ends, so writers of one customer's
 * sub-resources take turns. Returns OD_OK, OD_ENOTFOUND, or od_db_exec codes. */
od_rc od_customers_exists(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                          bool lock, PGresult **res);

/* Deletes a customer and its health data: row 0 is (external_id, created_at,
 * updated_at) of the customer deleted, no row when there was none. */
od_rc od_customers_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                          PGresult **res);

/* What a list asks for. */
typedef struct od_customer_filter {
    const char *vendor_id;
    const char *q;               /* websearch_to_tsquery text, or NULL */
    const char *prefix_word;     /* [A-Za-z0-9]+ matched as a prefix with q, or NULL */
    const char *tags_any;        /* array literal of quoted codes: any of these tags */
    const char *updated_after;   /* timestamptz text */
    const char *after_key;       /* keyset position: updated_at text and id */
    const char *after_id;
    int limit;                   /* rows to fetch */
} od_customer_filter;

/* Runs the list query, newest change first. Rows: (document json, updated_at text,
 * id text). */
od_rc od_customers_list(od_db *db, od_arena *a, const od_customer_filter *f, PGresult **res);

#endif
