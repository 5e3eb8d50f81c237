-- 029 vocabulary version (issue 5, benchmark; docs/health.md, docs/performance.md).
-- The words a request validates against (db/vocabulary.c: allergens, dietary tags,
-- categories, cuisines, genders, conditions and their synonyms) change rarely and
-- were read again by every write of a health profile: a third of a round trip's
-- worth of the database's time. vocabulary_version counts the changes to the
-- tables they come from; it is bumped in the transaction of every statement that
-- writes one of them, so a request that reads the same number as a worker's copy
-- knows the copy is what it would read itself (src/api/vocabularies.c).
--
-- A database restored to an earlier point repeats numbers with other words: the
-- workers trust a copy only on the connection it was read on (a restore breaks
-- every connection).
--
-- One row for every vendor: a change to one vendor's words (rare: an administrator's
-- work) makes every worker read every vendor's words once more, and writers of these
-- tables take turns on the row until they commit.

CREATE TABLE vocabulary_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    epoch    uuid    NOT NULL DEFAULT gen_random_uuid(),  -- a database made anew
    version  bigint  NOT NULL DEFAULT 1                   -- counts from 1 again
);
COMMENT ON TABLE vocabulary_version IS
    'One row: a counter of the statements that changed the taxonomy, synonyms_value or diet_rules (migration 029).';
INSERT INTO vocabulary_version DEFAULT VALUES;
GRANT SELECT ON vocabulary_version TO odyssey_app;

-- The version as the API compares it: '<epoch>:<counter>'.
CREATE FUNCTION od_vocabulary_version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT v.epoch::text || ':' || v.version FROM public.vocabulary_version v
$$;

CREATE FUNCTION od_vocabulary_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE public.vocabulary_version SET version = version + 1;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION od_vocabulary_bump() FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tax_allergens', 'tax_tags', 'tax_categories', 'tax_cuisines',
                             'synonyms_value', 'diet_rules'] LOOP
        EXECUTE format('CREATE TRIGGER trg_vocabulary_version '
                       'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION od_vocabulary_bump()', t);
    END LOOP;
END
$$;
