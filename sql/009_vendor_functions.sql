-- 009 vendor provisioning: od_create_vendor(name) inserts the vendor and creates its
-- partitions (products 1+16, customers 1+32) in the caller's transaction (owner only);
-- od_analyze_vendor(vendor, table) lets the app role ANALYZE a vendor after a load.

CREATE FUNCTION od_vendor_partition_name(p_table text, p_vendor uuid) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT p_table || '_v' || replace(p_vendor::text, '-', '')
$$;
COMMENT ON FUNCTION od_vendor_partition_name(text, uuid) IS
    'Name of a vendor''s LIST partition, e.g. products_v<32 hex>; hash leaves add _h00.._hNN.';

CREATE FUNCTION od_create_vendor_partitions(p_vendor uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    spec   record;
    parent text;
    i      integer;
BEGIN
    FOR spec IN SELECT * FROM (VALUES ('products', 16), ('customers', 32)) AS t(tbl, modulus) LOOP
        parent := od_vendor_partition_name(spec.tbl, p_vendor);
        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES IN (%L) PARTITION BY HASH (id)',
                       parent, spec.tbl, p_vendor);
        FOR i IN 0 .. spec.modulus - 1 LOOP
            EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                           parent || '_h' || lpad(i::text, 2, '0'), parent, spec.modulus, i);
        END LOOP;
        -- per-column statistics targets are not inherited by new partitions
        EXECUTE format('ALTER TABLE public.%I ALTER COLUMN search_tsv SET STATISTICS 1000', parent);
    END LOOP;
END
$$;

CREATE FUNCTION od_create_vendor(p_name text) RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.vendors (name) VALUES (p_name) RETURNING id INTO v_id;
    PERFORM od_create_vendor_partitions(v_id);
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION od_create_vendor(text) IS
    'Owner only. Inserts a vendor and creates products_v<hex> (HASH x16) and customers_v<hex> (HASH x32).';

-- ANALYZE needs table ownership in PostgreSQL 15; the ingestion worker (app role)
-- calls this after a merge (PRD 6.2). Analyses the vendor's LIST partition and leaves.
CREATE FUNCTION od_analyze_vendor(p_vendor uuid, p_table text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    part text;
BEGIN
    IF p_table NOT IN ('products', 'customers') THEN
        RAISE EXCEPTION 'od_analyze_vendor: table must be products or customers, not %', p_table
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    part := od_vendor_partition_name(p_table, p_vendor);
    IF to_regclass(format('public.%I', part)) IS NULL THEN
        RAISE EXCEPTION 'od_analyze_vendor: no partition % for vendor %', part, p_vendor
            USING ERRCODE = 'undefined_table';
    END IF;
    EXECUTE format('ANALYZE public.%I', part);
END
$$;

REVOKE EXECUTE ON FUNCTION od_create_vendor(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION od_create_vendor_partitions(uuid) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION od_analyze_vendor(uuid, text) FROM PUBLIC;
