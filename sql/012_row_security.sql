-- 012 row-level security. The application role sees only the rows of the vendor named
-- by the transaction's setting odyssey.vendor_id (set with SET LOCAL semantics by the
-- API at the start of each request), so a query that forgot its WHERE vendor_id still
-- returns nothing of another vendor. FORCE applies the policies to the owner too; the
-- owner keeps full access through an explicit policy (migrations, odysseyctl).

-- The request context, read by the policies. Empty or unset means "none".
CREATE FUNCTION od_current_vendor() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('odyssey.vendor_id', true), '')::uuid $$;

CREATE FUNCTION od_current_user() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('odyssey.user_id', true), '') $$;

-- A platform admin (superadmin) acting on global rows (taxonomy, synonyms).
CREATE FUNCTION od_platform_context() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(current_setting('odyssey.platform_admin', true), '') = 'on' $$;

-- The queue daemon, which works across vendors (jobs, events, deliveries).
CREATE FUNCTION od_system_context() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(current_setting('odyssey.system', true), '') = 'on' $$;

-- Enables and forces RLS on a table and gives the calling role (the owner running the
-- migration) a policy that sees everything. Later migrations call it for the tenant
-- tables they add, then create the app's policy (od_tenant_policy for the plain case).
CREATE FUNCTION od_enable_rls(p_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
    EXECUTE format('CREATE POLICY owner_all ON %s TO CURRENT_USER USING (true) WITH CHECK (true)',
                   p_table);
END
$$;

-- The plain tenant policy: every row of the table belongs to one vendor.
CREATE FUNCTION od_tenant_policy(p_table regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM od_enable_rls(p_table);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s TO odyssey_app '
                   'USING (vendor_id = od_current_vendor()) '
                   'WITH CHECK (vendor_id = od_current_vendor())', p_table);
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'products', 'product_images', 'product_sources', 'product_barcodes',
        'customers', 'customer_health_profiles', 'customer_consents',
        'customer_whitelists', 'customer_blacklists',
        'vendor_mappings', 'ingestion_jobs', 'ingestion_job_errors',
        'stg_products', 'stg_customers', 'stg_vendor_raw',
        'connectors', 'connector_cursors', 'matches_cache',
        'webhook_endpoints', 'idempotency_keys']
    LOOP
        PERFORM od_tenant_policy(t::regclass);
    END LOOP;

    -- Queue infrastructure: the daemon works across vendors in system context.
    FOREACH t IN ARRAY ARRAY['jobs', 'events', 'webhook_deliveries']
    LOOP
        PERFORM od_enable_rls(t::regclass);
        EXECUTE format('CREATE POLICY tenant_or_system ON %I TO odyssey_app '
                       'USING (vendor_id = od_current_vendor() OR od_system_context()) '
                       'WITH CHECK (vendor_id = od_current_vendor() OR od_system_context())', t);
    END LOOP;

    -- Taxonomy, dictionaries and policies: global rows (vendor_id NULL) are read by every
    -- vendor and written only by a platform admin; vendor rows by their vendor only.
    FOREACH t IN ARRAY ARRAY['tax_categories', 'tax_tags', 'tax_allergens', 'tax_cuisines',
                             'tax_certifications', 'synonyms_header', 'synonyms_value',
                             'diet_rules', 'scoring_policies']
    LOOP
        EXECUTE format('DROP POLICY app_read ON %I', t);
        EXECUTE format('DROP POLICY app_insert_vendor_rows ON %I', t);
        EXECUTE format('DROP POLICY app_update_vendor_rows ON %I', t);
        EXECUTE format('DROP POLICY app_delete_vendor_rows ON %I', t);
        PERFORM od_enable_rls(t::regclass);
        EXECUTE format('CREATE POLICY app_read ON %I FOR SELECT TO odyssey_app '
                       'USING (vendor_id IS NULL OR vendor_id = od_current_vendor())', t);
        EXECUTE format('CREATE POLICY app_insert ON %I FOR INSERT TO odyssey_app '
                       'WITH CHECK (vendor_id = od_current_vendor() '
                       'OR (vendor_id IS NULL AND od_platform_context()))', t);
        EXECUTE format('CREATE POLICY app_update ON %I FOR UPDATE TO odyssey_app '
                       'USING (vendor_id = od_current_vendor() '
                       'OR (vendor_id IS NULL AND od_platform_context())) '
                       'WITH CHECK (vendor_id = od_current_vendor() '
                       'OR (vendor_id IS NULL AND od_platform_context()))', t);
        EXECUTE format('CREATE POLICY app_delete ON %I FOR DELETE TO odyssey_app '
                       'USING (vendor_id = od_current_vendor() '
                       'OR (vendor_id IS NULL AND od_platform_context()))', t);
    END LOOP;
