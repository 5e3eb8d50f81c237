/* synonyms.c: statements of synonyms_header and synonyms_value. */
#include "db/synonyms.h"

#include <string.h>

#define SCOPE "CASE WHEN t.vendor_id IS NULL THEN 'global' ELSE 'vendor' END"
#define HEADER_JSON \
    "json_build_object('id', t.id, 'mode', t.mode, 'canonical', t.canonical, " \
    "'synonyms', t.synonyms, 'transform_ops', t.transform_ops, 'confidence', t.confidence, " \
    "'scope', " SCOPE ", 'created_at', t.created_at, 'updated_at', t.updated_at)::text"
#define VALUE_JSON \
    "json_build_object('id', t.id, 'domain', t.domain, 'canonical', t.canonical, " \
    "'synonyms', t.synonyms, 'scope', " SCOPE ", 'created_at', t.created_at, " \
    "'updated_at', t.updated_at)::text"
#define VISIBLE "(t.vendor_id IS NULL OR t.vendor_id = $1::uuid)"
#define WRITABLE "t.vendor_id IS NOT DISTINCT FROM $1::uuid"
/* The words of a JSON array parameter, lower-cased and trimmed, in order. */
#define WORDS(p) "ARRAY(SELECT lower(btrim(u.w, E' \\t\\r\\n')) " \
    "FROM jsonb_array_elements_text(" p "::jsonb) WITH ORDINALITY u (w, o) ORDER BY u.o)"

typedef struct syn_stmts {
    const char *table;
    od_stmt list, get, lock, conflict, insert, update, del;
} syn_stmts;

#define COMMON(name, tbl, json, grp) \
    .table = tbl, \
    .list = OD_STMT("syn_list_" name, \
        "SELECT " json ", t.canonical, t.id FROM " tbl " t WHERE " VISIBLE " " \
        "AND ($2::text IS NULL OR t." grp "::text = $2::text) " \
        "AND ($3::text IS NULL OR (t.vendor_id IS NULL) = ($3::text = 'global')) " \
        "AND ($4::text IS NULL OR (t.canonical, t.id) > ($4::text, $5::uuid)) " \
        "ORDER BY t.canonical, t.id LIMIT $6::int", 6, true), \
    .get = OD_STMT("syn_get_" name, \
        "SELECT " json " FROM " tbl " t WHERE t.id = $2::uuid AND " VISIBLE, 2, true), \
    .lock = OD_STMT("syn_lock_" name, \
        "SELECT " json ", t." grp "::text, t.canonical, to_jsonb(t.synonyms)::text " \
        "FROM " tbl " t WHERE t.id = $2::uuid AND " WRITABLE " FOR UPDATE", 2, false), \
    .conflict = OD_STMT("syn_conflict_" name, \
        "SELECT x.w, t.canonical FROM unnest(" WORDS("$5") " || ARRAY[$4::text]) x (w) " \
        "JOIN " tbl " t ON " WRITABLE " AND t." grp "::text = $2::text " \
        "AND t.id IS DISTINCT FROM $3::uuid AND (t.canonical = x.w OR x.w = ANY (t.synonyms)) " \
        "ORDER BY x.w LIMIT 1", 5, true), \
    .del = OD_STMT("syn_delete_" name, \
        "WITH t AS (DELETE FROM " tbl " t WHERE t.id = $2::uuid AND " WRITABLE " RETURNING t.*) " \
        "SELECT " json " FROM t", 2, false)

static syn_stmts sets[] = {
    [OD_SYN_HEADER] = {
        COMMON("header", "synonyms_header", HEADER_JSON, "mode"),
        .insert = OD_STMT("syn_insert_header",
            "WITH t AS (INSERT INTO synonyms_header (vendor_id, mode, canonical, synonyms, "
            "transform_ops, confidence) VALUES ($1::uuid, $2::mapping_mode, $3, "
            WORDS("coalesce($4, '[]')") ", coalesce($5::jsonb, '[]'), "
            "coalesce($6::numeric, 1.0)) RETURNING *) "
            "SELECT " HEADER_JSON ", t.id FROM t", 6, false),
        .update = OD_STMT("syn_update_header",
            "WITH t AS (UPDATE synonyms_header t SET canonical = coalesce($3, t.canonical), "
            "synonyms = CASE WHEN $4::text IS NULL THEN t.synonyms ELSE " WORDS("$4") " END, "
            "transform_ops = coalesce($5::jsonb, t.transform_ops), "
            "confidence = coalesce($6::numeric, t.confidence) "
            "WHERE t.id = $2::uuid AND " WRITABLE " RETURNING t.*) "
            "SELECT " HEADER_JSON " FROM t", 6, false),
    },
    [OD_SYN_VALUE] = {
        COMMON("value", "synonyms_value", VALUE_JSON, "domain"),
        .insert = OD_STMT("syn_insert_value",
            "WITH t AS (INSERT INTO synonyms_value (vendor_id, domain, canonical, synonyms) "
            "VALUES ($1::uuid, $2::synonym_domain, $3, " WORDS("coalesce($4, '[]')") ") "
            "RETURNING *) SELECT " VALUE_JSON ", t.id FROM t", 4, false),
        .update = OD_STMT("syn_update_value",
            "WITH t AS (UPDATE synonyms_value t SET canonical = coalesce($3, t.canonical), "
            "synonyms = CASE WHEN $4::text IS NULL THEN t.synonyms ELSE " WORDS("$4") " END "
            "WHERE t.id = $2::uuid AND " WRITABLE " RETURNING t.*) "
            "SELECT " VALUE_JSON " FROM t", 4, false),
    },
};

