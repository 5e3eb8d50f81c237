/* customer_lists.h: a customer's product whitelist and blacklist, under RLS. A
 * product is on at most one of the two lists: callers lock the customer's row
 * first (od_customers_exists), so two requests adding one product to both lists
 * take turns. */
#ifndef OD_DB_CUSTOMER_LISTS_H
#define OD_DB_CUSTOMER_LISTS_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

typedef enum od_customer_list {
    OD_LIST_WHITELIST = 0,
    OD_LIST_BLACKLIST = 1
} od_customer_list;

/* Lists entries of list ordered by product id, after after_product (NULL: from the
 * start), at most limit rows: column 0 is the entry as JSON text, column 1 the
 * product id. */
od_rc od_customer_lists_page(od_db *db, od_arena *a, od_customer_list list,
                             const char *vendor_id, const char *customer_id,
                             const char *after_product, int limit, PGresult **res);

/* What od_customer_lists_add found. */
typedef enum od_list_add {
    OD_LIST_ADDED,          /* a new entry */
    OD_LIST_UPDATED,        /* the entry was there; its note is replaced */
    OD_LIST_NO_PRODUCT,     /* no live product with that id in the vendor */
    OD_LIST_ON_OTHER_LIST   /* the product is on the other list */
} od_list_add;

/* Adds product_id (with note, NULL for none) to list of a customer whose row the
 * caller has locked. On OD_OK *outcome says what happened; for ADDED and UPDATED,
 * *res column 0 is the entry as JSON text. */
od_rc od_customer_lists_add(od_db *db, od_arena *a, od_customer_list list,
                            const char *vendor_id, const char *customer_id,
                            const char *product_id, const char *note, od_list_add *outcome,
                            PGresult **res);

/* Removes product_id from list. Returns OD_OK with the removed entry as JSON text in
 * column 0, OD_ENOTFOUND when it was not on the list, or od_db_exec codes. */
od_rc od_customer_lists_remove(od_db *db, od_arena *a, od_customer_list list,
                               const char *vendor_id, const char *customer_id,
                               const char *product_id, PGresult **res);

#endif
