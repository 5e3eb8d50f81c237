-- 037 cheaper checks on the rows a batch writes (issues 4 and 5, benchmark;
-- docs/performance.md, "Row checks of a batch").
--
-- 1. trg_a_require_id (001) only turns a missing id into a clear error: it now
--    fires only then, through its WHEN condition, instead of entering PL/pgSQL for
--    every product and customer inserted (10,000 calls in a full batch).
-- 2. od_check_parent_refs (018) probed the parents of a statement's new rows twice:
--    once to lock them FOR KEY SHARE, once more to count the ones missing. It now
--    probes once, counting the rows it locked, and compares that with the number of
--    distinct parents named, read from the transition table alone (the children's
--    parent columns are NOT NULL). The rules do not change: every parent found is
--    locked as a foreign key would lock it, and a statement naming a parent that is
--    not there (or is not its vendor's) fails with the same SQLSTATE (23503) and
--    constraint name; the message now counts the missing parents, not the rows.

DROP TRIGGER trg_a_require_id ON products;
CREATE TRIGGER trg_a_require_id BEFORE INSERT ON products
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION od_require_entity_id('products');
DROP TRIGGER trg_a_require_id ON customers;
CREATE TRIGGER trg_a_require_id BEFORE INSERT ON customers
    FOR EACH ROW WHEN (NEW.id IS NULL) EXECUTE FUNCTION od_require_entity_id('customers');

CREATE OR REPLACE FUNCTION od_check_parent_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    parent text := TG_ARGV[0];
    col    text := TG_ARGV[1];
    v uuid;
    named  bigint;
    locked bigint;
BEGIN
    FOR v IN SELECT DISTINCT n.vendor_id FROM new_rows n LOOP
        -- EXECUTE plans with the value of v: the parent scan prunes to its vendor.
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM public.%I p WHERE p.vendor_id = $1 '
                       'AND p.id IN (SELECT n.%I FROM new_rows n WHERE n.vendor_id = $1) '
                       'FOR KEY SHARE) l', parent, col)
            INTO locked USING v;
        EXECUTE format('SELECT count(DISTINCT n.%I) FROM new_rows n WHERE n.vendor_id = $1', col)
            INTO named USING v;
        IF locked < named THEN
            RAISE EXCEPTION '% row(s) of % named by % are missing for vendor %',
                            named - locked, parent, TG_TABLE_NAME, v
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                      CONSTRAINT = TG_TABLE_NAME || '_' || col || '_fkey';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
