/* customers.c: customer queries. Lists with filters are one-shot statements built
 * from the filters present and read the view customers_scoped, whose rows the GIN
 * indexes (search_tsv, custom_tags) can find under row-level security (migration
 * 017). A get by id and the unfiltered page keep a plan per vendor
 * (db/vendor_stmt.h): their best plan is the same for every value. So do a
 * search for one word and the filter on one tag, which read the term's range of
 * customer_terms (migration 027), and a search of other plain words, whose
 * statement picks its way per run (db/search_sql.h). */
#include "db/customers.h"

#include <string.h>

#include "db/search_sql.h"
#include "db/search_stats.h"
#include "db/sql.h"
#include "db/vendor_stmt.h"

/* A customer's document (the API's shape) from the customers columns of alias c.
 * With a dob the age is computed on each read (a stored one would go stale); the
 * date is UTC's, as the validator's. */
#define CUSTOMER_JSON(c) \
    "json_build_object('id', " c ".id, 'external_id', " c ".external_id, " \
    "'full_name', " c ".full_name, 'email', " c ".email, 'dob', " c ".dob, " \
    "'age', CASE WHEN " c ".dob IS NULL THEN " c ".age ELSE extract(year FROM " \
    "age((now() AT TIME ZONE 'UTC')::date, " c ".dob))::int END, " \
    "'gender', " c ".gender, 'location', " c ".location, 'phone', " c ".phone, " \
    "'custom_tags', " c ".custom_tags, 'created_at', " c ".created_at, " \
    "'updated_at', " c ".updated_at)"

/* The strong validator of customer c: its last change, in microseconds. */
#define CUSTOMER_ETAG(c) \
    "'\"' || (extract(epoch FROM " c ".updated_at) * 1000000)::bigint::text || '\"'"

static od_stmt st_upsert = OD_STMT("customers_upsert",
    "SELECT ord, id, result, to_json(changed_fields)::text "
    "FROM od_customers_upsert($1::uuid, $2::jsonb, $3)", 3, false);

static od_vstmt vs_get = OD_VSTMT("customers_get",
    "SELECT " CUSTOMER_JSON("c") "::text, " CUSTOMER_ETAG("c") " FROM {v:customers} c "
    "WHERE c.vendor_id = $1::uuid AND c.id = $2::uuid", 2, true);

/* The unfiltered page in time order ($1 vendor, $2 limit), and the same after a
 * keyset position ($3 updated_at, $4 id). */
#define PAGE(after) \
    "SELECT " CUSTOMER_JSON("c") "::text, c.updated_at::text, c.id::text " \
    "FROM (SELECT c.* FROM {v:customers} c WHERE c.vendor_id = $1::uuid" after \
    " ORDER BY c.updated_at DESC, c.id DESC LIMIT $2::int) c " \
    "ORDER BY c.updated_at DESC, c.id DESC"

static od_vstmt vs_page = OD_VSTMT("customers_page", PAGE(""), 2, true);
static od_vstmt vs_page_after = OD_VSTMT("customers_page_after",
    PAGE(" AND (c.updated_at, c.id) < ($3::timestamptz, $4::uuid)"), 4, true);

/* The documents of the page k(updated_at, id) (the vendor is $1), each looked up
 * alone: LIMIT keeps it a nested loop whatever the sizes a generic plan was made
 * for. K is the relation that gives k: a CTE's name or a subquery. */
#define DOCS_OF(K) \
    "SELECT " CUSTOMER_JSON("c") "::text, k.updated_at::text, k.id::text " \
    "FROM " K " CROSS JOIN LATERAL (SELECT c.* FROM {v:customers} c " \
    "WHERE c.vendor_id = $1::uuid AND c.id = k.id LIMIT 1) c " \
    "ORDER BY k.updated_at DESC, k.id DESC"

/* A search of plain words, kept per vendor (db/search_sql.h: $1-$7, the page is
 * $4): the keys first (the time index carries search_tsv, so a walk reads index
 * tuples only), then the page's documents; and the same after ($8 updated_at, $9
 * id). */
#define SEARCH(after) \
    OD_SEARCH_WITH("{v:customers}", "simple", after) " " DOCS_OF("k")

static od_vstmt vs_search = OD_VSTMT("customers_search", SEARCH(""), 7, true);
static od_vstmt vs_search_after = OD_VSTMT("customers_search_after",
    SEARCH(" AND (t.updated_at, t.id) < ($8::timestamptz, $9::uuid)"), 9, true);