END
$$;

-- vendors: the app sees and updates the current vendor only.
SELECT od_enable_rls('vendors');
CREATE POLICY current_vendor ON vendors TO odyssey_app
    USING (id = od_current_vendor()) WITH CHECK (id = od_current_vendor());

-- memberships: the current vendor's, plus the caller's own in every vendor (for /me).
SELECT od_enable_rls('user_links');
CREATE POLICY tenant_isolation ON user_links TO odyssey_app
    USING (vendor_id = od_current_vendor()) WITH CHECK (vendor_id = od_current_vendor());
CREATE POLICY own_memberships ON user_links FOR SELECT TO odyssey_app
    USING (user_id = od_current_user());

-- users are global identities: the app sees the caller and the current vendor's
-- members; it may add shadow rows (a vendor admin inviting a provider's user).
SELECT od_enable_rls('users');
CREATE POLICY visible_users ON users FOR SELECT TO odyssey_app
    USING (id = od_current_user()
           OR EXISTS (SELECT 1 FROM user_links l
                       WHERE l.user_id = users.id AND l.vendor_id = od_current_vendor()));
CREATE POLICY add_users ON users FOR INSERT TO odyssey_app WITH CHECK (true);
CREATE POLICY update_users ON users FOR UPDATE TO odyssey_app
    USING (id = od_current_user()
           OR EXISTS (SELECT 1 FROM user_links l
                       WHERE l.user_id = users.id AND l.vendor_id = od_current_vendor()))
    WITH CHECK (true);

SELECT od_enable_rls('platform_admins');
CREATE POLICY own_admin_row ON platform_admins FOR SELECT TO odyssey_app
    USING (user_id = od_current_user());

-- audit: a vendor reads its own trail; rows are written for the current vendor or
-- for the platform (vendor_id NULL). Updates and deletes are refused by grants and
-- by the trigger of migration 008.
SELECT od_enable_rls('audit_log');
CREATE POLICY read_own_vendor ON audit_log FOR SELECT TO odyssey_app
    USING (vendor_id = od_current_vendor());
CREATE POLICY write_own_vendor ON audit_log FOR INSERT TO odyssey_app
    WITH CHECK (vendor_id IS NULL OR vendor_id = od_current_vendor());

-- The caller's memberships, read before any vendor is chosen (so across vendors, which
-- the policies above forbid): every active link with its vendor's status, plus one
-- row for a platform admin describing p_vendor (the break-glass target) when given.
CREATE FUNCTION od_request_memberships(p_user text, p_vendor uuid)
RETURNS TABLE (vendor_id uuid, vendor_name text, vendor_status vendor_status,
               role od_role, platform_admin boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT l.vendor_id, v.name, v.status, l.role, false
      FROM user_links l JOIN vendors v ON v.id = l.vendor_id
     WHERE l.user_id = p_user AND l.status = 'active' AND l.role <> 'superadmin'
    UNION ALL
    SELECT v.id, v.name, v.status, 'superadmin'::od_role, true
      FROM platform_admins a LEFT JOIN vendors v ON v.id = p_vendor
     WHERE a.user_id = p_user AND a.revoked_at IS NULL
$$;
REVOKE EXECUTE ON FUNCTION od_request_memberships(text, uuid) FROM PUBLIC;

-- Adds the shadow row of an identity-provider user when it is not there yet (a
-- vendor admin inviting a member). The row may belong to users the caller cannot
-- see (members of other vendors), which RLS would refuse to check for a conflict;
-- an existing row is left as it is (the provider owns it).
CREATE FUNCTION od_ensure_user(p_id text, p_email text, p_display_name text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO users (id, email, display_name) VALUES (p_id, p_email, p_display_name)
    ON CONFLICT (id) DO NOTHING
$$;
REVOKE EXECUTE ON FUNCTION od_ensure_user(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_ensure_user(text, text, text) TO odyssey_app;
GRANT EXECUTE ON FUNCTION od_request_memberships(text, uuid) TO odyssey_app;
GRANT EXECUTE ON FUNCTION od_current_vendor(), od_current_user(), od_platform_context(),
    od_system_context() TO odyssey_app;
REVOKE EXECUTE ON FUNCTION od_enable_rls(regclass), od_tenant_policy(regclass) FROM PUBLIC;
