/* customer_lists.c: customer_whitelists and customer_blacklists. The two tables
 * have the same shape; each statement exists once per table, indexed by
 * od_customer_list. */
#include "db/customer_lists.h"

#define ENTRY_JSON \
    "json_build_object('product_id', e.product_id, 'note', e.note, " \
    "'created_at', e.created_at, 'updated_at', e.updated_at)::text"

#define PAGE(table) \
    "SELECT " ENTRY_JSON ", e.product_id FROM " table " e " \
    "WHERE e.vendor_id = $1::uuid AND e.customer_id = $2::uuid " \
    "AND ($3::uuid IS NULL OR e.product_id > $3::uuid) ORDER BY e.product_id LIMIT $4::int"

/* RETURNING sees the row as written: xmax is 0 for an insert, set for an update. */
#define ADD(table) \
    "WITH e AS (INSERT INTO " table " AS t (vendor_id, customer_id, product_id, note) " \
    "VALUES ($1::uuid, $2::uuid, $3::uuid, $4) " \
    "ON CONFLICT (vendor_id, customer_id, product_id) DO UPDATE SET note = excluded.note " \
    "RETURNING t.*, t.xmax = 0 AS added) SELECT " ENTRY_JSON ", e.added FROM e"

#define IS_ON(table) \
    "SELECT 1 FROM " table " WHERE vendor_id = $1::uuid AND customer_id = $2::uuid " \
    "AND product_id = $3::uuid"

#define REMOVE(table) \
    "WITH e AS (DELETE FROM " table " WHERE vendor_id = $1::uuid AND customer_id = $2::uuid " \
    "AND product_id = $3::uuid RETURNING *) SELECT " ENTRY_JSON " FROM e"

static od_stmt st_product = OD_STMT("customer_lists_product",
    "SELECT 1 FROM products WHERE vendor_id = $1::uuid AND id = $2::uuid "
    "AND soft_deleted_at IS NULL", 2, true);

static od_stmt st_page[] = {
    OD_STMT("whitelist_page", PAGE("customer_whitelists"), 4, true),
    OD_STMT("blacklist_page", PAGE("customer_blacklists"), 4, true),
};

static od_stmt st_add[] = {
    OD_STMT("whitelist_add", ADD("customer_whitelists"), 4, false),
    OD_STMT("blacklist_add", ADD("customer_blacklists"), 4, false),
};

static od_stmt st_is_on[] = {
    OD_STMT("whitelist_is_on", IS_ON("customer_whitelists"), 3, true),
    OD_STMT("blacklist_is_on", IS_ON("customer_blacklists"), 3, true),
};

static od_stmt st_remove[] = {
    OD_STMT("whitelist_remove", REMOVE("customer_whitelists"), 3, false),
    OD_STMT("blacklist_remove", REMOVE("customer_blacklists"), 3, false),
};

od_rc
od_customer_lists_page(od_db *db, od_arena *a, od_customer_list list, const char *vendor_id,
                       const char *customer_id, const char *after_product, int limit,
                       PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, after_product,
                             od_arena_printf(a, "%d", limit) };

    return od_db_exec(db, a, &st_page[list], params, res);
}

od_rc
od_customer_lists_add(od_db *db, od_arena *a, od_customer_list list, const char *vendor_id,
                      const char *customer_id, const char *product_id, const char *note,
                      od_list_add *outcome, PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, product_id, note };
    const char *product[] = { vendor_id, product_id };
    od_rc rc = od_db_exec(db, a, &st_product, product, res);

    if (rc != OD_OK)
        return rc;
    if (PQntuples(*res) == 0) {
        *outcome = OD_LIST_NO_PRODUCT;
        return OD_OK;
    }
    rc = od_db_exec(db, a, &st_is_on[list == OD_LIST_WHITELIST ? OD_LIST_BLACKLIST
                                                                : OD_LIST_WHITELIST],
                    params, res);
    if (rc != OD_OK)
        return rc;
    if (PQntuples(*res) > 0) {
        *outcome = OD_LIST_ON_OTHER_LIST;
        return OD_OK;
    }
    rc = od_db_exec(db, a, &st_add[list], params, res);
    if (rc == OD_OK)
        *outcome = PQgetvalue(*res, 0, 1)[0] == 't' ? OD_LIST_ADDED : OD_LIST_UPDATED;
    return rc;
}

od_rc
od_customer_lists_remove(od_db *db, od_arena *a, od_customer_list list, const char *vendor_id,
                         const char *customer_id, const char *product_id, PGresult **res)
{
    const char *params[] = { vendor_id, customer_id, product_id };
    od_rc rc = od_db_exec(db, a, &st_remove[list], params, res);

    if (rc == OD_OK && PQntuples(*res) == 0)
        return OD_ENOTFOUND;
    return rc;
}