/* The newest holders of one term ($1 vendor, $2 kind: 'w' a word, 't' a custom
 * tag, $3 the word or tag, $4 limit; after: $5 updated_at, $6 id): a range of the
 * vendor's customer_terms, which is in time order per term (migration 027), then
 * each document looked up alone. A word's term is its lexeme, as to_tsvector made
 * the customers' search_tsv. */
#define TERM(after) \
    DOCS_OF("(SELECT t.updated_at, t.customer_id AS id FROM {v:customer_terms} t " \
            "WHERE t.vendor_id = $1::uuid AND t.kind = $2::\"char\" AND t.term = " \
            "CASE WHEN $2::\"char\" = 'w' " \
            "THEN (tsvector_to_array(to_tsvector('simple', $3::text)))[1] ELSE $3::text END" \
            after " ORDER BY t.updated_at DESC, t.customer_id DESC LIMIT $4::int) k")

static od_vstmt vs_term = OD_VSTMT("customers_term", TERM(""), 4, true);
static od_vstmt vs_term_after = OD_VSTMT("customers_term_after",
    TERM(" AND (t.updated_at, t.customer_id) < ($5::timestamptz, $6::uuid)"), 6, true);

static od_stmt st_get_locked = OD_STMT("customers_get_locked",
    "SELECT " CUSTOMER_JSON("c") "::text, " CUSTOMER_ETAG("c") " FROM customers c "
    "WHERE c.vendor_id = $1::uuid AND c.id = $2::uuid FOR UPDATE", 2, false);

static od_vstmt vs_exists = OD_VSTMT("customers_exists",
    "SELECT 1 FROM {v:customers} WHERE vendor_id = $1::uuid AND id = $2::uuid", 2, true);

static od_stmt st_exists_lock = OD_STMT("customers_exists_lock",
    "SELECT 1 FROM customers WHERE vendor_id = $1::uuid AND id = $2::uuid FOR NO KEY UPDATE",
    2, false);

static od_stmt st_delete = OD_STMT("customers_delete",
    "SELECT external_id, created_at, updated_at FROM od_customers_delete($1::uuid, $2::uuid)",
    2, false);

od_rc
od_customers_upsert(od_db *db, od_arena *a, const char *vendor_id, const char *items_json,
                    const char *actor, PGresult **res)
{
    const char *params[] = { vendor_id, items_json, actor };

    return od_db_exec(db, a, &st_upsert, params, res);
}

od_rc
od_customers_get(od_db *db, od_arena *a, const char *vendor_id, const char *id, bool for_update,
                 PGresult **res)
{
    const char *params[] = { vendor_id, id };

    if (!for_update)
        return od_vendor_stmt_exec(db, a, &vs_get, vendor_id, params, res);
    return od_db_exec(db, a, &st_get_locked, params, res);
}

od_rc
od_customers_exists(od_db *db, od_arena *a, const char *vendor_id, const char *id, bool lock,
                    PGresult **res)
{
    const char *params[] = { vendor_id, id };
    od_rc rc = lock ? od_db_exec(db, a, &st_exists_lock, params, res)
                    : od_vendor_stmt_exec(db, a, &vs_exists, vendor_id, params, res);

    if (rc == OD_OK && PQntuples(*res) == 0)
        return OD_ENOTFOUND;
    return rc;
}

od_rc
od_customers_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                    PGresult **res)
{
    const char *params[] = { vendor_id, id };

    return od_db_exec(db, a, &st_delete, params, res);
}

/* A search of plain words (f->q, f->prefix_word) without other filters, through
 * the kept statements. */
static od_rc
search_kept(od_db *db, od_arena *a, const od_customer_filter *f, const char *limit,
            PGresult **res)
{
    od_search_stats st;
    od_rc rc = od_search_stats_get(db, a, OD_SEARCH_CUSTOMERS, f->vendor_id, f->q,
                                   f->prefix_word, &st);

    if (rc != OD_OK)
        return rc;
    {
        const char *params[] = { f->vendor_id, f->q, f->prefix_word, limit, st.lexemes,
                                 st.freqs, st.total, f->after_key, f->after_id };

        return od_vendor_stmt_exec(db, a, f->after_key != NULL ? &vs_search_after : &vs_search,
                                   f->vendor_id, params, res);
    }
}

/* The one term a filter asks for, if it asks for one alone: a single plain word
 * of ASCII letters and digits (which to_tsvector('simple') keeps whole as its
 * lexeme, lower-cased, as websearch_to_tsquery does), or a single custom tag. */
