-- 032 the customer's health lock (issue 5; docs/health.md).
-- A write of a health profile takes a transaction advisory lock of (vendor,
-- customer) before it loads the profile, so writers of one customer take turns
-- (src/db/health_profiles.c). Deleting the customer removes its health data
-- (od_customers_cascade) and is such a writer too: it takes the same lock, after the
-- vendor's customers lock. Without it a first profile written while its customer is
-- deleted could deadlock: the write's store locks the customer's cached matches and
-- then, checking the customer (od_check_parent_refs), waits for the delete, which
-- holds the customer and waits for those matches. With it the two take turns, and
-- a write that comes second finds no customer (404).

CREATE FUNCTION od_health_lock(p_vendor uuid, p_customer uuid) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_xact_lock(hashtext('customer_health_profiles'),
                                 hashtext(p_vendor::text || '/' || p_customer::text));
$$;
COMMENT ON FUNCTION od_health_lock(uuid, uuid) IS
    'Takes the transaction lock that writers of one customer''s health data take in turn (migration 032).';
REVOKE EXECUTE ON FUNCTION od_health_lock(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_health_lock(uuid, uuid) TO odyssey_app;

CREATE OR REPLACE FUNCTION od_customers_delete(p_vendor uuid, p_id uuid)
RETURNS TABLE (external_id text, created_at timestamptz, updated_at timestamptz)
LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_xact_lock(hashtext('customers'), hashtext(p_vendor::text));
    SELECT od_health_lock(p_vendor, p_id);

    WITH gone AS (
        DELETE FROM public.customers c
         WHERE c.vendor_id = p_vendor AND c.id = p_id
        RETURNING c.id, c.external_id, c.created_at, c.updated_at
    ), event AS (
        INSERT INTO public.events (vendor_id, event_type, payload)
        SELECT p_vendor, 'customer.updated',
               jsonb_build_object('customer_id', g.id, 'external_id', g.external_id,
                                  'change', 'deleted', 'changed_fields', '[]'::jsonb)
          FROM gone g
    )
    SELECT g.external_id, g.created_at, g.updated_at FROM gone g;
$$;
