/* taxonomy.c: statements of the five taxonomy tables, one set per table (the
 * table name is part of the statement text, never a parameter). */
#include "db/taxonomy.h"

#include <string.h>

#define ROW_JSON \
    "json_build_object('id', t.id, 'code', t.code, 'label', t.label, 'parent_id', t.parent_id, " \
    "'active', t.active, 'scope', CASE WHEN t.vendor_id IS NULL THEN 'global' ELSE 'vendor' END, " \
    "'created_at', t.created_at, 'updated_at', t.updated_at)::text"

/* Rows visible in $1: global ones and the vendor's own ($1 NULL: global only). */
#define VISIBLE "(t.vendor_id IS NULL OR t.vendor_id = $1::uuid)"
/* Rows writable in $1: the vendor's own, or global ones outside any vendor. */
#define WRITABLE "t.vendor_id IS NOT DISTINCT FROM $1::uuid"

struct od_tax_kind {
    const char *plural;  /* the path segment */
    const char *table;
    od_stmt list, get, lock, parent, cycle, insert, update, del;
};

#define KIND(p, tbl) { .plural = p, .table = tbl, \
    .list = OD_STMT("tax_list_" p, \
        "SELECT " ROW_JSON ", t.code, t.id FROM " tbl " t WHERE " VISIBLE " " \
        "AND ($2::boolean IS NULL OR t.active = $2::boolean) " \
        "AND ($3::text IS NULL OR (t.vendor_id IS NULL) = ($3::text = 'global')) " \
        "AND ($4::text IS NULL OR (t.code, t.id) > ($4::text, $5::uuid)) " \
        "ORDER BY t.code, t.id LIMIT $6::int", 6, true), \
    .get = OD_STMT("tax_get_" p, \
        "SELECT " ROW_JSON ", CASE WHEN t.vendor_id IS NULL THEN 'global' ELSE 'vendor' END " \
        "FROM " tbl " t WHERE t.id = $2::uuid AND " VISIBLE, 2, true), \
    .lock = OD_STMT("tax_lock_" p, \
        "SELECT " ROW_JSON ", t.code FROM " tbl " t WHERE t.id = $2::uuid AND " WRITABLE \
        " FOR UPDATE", 2, false), \
    .parent = OD_STMT("tax_parent_" p, \
        "SELECT 1 FROM " tbl " t WHERE t.id = $2::uuid AND " VISIBLE, 2, true), \
    .cycle = OD_STMT("tax_cycle_" p, \
        "WITH RECURSIVE up (id, parent_id) AS (" \
        "SELECT t.id, t.parent_id FROM " tbl " t WHERE t.id = $1::uuid " \
        "UNION SELECT t.id, t.parent_id FROM " tbl " t JOIN up ON t.id = up.parent_id) " \
        "SELECT EXISTS (SELECT 1 FROM up WHERE up.id = $2::uuid)", 2, true), \
    .insert = OD_STMT("tax_insert_" p, \
        "WITH t AS (INSERT INTO " tbl " (vendor_id, code, label, parent_id, active) " \
        "VALUES ($1::uuid, $2, $3, $4::uuid, coalesce($5::boolean, true)) RETURNING *) " \
        "SELECT " ROW_JSON ", t.id FROM t", 5, false), \
    .update = OD_STMT("tax_update_" p, \
        "WITH t AS (UPDATE " tbl " t SET label = coalesce($3, t.label), " \
        "parent_id = CASE WHEN $4::boolean THEN $5::uuid ELSE t.parent_id END, " \
        "active = coalesce($6::boolean, t.active) " \
        "WHERE t.id = $2::uuid AND " WRITABLE " RETURNING t.*) " \
        "SELECT " ROW_JSON " FROM t", 6, false), \
    .del = OD_STMT("tax_delete_" p, \
        "WITH t AS (DELETE FROM " tbl " t WHERE t.id = $2::uuid AND " WRITABLE " RETURNING t.*) " \
        "SELECT " ROW_JSON " FROM t", 2, false), \
}