static bool
single_term(const od_customer_filter *f, od_arena *a, const char **kind, const char **term)
{
    size_t n;

    if (f->updated_after != NULL || (f->q == NULL) == (f->tags_any == NULL))
        return false;
    if (f->q != NULL) {
        if (f->prefix_word != NULL || !od_sql_plain_words(f->q) || strchr(f->q, ' ') != NULL ||
            (n = strlen(f->q)) == 0 || n > 255)
            return false;
        *kind = "w";
        *term = f->q;
        return true;
    }
    /* tags_any is an array literal of quoted codes, {"a","b"}: one code has no
     * comma. */
    n = strlen(f->tags_any);
    if (n < 5 || strncmp(f->tags_any, "{\"", 2) != 0 || strcmp(f->tags_any + n - 2, "\"}") != 0 ||
        strchr(f->tags_any, ',') != NULL)
        return false;
    *kind = "t";
    *term = od_arena_strndup(a, f->tags_any + 2, n - 4);
    return *term != NULL;
}

od_rc
od_customers_list(od_db *db, od_arena *a, const od_customer_filter *f, PGresult **res)
{
    od_sql q;
    int vendor;
    const char *kind, *term;
    char *limit = od_arena_printf(a, "%d", f->limit);

    if (limit == NULL)
        return OD_ENOMEM;  /* a NULL limit would be no limit */
    if (f->q == NULL && f->tags_any == NULL && f->updated_after == NULL) {
        const char *params[] = { f->vendor_id, limit, f->after_key, f->after_id };

        return od_vendor_stmt_exec(db, a, f->after_key != NULL ? &vs_page_after : &vs_page,
                                   f->vendor_id, params, res);
    }
    if (single_term(f, a, &kind, &term)) {
        const char *params[] = { f->vendor_id, kind, term, limit, f->after_key, f->after_id };

        return od_vendor_stmt_exec(db, a, f->after_key != NULL ? &vs_term_after : &vs_term,
                                   f->vendor_id, params, res);
    }
    if (f->q != NULL && od_sql_plain_words(f->q) && f->tags_any == NULL &&
        f->updated_after == NULL)
        return search_kept(db, a, f, limit, res);
    od_sql_init(&q);
    /* The page first, then its documents. With a word, the page is made of keys
     * only: the time index carries search_tsv (migration 019), so a word in 1 % of
     * the customers is tested on index tuples, not heap pages (23 -> 14 ms, planning
     * included), and the documents are read for the page's rows. Without one, the
     * second pass over the partitions costs more planning than it saves. */
    od_buf_printf(&q.sql, "SELECT " CUSTOMER_JSON("c") "::text, c.updated_at::text, c.id::text "
                  "FROM (SELECT %s FROM customers_scoped c", f->q != NULL ? "c.id, c.updated_at"
                                                                           : "c.*");
    if (f->q != NULL) {
        od_buf_puts(&q.sql, ", ");
        /* 'simple': names and e-mail addresses are not English words (005). */
        od_sql_tsquery(&q, "simple", f->q, f->prefix_word);
    }
    vendor = od_sql_param(&q, f->vendor_id);
    od_buf_printf(&q.sql, " WHERE c.vendor_id = $%d::uuid", vendor);
    if (f->q != NULL)
        od_buf_puts(&q.sql, " AND c.search_tsv @@ tsq.q");
    if (f->tags_any != NULL)
        od_buf_printf(&q.sql, " AND c.custom_tags && $%d::text[]", od_sql_param(&q, f->tags_any));
    if (f->updated_after != NULL)
        od_buf_printf(&q.sql, " AND c.updated_at > $%d::timestamptz",
                      od_sql_param(&q, f->updated_after));
    if (f->after_key != NULL) {
        int key = od_sql_param(&q, f->after_key), id = od_sql_param(&q, f->after_id);

        od_buf_printf(&q.sql, " AND (c.updated_at, c.id) < ($%d::timestamptz, $%d::uuid)",
                      key, id);
    }
    od_buf_printf(&q.sql, " ORDER BY c.updated_at DESC, c.id DESC LIMIT $%d::int) ",
                  od_sql_param(&q, limit));
    if (f->q != NULL)
        od_buf_printf(&q.sql, "k JOIN customers c ON c.vendor_id = $%d::uuid AND c.id = k.id "
                      "ORDER BY k.updated_at DESC, k.id DESC", vendor);
    else
        od_buf_puts(&q.sql, "c ORDER BY c.updated_at DESC, c.id DESC");
    return od_sql_run(db, a, &q, res);
}
