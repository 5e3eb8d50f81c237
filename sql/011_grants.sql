-- 011 privileges of the application role odyssey_app: DML on the partitioned PARENTS
-- and ordinary tables only (never on partitions: access through the parent is checked
-- on the parent), no DDL/TRUNCATE/ownership; audit_log insert+read only; global rows
-- (vendor_id NULL) of taxonomy/dictionaries/policies are read-only through RLS.
-- Later migrations must GRANT on the tables they add (no default privileges on purpose:
-- they would also grant on the partitions created by od_create_vendor).

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO odyssey_app;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO odyssey_app', current_database());
END
$$;

-- tenant data (products/customers: the partitioned parents)
GRANT SELECT, INSERT, UPDATE, DELETE ON
    products, product_images, product_sources,
    customers, customer_health_profiles, customer_consents,
    customer_whitelists, customer_blacklists,
    users, user_links,
    vendor_mappings, ingestion_jobs, ingestion_job_errors,
    stg_products, stg_customers, stg_vendor_raw,
    connectors, connector_cursors,
    matches_cache,
    webhook_endpoints, webhook_deliveries,
    events, jobs, idempotency_keys
TO odyssey_app;

-- taxonomy, dictionaries and policies: vendors manage their own rows (RLS below)
GRANT SELECT, INSERT, UPDATE, DELETE ON
    tax_categories, tax_tags, tax_allergens, tax_cuisines, tax_certifications,
    synonyms_header, synonyms_value, diet_rules, scoring_policies
TO odyssey_app;

-- vendors are created by the owner (od_create_vendor); the app reads them and updates
-- status/settings_json/catalog_version
GRANT SELECT, UPDATE ON vendors TO odyssey_app;
-- maintained by a SECURITY DEFINER trigger; the app may only read it
GRANT SELECT ON product_barcodes TO odyssey_app;
-- superadmin registry: managed by operators
GRANT SELECT ON platform_admins TO odyssey_app;
-- insert-only audit trail
GRANT SELECT, INSERT ON audit_log TO odyssey_app;

GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO odyssey_app;

-- functions: nothing is executable by PUBLIC; the app gets the helpers it calls.
-- (Trigger functions fire without EXECUTE; od_create_vendor stays owner-only.)
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace
                AND p.proname LIKE 'od\_%'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION od_entity_id(uuid, text) TO odyssey_app;
GRANT EXECUTE ON FUNCTION od_vendor_partition_name(text, uuid) TO odyssey_app;
GRANT EXECUTE ON FUNCTION od_analyze_vendor(uuid, text) TO odyssey_app;

-- Row-level security: global rows (vendor_id NULL, seeded by migrations) are visible to
-- the app but cannot be inserted, changed or deleted by it. The owner is exempt
-- (table owners bypass RLS), and FK checks are not affected.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tax_categories', 'tax_tags', 'tax_allergens', 'tax_cuisines',
                             'tax_certifications', 'synonyms_header', 'synonyms_value',
                             'diet_rules', 'scoring_policies']
    LOOP
        EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY app_read ON public.%I FOR SELECT TO odyssey_app USING (true)', t);
        EXECUTE format('CREATE POLICY app_insert_vendor_rows ON public.%I FOR INSERT TO odyssey_app
                            WITH CHECK (vendor_id IS NOT NULL)', t);
        EXECUTE format('CREATE POLICY app_update_vendor_rows ON public.%I FOR UPDATE TO odyssey_app
                            USING (vendor_id IS NOT NULL) WITH CHECK (vendor_id IS NOT NULL)', t);
        EXECUTE format('CREATE POLICY app_delete_vendor_rows ON public.%I FOR DELETE TO odyssey_app
                            USING (vendor_id IS NOT NULL)', t);
    END LOOP;
END
$$;
