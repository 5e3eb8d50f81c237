/* db_search.c: which way a kept search takes (db/search_sql.h), read from the
 * executed plan, against the test stack's PostgreSQL as the API's role. Run by
 * test_database.py (KeptSearches) with DATABASE_URL and SEARCH_VENDOR, a vendor of
 * 1,000 products (three of them soft-deleted) and 1,000 customers, analysed, whose
 * names hold "alpha" (90 % of the rows), "beta" (the oldest half) and "gamma"
 * (three rows), and whose products are tagged "vegan" (every other), "keto" (the
 * oldest half) and "paleo" (three):
 *
 * - a common word walks the newest rows and never reads the GIN bitmap;
 * - a rare word goes straight to the bitmap: the walk reads no row;
 * - a word common only among old rows walks its window, finds too few, and the
 *   bitmap runs as well;
 * - a list of tags takes the same ways by the same rules;
 * - customers walk their time index without visiting the heap;
 * - a customer search for one word, or the filter on one tag ("every10": one
 *   customer in ten), reads only the page's rows of customer_terms. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "db/customers.h"
#include "db/db.h"
#include "db/products.h"
#include "db/search_stats.h"
#include "db/vendor_stmt.h"
#include "../unit/unit.h"

static od_config cfg;
static od_db *db;
static od_arena *arena;
static const char *vendor;

static od_stmt st_context = OD_STMT("search_context",
    "SELECT set_config('odyssey.vendor_id', $1, true)", 1, false);
/* The kept statement whose text holds $1 (a LIKE pattern), first pages only. */
static od_stmt st_kept = OD_STMT(NULL,
    "SELECT name FROM pg_prepared_statements WHERE statement LIKE '%dens AS MATERIALIZED%' "
    "AND statement LIKE '%' || $1 || '%' AND statement NOT LIKE '%ts_rank%' "
    "AND statement NOT LIKE '%::timestamptz, $%::uuid)%'", 1, true);

typedef struct ways {
    int walks, walked;     /* leaf scans of the walk (CTE w): in the plan, that ran */
    int bitmaps, bitmap;   /* leaf scans of the bitmap's branch (b) */
    int index_walks;       /* walk scans on an index (the time index) */
    int heap;              /* heap fetches of index-only scans */
} ways;

/* The indentation of a plan line: its leading spaces (a node's children and
 * details are indented deeper than it). */
static size_t
indent(const char *line)
{
    return strspn(line, " ");
}

/* The executed plan of the kept statement that matches pattern (st_kept) run with
 * the n parameters vals, counted into w. Inside the caller's transaction. */
static void
explain(const char *pattern, const char *const *vals, int n, ways *w)
{
    PGconn *conn = od_db_conn(db);
    PGresult *res = NULL;
    od_buf b;
    od_stmt once = { .name = NULL, .nparams = 0, .idempotent = true };
    size_t top = 0;
    bool verbose = getenv("DB_SEARCH_VERBOSE") != NULL;  /* print the plans */

    memset(w, 0, sizeof(*w));
    CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &st_kept, (const char *const[]){ pattern },
                                     &res), OD_OK);
    CU_ASSERT_EQUAL_FATAL(PQntuples(res), 1);
    od_buf_init(&b, 1 << 20);
    od_buf_printf(&b, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE %s(",
                  PQgetvalue(res, 0, 0));
    for (int i = 0; i < n; i++) {
        char *lit = vals[i] ? PQescapeLiteral(conn, vals[i], strlen(vals[i])) : NULL;

        od_buf_printf(&b, "%s%s", i ? ", " : "", lit ? lit : "NULL");
        PQfreemem(lit);
    }
    od_buf_puts(&b, ")");
    once.sql = od_arena_strndup(arena, b.data, b.len);
    od_buf_free(&b);
    CU_ASSERT_EQUAL_FATAL(od_db_command(db, "SET LOCAL plan_cache_mode = force_generic_plan"),
                          OD_OK);
    CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &once, NULL, &res), OD_OK);
    /* the subtrees of "CTE w" and of "Subquery Scan on b": the lines below each
     * that are indented deeper */
    for (int i = 0, in = 0; i < PQntuples(res); i++) {
        const char *line = PQgetvalue(res, i, 0);
        bool ran = strstr(line, "never executed") == NULL;
        bool leaf = strstr(line, "Scan") && !strstr(line, "Bitmap Index Scan") &&
                    (strstr(line, " on products_v") || strstr(line, " on customers_v"));

        if (in != 0 && indent(line) <= top)
            in = 0;
        if (strcmp(line + indent(line), "CTE w") == 0) {
            in = 'w';
            top = indent(line);
        } else if (strstr(line, "Subquery Scan on b ")) {
            in = 'b';
            top = indent(line);
        } else if (leaf && in == 'w') {
            w->walks++;
            w->walked += ran;
            w->index_walks += strstr(line, "Index") != NULL;
        } else if (leaf && in == 'b') {
            w->bitmaps++;
            w->bitmap += ran;
        }
        if (verbose)
            printf("%s\n", line);
        if (strstr(line, "Heap Fetches:"))
            w->heap += atoi(strstr(line, "Heap Fetches:") + 13);
    }
}

