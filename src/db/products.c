/* products.c: catalog queries. Lists with a tag, words with a filter that can
 * drive an index, and searches of more than plain words, are one-shot statements
 * built from the filters present, so the planner always sees the real values (a
 * generic plan guesses the selectivity of a search word and can walk the wrong
 * index); they read the view products_scoped, whose rows the GIN indexes can find
 * (migration 014). A get by id, the unfiltered page and the lists filtered on
 * values that do not change the best plan keep a plan per vendor
 * (db/vendor_stmt.h). So does a search of plain words with such filters only: its
 * statement carries both ways to find the matches and picks one per run from how
 * common the words are (db/search_sql.h). */
#include "db/products.h"

#include <stdio.h>
#include <string.h>

#include "db/search_sql.h"
#include "db/search_stats.h"
#include "db/sql.h"
#include "db/vendor_stmt.h"

static od_stmt st_upsert = OD_STMT("products_upsert",
    "SELECT ord, id, result, catalog_version "
    "FROM od_products_upsert($1::uuid, $2::jsonb, 'api', $3)", 3, false);

/* A product's document (the API's shape), built from the products columns of
 * alias p, its images included (products.images, migration 035). Written out in
 * each statement rather than as an SQL function: the planner parses an inlined
 * function's body again for every custom plan, which was a quarter of the database's
 * time for a get by id. */
#define PRODUCT_JSON(p) \
    "json_build_object('id', " p ".id, 'external_id', " p ".external_id, " \
    "'barcode', " p ".barcode, 'gtin_type', " p ".gtin_type, 'name', " p ".name, " \
    "'brand', " p ".brand, 'description', " p ".description, " \
    "'category_id', " p ".category_id, 'sub_category_id', " p ".sub_category_id, " \
    "'cuisine_id', " p ".cuisine_id, 'market_id', " p ".market_id, " \
    "'ingredients', " p ".ingredients, 'nutrition', " p ".nutrition, " \
    "'serving_size', " p ".serving_size, 'package_weight', " p ".package_weight, " \
    "'price', " p ".price::text, 'currency', " p ".currency, 'status', " p ".status, " \
    "'dietary_tags', " p ".dietary_tags, 'allergens', " p ".allergens, " \
    "'certifications', " p ".certifications, 'regulatory_codes', " p ".regulatory_codes, " \
    "'images', " p ".images, 'source_url', " p ".source_url, " \
    "'soft_deleted_at', " p ".soft_deleted_at, 'created_at', " p ".created_at, " \
    "'updated_at', " p ".updated_at)"

/* The strong validator of product p: its last change, in microseconds. */
#define PRODUCT_ETAG(p) \
    "'\"' || (extract(epoch FROM " p ".updated_at) * 1000000)::bigint::text || '\"'"

static od_vstmt vs_get = OD_VSTMT("products_get",
    "SELECT " PRODUCT_JSON("p") "::text, " PRODUCT_ETAG("p") ", "
    "p.soft_deleted_at IS NOT NULL FROM {v:products} p"
    " WHERE p.vendor_id = $1::uuid AND p.id = $2::uuid", 2, true);

/* The unfiltered page of live products in time order ($1 vendor, $2 limit), and
 * the same after a keyset position ($3 updated_at, $4 id). */
#define PAGE(after) \
    "SELECT " PRODUCT_JSON("p") "::text, p.updated_at::text, p.id::text " \
    "FROM (SELECT p.* FROM {v:products} p WHERE p.vendor_id = $1::uuid " \
    "AND p.soft_deleted_at IS NULL" after " ORDER BY p.updated_at DESC, p.id DESC " \
    "LIMIT $2::int) p ORDER BY p.updated_at DESC, p.id DESC"

static od_vstmt vs_page = OD_VSTMT("products_page", PAGE(""), 2, true);
static od_vstmt vs_page_after = OD_VSTMT("products_page_after",
    PAGE(" AND (p.updated_at, p.id) < ($3::timestamptz, $4::uuid)"), 4, true);

/* The product of key row K, looked up alone (LIMIT keeps the lookup a nested loop
 * whatever the sizes the generic plan was made for: a hash join would read the
 * whole vendor). */
#define ROW_OF(K) \
    "(SELECT p.* FROM {v:products} p WHERE p.vendor_id = $1::uuid AND p.id = " K ".id " \
    "LIMIT 1) p"

