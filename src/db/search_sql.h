/* search_sql.h: the text shared by the searches that keep their plan per vendor
 * (products and customers, db/vendor_stmt.h). One generic plan holds two ways to
 * find the newest matches of the words, and the statement picks one per run:
 *
 *   walk:   the vendor's newest rows in time order (the time index), each tested
 *           against the words, at most a window of rows; cheap when the words
 *           are common, since few rows are read before enough match;
 *   bitmap: every match through the GIN index, then the newest of them; cheap
 *           when the words are rare.
 *
 * The window comes from how common the words are (db/search_stats.h): with a
 * fraction f of the vendor's total rows matching, finding want matches walks about
 * want / f rows, and the bitmap reads f * total; the walk is taken when
 * f * f * total >= want, over a window of 2 * want / f rows. When the window holds
 * fewer than want matches (the words are rarer among the newest rows, or the
 * estimate was wrong) the bitmap runs as well, behind a one-time filter, so the
 * result never depends on the estimate: it is always the want newest matches.
 *
 * Parameters: $1 the vendor, $2 the words (websearch_to_tsquery text of plain
 * words), $3 a last word matched as a prefix or NULL, $4 want, $5 the frequent
 * lexemes (text[], sorted), $6 their frequencies (real[]), $7 the vendor's rows.
 * The statement using these may add its own from $8.
 *
 * The same two ways serve a list filtered on any of some array elements (products'
 * tags.any, db/products.c): OD_SEARCH_WIN and OD_SEARCH_KEYS_OF with a dens of its
 * own, from the elements' frequencies, and the same $1, $4-$7. */
#ifndef OD_DB_SEARCH_SQL_H
#define OD_DB_SEARCH_SQL_H

/* The full-text query tsq(q), as od_sql_tsquery builds it, in configuration CFG. */
#define OD_SEARCH_TSQ(CFG) \
    "tsq AS MATERIALIZED (SELECT CASE WHEN $3::text IS NULL " \
    "THEN websearch_to_tsquery('" CFG "', $2::text) " \
    "ELSE websearch_to_tsquery('" CFG "', $2::text) && to_tsquery('" CFG "', $3::text || ':*') " \
    "END AS q)"

/* The estimated fraction of rows matching: the rarest word's frequency (a lexeme
 * missing from the list is rarer than its rarest entry: 0), and for a prefix the
 * sum over the lexemes it begins (none when the prefix is a stop word, which the
 * query drops too); 0 when the query has no lexeme. Then the window win(n): 0
 * means straight to the bitmap. */
#define OD_SEARCH_WINDOW(CFG) \
    "dens AS MATERIALIZED (SELECT CASE WHEN numnode((SELECT q FROM tsq)) = 0 THEN 0 " \
    "ELSE least(coalesce((SELECT min(coalesce(s.f, 0)) " \
    "FROM unnest(tsvector_to_array(to_tsvector('" CFG "', $2::text))) AS w(l) " \
    "LEFT JOIN unnest($5::text[], $6::real[]) AS s(l, f) ON s.l = w.l), 1), " \
    "CASE WHEN px.x IS NULL THEN 1 ELSE (SELECT coalesce(sum(s.f), 0) " \
    "FROM unnest($5::text[], $6::real[]) AS s(l, f) WHERE starts_with(s.l, px.x)) END) " \
    "END AS f " \
    "FROM (SELECT min(x) AS x FROM unnest(tsvector_to_array(to_tsvector('" CFG "', " \
    "coalesce($3::text, '')))) AS x) AS px), " \
    OD_SEARCH_WIN

/* The window win(n) from dens(f), the estimated fraction of the rows that match. */
#define OD_SEARCH_WIN \
    "win AS MATERIALIZED (SELECT CASE WHEN f > 0 AND f * f * $7::real >= $4::int " \
    "THEN least(ceil(2 * $4::int / f), $7::real)::int ELSE 0 END AS n FROM dens)"

/* k(COLS): the $4 newest rows t of the view T (a {v:...} marker) whose column COL
 * satisfies MATCH (an operator and its operand) and that satisfy COND (conditions
 * on t after the vendor's, each beginning with " AND ", or ""), in time order, found
 * one of the two ways above. COLS, columns of t, hold t.id, t.updated_at and t.COL. */
#define OD_SEARCH_KEYS_OF(T, COLS, COL, MATCH, COND) \
    "w AS MATERIALIZED (SELECT r.* " \
    "FROM (SELECT " COLS " FROM " T " t " \
    "WHERE t.vendor_id = $1::uuid" COND " ORDER BY t.updated_at DESC, t.id DESC " \
    "LIMIT (SELECT n FROM win)) r " \
    "WHERE r." COL MATCH " ORDER BY r.updated_at DESC, r.id DESC " \
    "LIMIT $4::int), " \
    "b AS (SELECT r.* " \
    "FROM (SELECT " COLS " FROM " T " t " \
    "WHERE t.vendor_id = $1::uuid" COND " AND t." COL MATCH " OFFSET 0) r " \
    "WHERE (SELECT count(*) FROM w) < $4::int " \
    "ORDER BY r.updated_at DESC, r.id DESC LIMIT $4::int), " \
    "k AS (SELECT * FROM w WHERE (SELECT count(*) FROM w) >= $4::int " \
    "UNION ALL SELECT * FROM b)"

/* The matches of the words. */
#define OD_SEARCH_MATCH " @@ (SELECT q FROM tsq)"

/* The WITH clause of a kept search: tsq, dens, win, w, b and k(id, updated_at,
 * search_tsv). */
#define OD_SEARCH_WITH(T, CFG, COND) \
    "WITH " OD_SEARCH_TSQ(CFG) ", " OD_SEARCH_WINDOW(CFG) ", " \
    OD_SEARCH_KEYS_OF(T, "t.id, t.updated_at, t.search_tsv", "search_tsv", OD_SEARCH_MATCH, COND)

/* The same with k holding the whole rows: for a page in time order, whose rows the
 * walk or the bitmap has read anyway, no lookup of each again. */
#define OD_SEARCH_WITH_ROWS(T, CFG, COND) \
    "WITH " OD_SEARCH_TSQ(CFG) ", " OD_SEARCH_WINDOW(CFG) ", " \
    OD_SEARCH_KEYS_OF(T, "t.*", "search_tsv", OD_SEARCH_MATCH, COND)

#endif