/* Runs a search of words/prefix in table, or a list of tags (words NULL), through
 * the API's code, then explains the kept statement it ran with the same
 * parameters, no filter; the page must hold rows rows. */
static void
search(const char *table, const char *words, const char *prefix, const char *tags, int rows,
       ways *w)
{
    bool products = strcmp(table, "products") == 0;
    od_search_stats st;
    PGresult *res = NULL;

    CU_ASSERT_EQUAL_FATAL(od_db_command(db, "BEGIN"), OD_OK);
    CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &st_context,
                                     (const char *const[]){ vendor }, &res), OD_OK);
    if (products) {
        od_product_filter f = { .vendor_id = vendor, .q = words, .prefix_word = prefix,
                                .tags_any = tags, .limit = 51, .candidates = 500 };

        CU_ASSERT_EQUAL_FATAL(od_products_list(db, arena, &f, &res), OD_OK);
    } else {
        od_customer_filter f = { .vendor_id = vendor, .q = words, .prefix_word = prefix,
                                 .limit = 51 };

        CU_ASSERT_EQUAL_FATAL(od_customers_list(db, arena, &f, &res), OD_OK);
    }
    CU_ASSERT_EQUAL(PQntuples(res), rows);
    CU_ASSERT_EQUAL_FATAL(od_search_stats_get(db, arena, tags != NULL ? OD_SEARCH_PRODUCT_TAGS :
                          products ? OD_SEARCH_PRODUCTS : OD_SEARCH_CUSTOMERS, vendor, words,
                          prefix, &st), OD_OK);
    if (tags != NULL) {  /* products.c: TAGS */
        const char *vals[] = { vendor, tags, NULL, "51", st.lexemes, st.freqs, st.total,
                               "f", "f" };

        explain("products_v%t.dietary_tags &&", vals, 9, w);
    } else {  /* db/search_sql.h, then products.c: SEARCH_FILTERS */
        const char *vals[] = { vendor, words, prefix, "51", st.lexemes, st.freqs, st.total,
                               NULL, "f", "f" };

        explain(products ? "products_v%t.search_tsv @@" : "customers_v%t.search_tsv @@", vals,
                products ? 10 : 7, w);
    }
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
    od_arena_reset(arena);
}

static void
test_products(void)
{
    ways w;

    search("products", "alpha", NULL, NULL, 51, &w);
    CU_ASSERT_EQUAL(w.walks, 16);
    CU_ASSERT_EQUAL(w.index_walks, 16);
    CU_ASSERT(w.walked > 0);
    CU_ASSERT_EQUAL(w.bitmaps, 16);  /* in the plan, never run */
    CU_ASSERT_EQUAL(w.bitmap, 0);

    search("products", "gamma", NULL, NULL, 2, &w);  /* one of three soft-deleted */
    CU_ASSERT_EQUAL(w.walked, 0);
    CU_ASSERT(w.bitmap > 0);

    search("products", "beta", NULL, NULL, 51, &w);
    CU_ASSERT(w.walked > 0);
    CU_ASSERT(w.bitmap > 0);

    search("products", "", "alp", NULL, 51, &w);  /* a prefix of the common word */
    CU_ASSERT(w.walked > 0);
    CU_ASSERT_EQUAL(w.bitmap, 0);

    search("products", "alpha ", "the", NULL, 51, &w);  /* a stop word as the prefix */
    CU_ASSERT(w.walked > 0);
    CU_ASSERT_EQUAL(w.bitmap, 0);

    /* tags.any: vegan on every other row, keto on the oldest half, paleo on three */
    search("products", NULL, NULL, "{\"vegan\"}", 51, &w);
    CU_ASSERT_EQUAL(w.walks, 16);
    CU_ASSERT(w.walked > 0);
    CU_ASSERT_EQUAL(w.bitmap, 0);

    search("products", NULL, NULL, "{\"paleo\"}", 3, &w);
    CU_ASSERT_EQUAL(w.walked, 0);
    CU_ASSERT(w.bitmap > 0);

    search("products", NULL, NULL, "{\"keto\"}", 51, &w);
    CU_ASSERT(w.walked > 0);
    CU_ASSERT(w.bitmap > 0);
}

static void
test_customers(void)
{
    ways w;

    /* One word alone reads customer_terms instead (test_terms): "pat", in every
     * name, makes these searches of two words. */
    search("customers", "pat alpha", NULL, NULL, 51, &w);
    CU_ASSERT_EQUAL(w.walks, 32);
    CU_ASSERT_EQUAL(w.index_walks, 32);
    CU_ASSERT(w.walked > 0);
    CU_ASSERT_EQUAL(w.bitmap, 0);
    CU_ASSERT_EQUAL(w.heap, 0);  /* the time index carries search_tsv (migration 019) */

    search("customers", "pat gamma", NULL, NULL, 3, &w);
    CU_ASSERT_EQUAL(w.walked, 0);
    CU_ASSERT(w.bitmap > 0);

    search("customers", "pat beta", NULL, NULL, 51, &w);
    CU_ASSERT(w.walked > 0);
    CU_ASSERT(w.bitmap > 0);
}