/* The filters a kept search takes besides its words, none of which can drive an
 * index (so the plan is the same for every value): allergens.none (A, text[] or
 * NULL), include_deleted (D, boolean) and status=active (S, boolean). A, D, S are
 * parameter numbers. (updated_after can: as a condition that may be NULL it would
 * not bound the walk, which would read the whole vendor when few rows are newer.) */
#define SEARCH_FILTERS(A, D, S) \
    " AND ($" D "::boolean OR t.soft_deleted_at IS NULL)" \
    " AND ($" A "::text[] IS NULL " \
    "OR t.allergens IS NOT NULL AND NOT (t.allergens && $" A "::text[]))" \
    " AND (NOT $" S "::boolean OR t.status = 'active'::product_status)"

/* Kept searches (db/search_sql.h: $1-$7). By relevance: the $4 newest matches
 * ranked, the page of $10 after the position ($8 rank, $9 id; NULL for the first
 * page), as the one-shot relevance search below; the filters from $11. */
static od_vstmt vs_search_rank = OD_VSTMT("products_search_rank",
    OD_SEARCH_WITH("{v:products}", "english", SEARCH_FILTERS("11", "12", "13")) ", "
    "c AS (SELECT k.id, ts_rank(k.search_tsv, (SELECT q FROM tsq)) AS rank FROM k), "
    "pg AS (SELECT c.id, c.rank FROM c WHERE $8::real IS NULL OR c.rank < $8::real "
    "OR (c.rank = $8::real AND c.id > $9::uuid) ORDER BY c.rank DESC, c.id LIMIT $10::int) "
    "SELECT left(" PRODUCT_JSON("p") "::text, -1) || ', \"rank\" : ' || "
    "pg.rank::text || '}', pg.rank::text, pg.id::text "
    "FROM pg CROSS JOIN LATERAL " ROW_OF("pg")
    " ORDER BY pg.rank DESC, pg.id", 13, true);

/* The page of the products k (whole rows), newest first. */
#define PAGE_OF_K \
    "SELECT " PRODUCT_JSON("p") "::text, p.updated_at::text, p.id::text " \
    "FROM k p ORDER BY p.updated_at DESC, p.id DESC"

/* By time: the page of $4 newest matches, the filters from $8; and the same after a
 * position ($11 updated_at, $12 id). */
#define SEARCH_TIME(after) \
    OD_SEARCH_WITH_ROWS("{v:products}", "english", \
                        SEARCH_FILTERS("8", "9", "10") after) " " PAGE_OF_K

static od_vstmt vs_search_time = OD_VSTMT("products_search_time", SEARCH_TIME(""), 10, true);
static od_vstmt vs_search_time_after = OD_VSTMT("products_search_time_after",
    SEARCH_TIME(" AND (t.updated_at, t.id) < ($11::timestamptz, $12::uuid)"), 12, true);

/* Lists of tags.any, the two ways of db/search_sql.h over dietary_tags: $1 vendor,
 * $2 the tags (text[]), $3 allergens.none, $4 the page plus one, $5-$7 the frequent
 * tags, their frequencies and the vendor's rows (od_search_stats), the other filters
 * $8 and $9; the same after a position ($10 updated_at, $11 id). The fraction of rows
 * holding any of the tags is taken as the sum of theirs (at most 1): too high when
 * tags go together, and then the walk finds too few and the bitmap runs as well. */
#define TAGS_DENS \
    "dens AS MATERIALIZED (SELECT least(coalesce((SELECT sum(s.f) " \
    "FROM unnest($5::text[], $6::real[]) AS s(l, f) WHERE s.l = ANY ($2::text[])), 0), 1) AS f)"
#define TAGS(after) \
    "WITH " TAGS_DENS ", " OD_SEARCH_WIN ", " \
    OD_SEARCH_KEYS_OF("{v:products}", "t.*", "dietary_tags", " && $2::text[]", \
                      SEARCH_FILTERS("3", "8", "9") after) " " PAGE_OF_K

static od_vstmt vs_tags = OD_VSTMT("products_tags", TAGS(""), 9, true);
static od_vstmt vs_tags_after = OD_VSTMT("products_tags_after",
    TAGS(" AND (t.updated_at, t.id) < ($10::timestamptz, $11::uuid)"), 11, true);

static od_stmt st_get_locked = OD_STMT("products_get_locked",
    "SELECT " PRODUCT_JSON("p") "::text, " PRODUCT_ETAG("p") ", "
    "p.soft_deleted_at IS NOT NULL "
    "FROM products p WHERE p.vendor_id = $1::uuid AND p.id = $2::uuid FOR UPDATE", 2, false);