static od_stmt st_normalize = OD_STMT("syn_normalize",
    "SELECT n, n = '', EXISTS (SELECT 1 FROM jsonb_array_elements_text($1::jsonb) "
    "WITH ORDINALITY v (w, o) WHERE v.o < u.o AND lower(btrim(v.w, E' \\t\\r\\n')) = n), "
    "n = $2::text "
    "FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY u (w, o), "
    "lower(btrim(u.w, E' \\t\\r\\n')) n ORDER BY u.o", 2, true);

static od_stmt st_dict_lock = OD_STMT("syn_dict_lock",
    "SELECT pg_advisory_xact_lock(hashtext($1), hashtext(coalesce($2, '') || '/' || $3))",
    3, false);

static od_stmt st_allergen = OD_STMT("syn_allergen_ok",
    "SELECT EXISTS (SELECT 1 FROM tax_allergens t WHERE t.code = $2 AND t.active AND "
    VISIBLE ")", 2, true);

bool
od_synonyms_set(const char *name, od_syn_set *out)
{
    if (name != NULL && strcmp(name, "header") == 0)
        *out = OD_SYN_HEADER;
    else if (name != NULL && strcmp(name, "value") == 0)
        *out = OD_SYN_VALUE;
    else
        return false;
    return true;
}

const char *
od_synonyms_table(od_syn_set s)
{
    return sets[s].table;
}

od_rc
od_synonyms_list(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                 const od_syn_filter *f, PGresult **res)
{
    const char *params[] = { vendor_id, f->group, f->scope, f->after_canonical, f->after_id,
                             od_arena_printf(a, "%d", f->limit) };

    return od_db_exec(db, a, &sets[s].list, params, res);
}

od_rc
od_synonyms_get(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id, const char *id,
                PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &sets[s].get, params, res);
}

od_rc
od_synonyms_lock(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id, const char *id,
                 PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &sets[s].lock, params, res);
}

od_rc
od_synonyms_normalize(od_db *db, od_arena *a, const char *words_json, const char *canonical,
                      PGresult **res)
{
    const char *params[] = { words_json, canonical };

    return od_db_exec(db, a, &st_normalize, params, res);
}

od_rc
od_synonyms_conflict(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                     const char *group, const char *self_id, const char *canonical,
                     const char *words_json, const char **word, const char **other,
                     PGresult **res)
{
    const char *lock[] = { sets[s].table, vendor_id, group };
    const char *params[] = { vendor_id, group, self_id, canonical,
                             words_json ? words_json : "[]" };
    od_rc rc = od_db_exec(db, a, &st_dict_lock, lock, res);

    *word = *other = NULL;
    if (rc == OD_OK)
        rc = od_db_exec(db, a, &sets[s].conflict, params, res);
    if (rc == OD_OK && PQntuples(*res) == 1) {
        *word = od_arena_strdup(a, PQgetvalue(*res, 0, 0));
        *other = od_arena_strdup(a, PQgetvalue(*res, 0, 1));
    }
    return rc;
}

od_rc
od_synonyms_allergen_ok(od_db *db, od_arena *a, const char *vendor_id, const char *code,
                        bool *ok, PGresult **res)
{
    const char *params[] = { vendor_id, code };
    od_rc rc = od_db_exec(db, a, &st_allergen, params, res);

    *ok = rc == OD_OK && PQgetvalue(*res, 0, 0)[0] == 't';
    return rc;
}

od_rc
od_synonyms_insert(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                   const char *group, const char *canonical, const char *words_json,
                   const char *ops_json, const char *confidence, PGresult **res)
{
    const char *params[] = { vendor_id, group, canonical, words_json, ops_json, confidence };

    return od_db_exec(db, a, &sets[s].insert, params, res);
}

od_rc
od_synonyms_update(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                   const char *id, const char *canonical, const char *words_json,
                   const char *ops_json, const char *confidence, PGresult **res)
{
    const char *params[] = { vendor_id, id, canonical, words_json, ops_json, confidence };

    return od_db_exec(db, a, &sets[s].update, params, res);
}

od_rc
od_synonyms_delete(od_db *db, od_arena *a, od_syn_set s, const char *vendor_id,
                   const char *id, PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &sets[s].del, params, res);
}