/* The executed plan of the kept term statement for kind/term: the rows its index
 * scan of customer_terms returned into *terms, and into *other the scans of
 * customer_terms of another kind (a sequential or bitmap scan would read every
 * holder of the term). The customers of the test vendor are few enough that their
 * leaves may be read whole. */
static void
explain_term(const char *kind, const char *term, int *terms, int *other)
{
    static od_stmt st_term = OD_STMT(NULL,
        "SELECT name FROM pg_prepared_statements WHERE statement LIKE '%customer_terms_v%' "
        "AND statement NOT LIKE '%$5::timestamptz%'", 0, true);
    PGconn *conn = od_db_conn(db);
    PGresult *res = NULL;
    char *k = PQescapeLiteral(conn, kind, strlen(kind));
    char *t = PQescapeLiteral(conn, term, strlen(term));
    od_stmt once = { .name = NULL, .nparams = 0, .idempotent = true };

    *terms = -1;
    *other = 0;
    CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &st_term, NULL, &res), OD_OK);
    CU_ASSERT_EQUAL_FATAL(PQntuples(res), 1);
    once.sql = od_arena_printf(arena, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                               "EXECUTE %s('%s', %s, %s, 51)", PQgetvalue(res, 0, 0), vendor,
                               k, t);
    PQfreemem(k);
    PQfreemem(t);
    CU_ASSERT_EQUAL_FATAL(od_db_command(db, "SET LOCAL plan_cache_mode = force_generic_plan"),
                          OD_OK);
    CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &once, NULL, &res), OD_OK);
    for (int i = 0; i < PQntuples(res); i++) {
        const char *line = PQgetvalue(res, i, 0);
        const char *rows = strstr(line, "rows=");

        if (strstr(line, " on customer_terms_v") == NULL)
            ;
        else if (strstr(line, "Index") && rows != NULL)
            *terms = atoi(rows + 5);
        else
            (*other)++;
        if (getenv("DB_SEARCH_VERBOSE") != NULL)
            printf("%s\n", line);
    }
}

/* One word alone, or one tag alone, reads the term's range of customer_terms:
 * the page's rows and no more, whatever share of the customers holds it. */
static void
test_terms(void)
{
    static const struct {
        const char *kind, *q, *tag;
        int rows;
    } cases[] = {
        { "w", "alpha", NULL, 51 },   /* 90 % of the customers */
        { "w", "Gamma", NULL, 3 },
        { "w", "zzzz", NULL, 0 },
        { "t", NULL, "{\"every10\"}", 51 },
        { "t", NULL, "{\"none\"}", 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        od_customer_filter f = { .vendor_id = vendor, .q = cases[i].q,
                                 .tags_any = cases[i].tag, .limit = 51 };
        PGresult *res = NULL;
        int terms, other;
        const char *term = cases[i].q != NULL ? cases[i].q : "every10";

        if (cases[i].tag != NULL && strcmp(cases[i].tag, "{\"none\"}") == 0)
            term = "none";
        CU_ASSERT_EQUAL_FATAL(od_db_command(db, "BEGIN"), OD_OK);
        CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &st_context,
                                         (const char *const[]){ vendor }, &res), OD_OK);
        CU_ASSERT_EQUAL_FATAL(od_customers_list(db, arena, &f, &res), OD_OK);
        CU_ASSERT_EQUAL(PQntuples(res), cases[i].rows);
        explain_term(cases[i].kind, term, &terms, &other);
        CU_ASSERT_EQUAL(terms, cases[i].rows);
        CU_ASSERT_EQUAL(other, 0);
        CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
        od_arena_reset(arena);
    }
}

static const od_unit_case cases[] = {
    { "product searches walk or read the bitmap by how common the words are", test_products },
    { "customer searches walk or read the bitmap by how common the words are", test_customers },
    { "one word or one tag alone reads its range of customer_terms", test_terms },
};

int
main(void)
{
    char *env[] = { NULL };
    char err[256];
    int rc;

    if (getenv("DATABASE_URL") == NULL || (vendor = getenv("SEARCH_VENDOR")) == NULL) {
        fprintf(stderr, "db_search: needs DATABASE_URL and SEARCH_VENDOR\n");
        return 2;
    }
    od_log_init("db_search", OD_LOG_ERROR);
    if (od_config_load(&cfg, env, err, sizeof(err)) != OD_OK)
        return 2;
    db = od_db_open(getenv("DATABASE_URL"), "db_search", &cfg, false);
    arena = od_arena_create(0);
    if (db == NULL || arena == NULL || od_db_ready(db) != OD_OK)
        return 2;
    rc = od_unit_run("db_search", cases, sizeof(cases) / sizeof(cases[0]));
    od_vendor_stmt_reset();
    od_search_stats_reset();
    od_db_close(db);
    od_arena_destroy(arena);
    od_config_free(&cfg);
    return rc;
}
