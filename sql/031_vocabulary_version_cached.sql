-- 031 the vocabulary's version, planned once per session (issue 5, benchmark;
-- docs/performance.md). od_vocabulary_version (migration 029) was a SQL function
-- with a FROM, which PostgreSQL cannot inline: it planned its query again at every
-- call, 0.05 ms of each health read and write. PL/pgSQL keeps the plan for the
-- session. Same name, same answer.

CREATE OR REPLACE FUNCTION od_vocabulary_version() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT v.epoch::text || ':' || v.version FROM public.vocabulary_version v);
END
$$;
