-- 023 vendor views: one view per vendor over its own LIST partition of products and
-- of customers, so that a statement can keep its plan between requests
-- (docs/performance.md, "Plans kept per vendor").
--
-- A statement naming the parent is planned again on every request: the vendor is a
-- parameter and the partitions are pruned while planning, over 16 (products) or 32
-- (customers) hash leaves with their indexes, 0.4-3 ms a request. A generic plan of
-- the parent would lock every vendor's leaves on every execution. A generic plan of
-- one vendor's partition covers only its leaves, and the API keeps one per vendor and
-- connection (src/db/vendor_stmt.c).
--
-- Each view keeps the current vendor's rows itself, as products_scoped and
-- customers_scoped do (migrations 014, 017): a view owned by the owner, whose rows the
-- GIN indexes can find, and which shows nothing when the request's vendor is another
-- one. Reads only: writes and row locks go through the parents and their policies.
-- SELECT * is expanded now: a migration that adds a column to products or customers
-- must create these views again (od_create_vendor_views(vendor) does).

CREATE FUNCTION od_vendor_view_name(p_table text, p_vendor uuid) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT od_vendor_partition_name(p_table, p_vendor) || '_scoped'
$$;
COMMENT ON FUNCTION od_vendor_view_name(text, uuid) IS
    'Name of a vendor''s view over its partition, e.g. products_v<32 hex>_scoped (migration 023).';
REVOKE EXECUTE ON FUNCTION od_vendor_view_name(text, uuid) FROM PUBLIC;

CREATE FUNCTION od_create_vendor_views(p_vendor uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['products', 'customers'] LOOP
        EXECUTE format('CREATE OR REPLACE VIEW public.%I AS SELECT * FROM public.%I '
                       'WHERE vendor_id = od_current_vendor()',
                       od_vendor_view_name(tbl, p_vendor), od_vendor_partition_name(tbl, p_vendor));
        EXECUTE format('GRANT SELECT ON public.%I TO odyssey_app',
                       od_vendor_view_name(tbl, p_vendor));
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION od_create_vendor_views(uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION od_create_vendor(p_name text) RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.vendors (name) VALUES (p_name) RETURNING id INTO v_id;
    PERFORM od_create_vendor_partitions(v_id);
    PERFORM od_create_vendor_views(v_id);
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION od_create_vendor(text) IS
    'Owner only. Inserts a vendor and creates products_v<hex> (HASH x16) and customers_v<hex> (HASH x32), with their views (migration 023).';

SELECT od_create_vendor_views(id) FROM vendors;
