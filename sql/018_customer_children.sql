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
--    The check takes FOR KEY SHARE on the customers it finds, as a foreign key
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

CREATE FUNCTION od_check_customer_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v uuid;
    missing bigint;
BEGIN
    FOR v IN SELECT DISTINCT n.vendor_id FROM new_rows n LOOP
        -- EXECUTE plans with the value of v: the customers scans prune to its vendor.
        EXECUTE 'SELECT 1 FROM public.customers c WHERE c.vendor_id = $1 AND c.id IN '
                '(SELECT n.customer_id FROM new_rows n WHERE n.vendor_id = $1) FOR KEY SHARE'
            USING v;
        EXECUTE 'SELECT count(*) FROM new_rows n WHERE n.vendor_id = $1 AND NOT EXISTS '
                '(SELECT 1 FROM public.customers c WHERE c.vendor_id = $1 AND c.id = n.customer_id)'
            INTO missing USING v;
        IF missing > 0 THEN
            RAISE EXCEPTION '% row(s) of % name no customer of vendor %', missing, TG_TABLE_NAME, v
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                      CONSTRAINT = TG_TABLE_NAME || '_customer_fkey';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION od_forbid_customer_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.customer_id and vendor_id cannot change', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
              CONSTRAINT = TG_TABLE_NAME || '_customer_fkey';
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['customer_health_profiles', 'customer_consents', 'matches_cache',
                             'customer_whitelists', 'customer_blacklists'] LOOP
        EXECUTE format('CREATE TRIGGER trg_customer_ref AFTER INSERT ON public.%I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION od_check_customer_refs()', t);
        EXECUTE format('CREATE TRIGGER trg_customer_fixed BEFORE UPDATE ON public.%I FOR EACH ROW '
                       'WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id '
                       'OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id) '
                       'EXECUTE FUNCTION od_forbid_customer_change()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['customer_whitelists', 'customer_blacklists'] LOOP
        EXECUTE format('CREATE TRIGGER trg_product_ref AFTER INSERT ON public.%I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION od_check_product_refs()', t);
        EXECUTE format('CREATE TRIGGER trg_product_fixed BEFORE UPDATE ON public.%I FOR EACH ROW '
                       'WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id '
                       'OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id) '
                       'EXECUTE FUNCTION od_forbid_product_change()', t);
    END LOOP;
END
$$;

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