static od_stmt st_delete = OD_STMT("products_delete",
    "SELECT found, deleted, external_id, catalog_version "
    "FROM od_products_soft_delete($1::uuid, $2::uuid)", 2, false);

static od_stmt st_lag = OD_READ_STMT("products_replica_lag",
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN '0' "
    "ELSE coalesce(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 3), 0)"
    "::text END", 0);

od_rc
od_products_upsert(od_db *db, od_arena *a, const char *vendor_id, const char *items_json,
                   const char *ref, PGresult **res)
{
    const char *params[] = { vendor_id, items_json, ref };

    return od_db_exec(db, a, &st_upsert, params, res);
}

od_rc
od_products_get(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                bool for_update, PGresult **res)
{
    const char *params[] = { vendor_id, id };

    if (!for_update)
        return od_vendor_stmt_exec(db, a, &vs_get, vendor_id, params, res);
    return od_db_exec(db, a, &st_get_locked, params, res);
}

od_rc
od_products_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                   PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &st_delete, params, res);
}

od_rc
od_products_replica_lag(od_db *db, od_arena *a, PGresult **res)
{
    return od_db_exec(db, a, &st_lag, NULL, res);
}

/* True when f has no filter but SEARCH_FILTERS' besides its words or tags. The
 * brand, the category, the inactive status and updated_after can each make the
 * matches rare among the newest rows, so the best plan depends on their values:
 * planned with them. */
static bool
no_driver(const od_product_filter *f)
{
    return f->brand == NULL && f->category_id == NULL && f->updated_after == NULL &&
           (f->status == NULL || strcmp(f->status, "active") == 0);
}

/* SEARCH_FILTERS' S: "t" for status=active. */
static const char *
active_only(const od_product_filter *f)
{
    return f->status != NULL && strcmp(f->status, "active") == 0 ? "t" : "f";
}

/* True when f is a search of plain words (f->q, f->prefix_word) that the kept
 * search statements answer: no tag, no driver. */
static bool
search_is_kept(const od_product_filter *f)
{
    return f->q != NULL && od_sql_plain_words(f->q) && f->tags_any == NULL && no_driver(f);
}

/* A list of tags.any without words or a driver, through the kept statements. */
static od_rc
tags_kept(od_db *db, od_arena *a, const od_product_filter *f, const char *limit,
          PGresult **res)
{
    od_search_stats st;
    od_rc rc = od_search_stats_get(db, a, OD_SEARCH_PRODUCT_TAGS, f->vendor_id, NULL, NULL,
                                   &st);

    if (rc != OD_OK)
        return rc;
    {
        const char *params[] = { f->vendor_id, f->tags_any, f->allergens_none, limit,
                                 st.lexemes, st.freqs, st.total,
                                 f->include_deleted ? "t" : "f", active_only(f),
                                 f->after_key, f->after_id };

        return od_vendor_stmt_exec(db, a, f->after_key != NULL ? &vs_tags_after : &vs_tags,
                                   f->vendor_id, params, res);
    }
}

/* A search that search_is_kept, through the kept statements. */
static od_rc
search_kept(od_db *db, od_arena *a, const od_product_filter *f, const char *limit,
            PGresult **res)
{
    od_search_stats st;
    const char *want = f->relevance ? od_arena_printf(a, "%d", f->candidates) : limit;
    const char *deleted = f->include_deleted ? "t" : "f", *active = active_only(f);
    od_rc rc;

    if (want == NULL)
        return OD_ENOMEM;
    if ((rc = od_search_stats_get(db, a, OD_SEARCH_PRODUCTS, f->vendor_id, f->q,
                                  f->prefix_word, &st)) != OD_OK)
        return rc;
    if (f->relevance) {
        const char *params[] = { f->vendor_id, f->q, f->prefix_word, want, st.lexemes,
                                 st.freqs, st.total, f->after_key, f->after_id, limit,
                                 f->allergens_none, deleted, active };

        return od_vendor_stmt_exec(db, a, &vs_search_rank, f->vendor_id, params, res);
    } else {
        const char *params[] = { f->vendor_id, f->q, f->prefix_word, want, st.lexemes,
                                 st.freqs, st.total, f->allergens_none, deleted, active,
                                 f->after_key, f->after_id };

        return od_vendor_stmt_exec(db, a, f->after_key != NULL ? &vs_search_time_after
                                   : &vs_search_time, f->vendor_id, params, res);
    }
}

/* The status as a constant of the text, for a kept statement (one per value), or
 * NULL: active and inactive are two plans (the partial index of the inactive rows,
 * or the time index), so the value is part of the statement, never a client's text. */