static od_tax_kind kinds[] = {
    KIND("categories", "tax_categories"),
    KIND("tags", "tax_tags"),
    KIND("allergens", "tax_allergens"),
    KIND("cuisines", "tax_cuisines"),
    KIND("certifications", "tax_certifications"),
};

/* One tree lock per table and scope ("" for the global rows). */
static od_stmt st_tree_lock = OD_STMT("tax_tree_lock",
    "SELECT pg_advisory_xact_lock(hashtext($1), hashtext(coalesce($2, '')))", 2, false);

static od_stmt st_in_use = OD_STMT("tax_in_use",
    "SELECT od_taxonomy_in_use($1, $2::uuid)", 2, true);

const od_tax_kind *
od_taxonomy_kind(const char *plural)
{
    for (size_t i = 0; plural != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i].plural, plural) == 0)
            return &kinds[i];
    }
    return NULL;
}

const char *
od_taxonomy_table(const od_tax_kind *k)
{
    return k->table;
}

/* The statements live in the static table: handlers hold them as const. */
static od_tax_kind *
mut(const od_tax_kind *k)
{
    return &kinds[k - kinds];
}

od_rc
od_taxonomy_list(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                 const od_tax_filter *f, PGresult **res)
{
    const char *params[] = { vendor_id, f->active, f->scope, f->after_code, f->after_id,
                             od_arena_printf(a, "%d", f->limit) };

    return od_db_exec(db, a, &mut(k)->list, params, res);
}

od_rc
od_taxonomy_get(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                const char *id, PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &mut(k)->get, params, res);
}

od_rc
od_taxonomy_lock(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                 const char *id, PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &mut(k)->lock, params, res);
}

od_rc
od_taxonomy_parent_visible(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                           const char *parent_id, bool *ok, PGresult **res)
{
    const char *params[] = { vendor_id, parent_id };
    od_rc rc = od_db_exec(db, a, &mut(k)->parent, params, res);

    *ok = rc == OD_OK && PQntuples(*res) == 1;
    return rc;
}

od_rc
od_taxonomy_would_cycle(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                        const char *id, const char *parent_id, bool *cycle, PGresult **res)
{
    const char *lock[] = { k->table, vendor_id };
    const char *params[] = { parent_id, id };
    od_rc rc = od_db_exec(db, a, &st_tree_lock, lock, res);

    *cycle = false;
    if (rc != OD_OK)
        return rc;
    rc = od_db_exec(db, a, &mut(k)->cycle, params, res);
    if (rc == OD_OK)
        *cycle = PQgetvalue(*res, 0, 0)[0] == 't';
    return rc;
}

od_rc
od_taxonomy_insert(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                   const char *code, const char *label, const char *parent_id,
                   const char *active, PGresult **res)
{
    const char *params[] = { vendor_id, code, label, parent_id, active };

    return od_db_exec(db, a, &mut(k)->insert, params, res);
}

od_rc
od_taxonomy_update(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                   const char *id, const char *label, bool set_parent, const char *parent_id,
                   const char *active, PGresult **res)
{
    const char *params[] = { vendor_id, id, label, set_parent ? "true" : "false", parent_id,
                             active };

    return od_db_exec(db, a, &mut(k)->update, params, res);
}

od_rc
od_taxonomy_in_use(od_db *db, od_arena *a, const od_tax_kind *k, const char *id,
                   const char **why, PGresult **res)
{
    static const char *const reasons[] = { "children", "products", "synonyms" };
    const char *params[] = { k->table, id };
    od_rc rc = od_db_exec(db, a, &st_in_use, params, res);

    *why = NULL;
    if (rc != OD_OK || PQgetisnull(*res, 0, 0))
        return rc;
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (strcmp(PQgetvalue(*res, 0, 0), reasons[i]) == 0)
            *why = reasons[i];
    }
    if (*why == NULL)
        *why = "products";
    return rc;
}

od_rc
od_taxonomy_delete(od_db *db, od_arena *a, const od_tax_kind *k, const char *vendor_id,
                   const char *id, PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &mut(k)->del, params, res);
}
