-- 018 customer children without foreign keys to the partitioned parents (issue 5).
-- A foreign key check on customers runs a cached generic plan that locks every
-- partition of every vendor before pruning: 32 leaves a vendor, so about 1,600 at
-- 50 vendors, 0.4 us each, for every inserted profile, consent, list entry or cached
-- match (a 100,000-profile load took 5.8 s with the check and 0.29 s without it at
-- four vendors, bench/README.md). Migration 014 did the same for the children of
-- products; the whitelists and blacklists, which also name products, follow it too.
-- The rules hold by other means:
--  * a child row names a customer (and a list entry a product) of its own vendor:
--    one set-based check per statement, planned with the vendor's id so it prunes.
--    The check takes FOR KEY SHARE on the parents it finds, as a foreign key
--    would: a customer deleted meanwhile waits for the writer, then its cascade
--    deletes the new rows too, and a deletion committed first fails the check.
--  * customer_id, product_id and vendor_id never change (row triggers that fire only
--    when one does);
--  * deleting customers deletes their health profile, consents, lists and cached
--    matches (one statement-level trigger), and deleting products their list
--    entries (the products cascade of 014, extended).

ALTER TABLE customer_health_profiles DROP CONSTRAINT customer_health_profiles_customer_fkey;
ALTER TABLE customer_consents DROP CONSTRAINT customer_consents_customer_fkey;
ALTER TABLE matches_cache DROP CONSTRAINT matches_cache_customer_fkey;
ALTER TABLE customer_whitelists DROP CONSTRAINT customer_whitelists_customer_fkey,
    DROP CONSTRAINT customer_whitelists_product_fkey;
ALTER TABLE customer_blacklists DROP CONSTRAINT customer_blacklists_customer_fkey,
    DROP CONSTRAINT customer_blacklists_product_fkey;

-- One check and one guard for every child of a partitioned parent; migration 014's
-- product-only pair is replaced by them, so images and lineage lock their product
-- as list entries do. Arguments: the parent table ('products' or 'customers') and
-- the child's column naming it ('product_id' or 'customer_id').
CREATE FUNCTION od_check_parent_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    parent text := TG_ARGV[0];
    col    text := TG_ARGV[1];
    v uuid;
    missing bigint;
BEGIN
    FOR v IN SELECT DISTINCT n.vendor_id FROM new_rows n LOOP
        -- EXECUTE plans with the value of v: the parent scans prune to its vendor.
        EXECUTE format('SELECT 1 FROM public.%I p WHERE p.vendor_id = $1 AND p.id IN '
                       '(SELECT n.%I FROM new_rows n WHERE n.vendor_id = $1) FOR KEY SHARE',
                       parent, col)
            USING v;
        EXECUTE format('SELECT count(*) FROM new_rows n WHERE n.vendor_id = $1 AND NOT EXISTS '
                       '(SELECT 1 FROM public.%I p WHERE p.vendor_id = $1 AND p.id = n.%I)',
                       parent, col)
            INTO missing USING v;
        IF missing > 0 THEN
            RAISE EXCEPTION '% row(s) of % name no % row of vendor %', missing, TG_TABLE_NAME,
                            parent, v
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                      CONSTRAINT = TG_TABLE_NAME || '_' || col || '_fkey';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION od_forbid_parent_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% and vendor_id cannot change', TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
              CONSTRAINT = TG_TABLE_NAME || '_' || TG_ARGV[0] || '_fkey';
END
$$;

-- ref_triggers(table, parent, column, prefix): the check after inserts and the guard
-- before updates of table, named trg_<prefix>_ref and trg_<prefix>_fixed.
CREATE FUNCTION pg_temp.ref_triggers(t text, parent text, col text, prefix text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', 'trg_' || prefix || '_ref', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', 'trg_' || prefix || '_fixed', t);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON public.%I '
                   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                   'EXECUTE FUNCTION od_check_parent_refs(%L, %L)',
                   'trg_' || prefix || '_ref', t, parent, col);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW '
                   'WHEN (OLD.%I IS DISTINCT FROM NEW.%I '
                   'OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id) '
                   'EXECUTE FUNCTION od_forbid_parent_change(%L)',
                   'trg_' || prefix || '_fixed', t, col, col, col);
END
$$;

SELECT pg_temp.ref_triggers(t, 'customers', 'customer_id', 'customer')
  FROM unnest(ARRAY['customer_health_profiles', 'customer_consents', 'matches_cache',
                    'customer_whitelists', 'customer_blacklists']) AS t;
SELECT pg_temp.ref_triggers(t, 'products', 'product_id', 'product')
  FROM unnest(ARRAY['product_images', 'product_sources', 'customer_whitelists',
                    'customer_blacklists']) AS t;
DROP FUNCTION od_check_product_refs();
DROP FUNCTION od_forbid_product_change();

CREATE FUNCTION od_customers_cascade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM public.customer_health_profiles x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.customer_id = o.id;
    DELETE FROM public.customer_consents x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.customer_id = o.id;
    DELETE FROM public.customer_whitelists x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.customer_id = o.id;
    DELETE FROM public.customer_blacklists x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.customer_id = o.id;
    DELETE FROM public.matches_cache x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.customer_id = o.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_z_cascade AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_customers_cascade();

CREATE OR REPLACE FUNCTION od_products_cascade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM public.product_images i USING old_rows o
     WHERE i.vendor_id = o.vendor_id AND i.product_id = o.id;
    DELETE FROM public.product_sources s USING old_rows o
     WHERE s.vendor_id = o.vendor_id AND s.product_id = o.id;
    DELETE FROM public.customer_whitelists x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.product_id = o.id;
    DELETE FROM public.customer_blacklists x USING old_rows o
     WHERE x.vendor_id = o.vendor_id AND x.product_id = o.id;
    RETURN NULL;
END
$$;