static const char *
status_constant(const char *status)
{
    if (status == NULL)
        return NULL;
    return strcmp(status, "active") == 0 ? "'active'" :
           strcmp(status, "inactive") == 0 ? "'inactive'" : NULL;
}

/* The filter conditions on products p (everything but the keyset seek); with kept,
 * the status is a constant (status_constant). */
static void
conditions(od_sql *q, const od_product_filter *f, bool text, bool kept)
{
    od_buf_printf(&q->sql, "p.vendor_id = $%d::uuid", od_sql_param(q, f->vendor_id));
    if (!f->include_deleted)
        od_buf_puts(&q->sql, " AND p.soft_deleted_at IS NULL");
    if (text)
        od_buf_puts(&q->sql, " AND p.search_tsv @@ tsq.q");
    if (f->brand != NULL)
        od_buf_printf(&q->sql, " AND p.brand = $%d", od_sql_param(q, f->brand));
    if (f->category_id != NULL)
        od_buf_printf(&q->sql, " AND p.category_id = $%d::uuid",
                      od_sql_param(q, f->category_id));
    if (f->tags_any != NULL)
        od_buf_printf(&q->sql, " AND p.dietary_tags && $%d::text[]",
                      od_sql_param(q, f->tags_any));
    if (f->allergens_none != NULL)
        od_buf_printf(&q->sql, " AND p.allergens IS NOT NULL AND NOT (p.allergens && $%d::text[])",
                      od_sql_param(q, f->allergens_none));
    if (f->updated_after != NULL)
        od_buf_printf(&q->sql, " AND p.updated_at > $%d::timestamptz",
                      od_sql_param(q, f->updated_after));
    if (f->status != NULL && kept)
        od_buf_printf(&q->sql, " AND p.status = %s::product_status",
                      status_constant(f->status));
    else if (f->status != NULL)
        od_buf_printf(&q->sql, " AND p.status = $%d::product_status",
                      od_sql_param(q, f->status));
}

/* True when f has a filter besides the words: such a list is planned with its values. */
static bool
filtered(const od_product_filter *f)
{
    return f->brand != NULL || f->category_id != NULL || f->tags_any != NULL ||
           f->allergens_none != NULL || f->updated_after != NULL || f->status != NULL ||
           f->include_deleted;
}

/* Lists filtered on the brand, the category, allergens.none, updated_after, the
 * deleted ones or the status (and nothing else) keep a plan per vendor, one
 * statement per set of those filters and status value, when at most one of them
 * can drive an index: the best plan is then the same for every value (the brand
 * or category index, the partial index of the inactive rows, or the time index;
 * docs/catalog.md). A word and a tag depend on how common the value is and stay
 * one-shot. The text of a shape is the one-shot text with the vendor's view; it is
 * built at its first use and kept for the process, and its instances are optional
 * (db/vendor_stmt.h): they never crowd out the reads every vendor makes. */
#define SHAPES (64 * 3)

static od_vstmt shapes[SHAPES];

/* The shape of f (an index of shapes), or -1 when f is not kept. */
static int
shape_of(const od_product_filter *f)
{
    const char *status = status_constant(f->status);

    /* Two filters that could each drive an index (brand, category, inactive) would
     * make a generic plan guess which one is rarer: planned with the values. */
    int drivers = (f->brand != NULL) + (f->category_id != NULL) +
                  (status != NULL && status[1] == 'i');

    if (f->q != NULL || f->tags_any != NULL || (f->status != NULL && status == NULL) ||
        drivers > 1 || !filtered(f))
        return -1;
    return ((f->brand != NULL) | (f->category_id != NULL) << 1 |
            (f->allergens_none != NULL) << 2 | (f->updated_after != NULL) << 3 |
            f->include_deleted << 4 | (f->after_key != NULL) << 5) +
           64 * (status == NULL ? 0 : status[1] == 'a' ? 1 : 2);
}

/* Runs the one-shot statement q as the kept statement of shape, whose text it is
 * once products_scoped is the vendor's view; releases q's text. */
