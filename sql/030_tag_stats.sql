-- 030 tag statistics: how often each dietary tag of the current vendor's products
-- occurs, for the list filtered on tags.any that keeps its plan (src/db/products.c,
-- docs/catalog.md).
--
-- As for the words of a search (migration 025), a kept list of tags either walks the
-- newest products and tests each, or reads every holder through the GIN index of
-- dietary_tags; which is cheaper depends on how common the tags are, which only the
-- statistics know (pg_stats.most_common_elems of dietary_tags). od_search_lexemes
-- now also answers for 'product_tags': the column dietary_tags of products, read
-- like search_tsv (the vendor's first hash leaf, frequencies of at least p_min).
-- An element's frequency in pg_stats is a fraction of the rows where the column is
-- not NULL (products without tags have NULL): it is scaled to all the rows, which
-- the row estimate counts. (search_tsv is never NULL.)

CREATE OR REPLACE FUNCTION od_search_lexemes(p_table text, p_min real)
RETURNS TABLE (lexemes text[], freqs real[], total_rows real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH part AS (
        SELECT od_vendor_partition_name(CASE p_table WHEN 'product_tags' THEN 'products'
                                                     ELSE p_table END,
                                        od_current_vendor()) AS name,
               CASE p_table WHEN 'product_tags' THEN 'dietary_tags'
                            ELSE 'search_tsv' END AS col
        WHERE p_table IN ('products', 'customers', 'product_tags')
          AND od_current_vendor() IS NOT NULL
    ), e AS (
        SELECT x.lex, x.f * (1 - s.null_frac) AS f
        FROM part, pg_stats s,
             unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS x(lex, f)
        WHERE s.schemaname = 'public' AND s.tablename = part.name || '_h00'
          AND s.attname = part.col AND x.lex IS NOT NULL AND x.f * (1 - s.null_frac) >= p_min
    )
    SELECT coalesce((SELECT array_agg(e.lex ORDER BY e.lex COLLATE "C") FROM e), '{}'),
           coalesce((SELECT array_agg(e.f ORDER BY e.lex COLLATE "C") FROM e), '{}'),
           coalesce((SELECT sum(greatest(c.reltuples, 0))
                     FROM part, pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                     WHERE i.inhparent = to_regclass(format('public.%I', part.name))), 0)::real
$$;
COMMENT ON FUNCTION od_search_lexemes(text, real) IS
    'The current vendor''s frequent search lexemes (products or customers) or product dietary tags (product_tags), and row estimate (migrations 025, 030).';
