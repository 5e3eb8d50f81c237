-- 025 search statistics: how often the words of the current vendor's catalog or
-- customer names occur, for searches that keep their plan (src/db/search_stats.c,
-- docs/performance.md "Searches that keep their plan").
--
-- A search keeps one generic plan per vendor that either walks the newest rows
-- and tests each against the words, or reads every match through the GIN index.
-- Which is cheaper depends on how common the words are, and only the statistics
-- know that: the most common lexemes of search_tsv and the fraction of rows holding
-- each (pg_stats.most_common_elems, kept fresh by autovacuum on every hash leaf).
-- The API role cannot read the statistics of partitions it has no grant on, and
-- converting the arrays costs about a millisecond, so a worker reads them through
-- this function once in a while and keeps the frequent ones.
--
-- (most_common_elem_freqs ends with extra entries, the minimum and maximum
-- frequency, which pair with no lexeme and are left out.)
--
-- Returns the lexemes of the vendor's first hash leaf (the leaves split the rows
-- by a hash of the id, so one leaf's frequencies are the vendor's) with a
-- frequency of at least p_min, in C collation order, and the vendor's estimated
-- row count over all its leaves. Only the current vendor's: no context, no rows.

CREATE FUNCTION od_search_lexemes(p_table text, p_min real)
RETURNS TABLE (lexemes text[], freqs real[], total_rows real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH part AS (
        SELECT od_vendor_partition_name(p_table, od_current_vendor()) AS name
        WHERE p_table IN ('products', 'customers') AND od_current_vendor() IS NOT NULL
    ), e AS (
        SELECT x.lex, x.f
        FROM part, pg_stats s,
             unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS x(lex, f)
        WHERE s.schemaname = 'public' AND s.tablename = part.name || '_h00'
          AND s.attname = 'search_tsv' AND x.lex IS NOT NULL AND x.f >= p_min
    )
    SELECT coalesce((SELECT array_agg(e.lex ORDER BY e.lex COLLATE "C") FROM e), '{}'),
           coalesce((SELECT array_agg(e.f ORDER BY e.lex COLLATE "C") FROM e), '{}'),
           coalesce((SELECT sum(greatest(c.reltuples, 0))
                     FROM part, pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                     WHERE i.inhparent = to_regclass(format('public.%I', part.name))), 0)::real
$$;
COMMENT ON FUNCTION od_search_lexemes(text, real) IS
    'The current vendor''s frequent search lexemes (products or customers) and row estimate (migration 025).';
REVOKE EXECUTE ON FUNCTION od_search_lexemes(text, real) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_search_lexemes(text, real) TO odyssey_app;
