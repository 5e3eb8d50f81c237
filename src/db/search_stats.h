/* search_stats.h: how common the words of a vendor's searchable rows are, for the
 * searches that keep their plan (db/search_sql.h). Read from PostgreSQL's own
 * statistics (od_search_lexemes, migrations 025 and 030) and kept per process for
 * OD_SEARCH_STATS_TTL_S seconds per vendor and table: a stale list only makes a
 * search choose the slower of its two ways, never changes its result. */
#ifndef OD_DB_SEARCH_STATS_H
#define OD_DB_SEARCH_STATS_H

#include "core/arena.h"
#include "core/status.h"
#include "db/db.h"

#define OD_SEARCH_STATS_TTL_S 600
#define OD_SEARCH_STATS_MIN "0.005"  /* rarer lexemes are never walked for */

/* The words of products or of customers, or the dietary tags of products. */
typedef enum od_search_table {
    OD_SEARCH_PRODUCTS, OD_SEARCH_CUSTOMERS, OD_SEARCH_PRODUCT_TAGS
} od_search_table;

/* Parameters $5-$7 of a kept search, owned by the arena od_search_stats_get is
 * given. */
typedef struct od_search_stats {
    const char *lexemes;  /* text[] literal, sorted in C collation */
    const char *freqs;    /* real[] literal: the fraction of rows holding each */
    const char *total;    /* the vendor's estimated rows in that table */
} od_search_stats;

/* Fills out for table t of vendor_id, which must be the vendor of the current
 * transaction's context (the function reads only that vendor's statistics): from
 * the process's copy when it is recent, else read now (a plain read: in front of
 * the request's deferred BEGIN it is a transaction of its own, db/db.h). With the
 * words of a search (separated by spaces) or its prefix word, only the lexemes that
 * begin with the first two letters of one of them: a word's lexemes begin as the
 * word does (stemming changes endings), so for words of ASCII letters and digits
 * (all a kept search takes) the estimate is the same, and the statement parses a
 * few entries instead of hundreds; a lexeme missed would only make the search take
 * the bitmap. Both NULL: all of them. Returns OD_OK, OD_ENOMEM or
 * od_db_exec codes. */
od_rc od_search_stats_get(od_db *db, od_arena *a, od_search_table t, const char *vendor_id,
                          const char *words, const char *prefix, od_search_stats *out);

/* Forgets every copy (tests). */
void od_search_stats_reset(void);

#endif