static od_rc
run_kept(od_db *db, od_arena *a, od_sql *q, int shape, const char *vendor_id, PGresult **res)
{
    static const char scoped[] = "products_scoped";
    od_vstmt *vs = &shapes[shape];
    od_rc rc;

    if (q->sql.failed != OD_OK || q->overflow) {
        od_buf_free(&q->sql);
        return OD_ENOMEM;
    }
    if (vs->sql == NULL) {
        char name[32];
        od_buf b;
        const char *at = strstr(q->sql.data, scoped);

        if (at == NULL)  /* cannot happen: every list reads the view */
            return od_sql_run(db, a, q, res);
        snprintf(name, sizeof(name), "products_filter_%d", shape);
        od_buf_init(&b, 64 * 1024);
        od_buf_printf(&b, "%.*s{v:products}%s", (int)(at - q->sql.data), q->sql.data,
                      at + sizeof(scoped) - 1);
        /* Owned by shapes for the process's lifetime. */
        if (b.failed != OD_OK || (vs->name = strdup(name)) == NULL) {
            od_buf_free(&b);
            od_buf_free(&q->sql);
            return OD_ENOMEM;
        }
        vs->nparams = q->n;
        vs->idempotent = true;
        vs->optional = true;
        vs->sql = b.data;
    }
    rc = od_vendor_stmt_exec(db, a, vs, vendor_id, q->params, res);
    od_buf_free(&q->sql);
    return rc;
}

od_rc
od_products_list(od_db *db, od_arena *a, const od_product_filter *f, PGresult **res)
{
    od_sql q;
    char *limit = od_arena_printf(a, "%d", f->limit);

    if (limit == NULL)
        return OD_ENOMEM;  /* a NULL limit would be no limit */
    if (f->q == NULL && !filtered(f)) {
        const char *params[] = { f->vendor_id, limit, f->after_key, f->after_id };

        return od_vendor_stmt_exec(db, a, f->after_key != NULL ? &vs_page_after : &vs_page,
                                   f->vendor_id, params, res);
    }
    if (search_is_kept(f))
        return search_kept(db, a, f, limit, res);
    if (f->q == NULL && f->tags_any != NULL && no_driver(f))
        return tags_kept(db, a, f, limit, res);
    od_sql_init(&q);
    if (f->relevance) {
        /* Rank the most recent matches only: ranking every match of a word found
         * in most rows costs hundreds of milliseconds (docs/catalog.md). */
        od_buf_puts(&q.sql, "WITH c AS (SELECT p.*, ts_rank(p.search_tsv, tsq.q) AS rank "
                    "FROM products_scoped p, ");
        od_sql_tsquery(&q, "english", f->q, f->prefix_word);
        od_buf_puts(&q.sql, " WHERE ");
        conditions(&q, f, true, false);
        od_buf_printf(&q.sql, " ORDER BY p.updated_at DESC, p.id DESC LIMIT $%d::int), "
                      "p AS (SELECT c.* FROM c",
                      od_sql_param(&q, od_arena_printf(a, "%d", f->candidates)));
        if (f->after_key != NULL) {
            int key = od_sql_param(&q, f->after_key), id = od_sql_param(&q, f->after_id);

            od_buf_printf(&q.sql, " WHERE (c.rank < $%d::real OR (c.rank = $%d::real "
                          "AND c.id > $%d::uuid))", key, key, id);
        }
        od_buf_printf(&q.sql, " ORDER BY c.rank DESC, c.id LIMIT $%d::int) "
                      "SELECT left(" PRODUCT_JSON("p") "::text, -1) || "
                      "', \"rank\" : ' || p.rank::text || '}', p.rank::text, p.id::text "
                      "FROM p ORDER BY p.rank DESC, p.id",
                      od_sql_param(&q, limit));
    } else {
        /* The page first, then its documents: a join below the sort would build one
         * for every match. */
        od_buf_puts(&q.sql, "SELECT " PRODUCT_JSON("p") "::text, "
                    "p.updated_at::text, p.id::text FROM (SELECT p.* FROM products_scoped p");
        if (f->q != NULL) {
            od_buf_puts(&q.sql, ", ");
            od_sql_tsquery(&q, "english", f->q, f->prefix_word);
        }
        od_buf_puts(&q.sql, " WHERE ");
        conditions(&q, f, f->q != NULL, shape_of(f) >= 0);
        if (f->after_key != NULL) {
            int key = od_sql_param(&q, f->after_key), id = od_sql_param(&q, f->after_id);

            od_buf_printf(&q.sql, " AND (p.updated_at, p.id) < ($%d::timestamptz, $%d::uuid)",
                          key, id);
        }
        od_buf_printf(&q.sql, " ORDER BY p.updated_at DESC, p.id DESC LIMIT $%d::int) p "
                      "ORDER BY p.updated_at DESC, p.id DESC",
                      od_sql_param(&q, limit));
        if (shape_of(f) >= 0)
            return run_kept(db, a, &q, shape_of(f), f->vendor_id, res);
    }
    return od_sql_run(db, a, &q, res);
}
