-- 017 customers (issue 5): reads through customers_scoped (so the GIN indexes work
-- under row-level security), a GIN index for the custom_tags filter, the batch upsert
-- and the hard delete. docs/customers.md explains the choices.

-- ---------------------------------------------------------------------------------
-- Reads of lists and searches: the reason and the rules of products_scoped
-- (migration 014). Under row-level security @@ and && are not LEAKPROOF, run after
-- the policy and cannot drive an index; through this view, owned by the owner and
-- keeping the current vendor's rows itself, they can. Every statement of the API
-- names the vendor again. SELECT * is expanded now: a migration that adds a column
-- to customers must create this view again.
-- ---------------------------------------------------------------------------------
CREATE VIEW customers_scoped AS
    SELECT * FROM customers WHERE vendor_id = od_current_vendor();
COMMENT ON VIEW customers_scoped IS
    'The current vendor''s customers, for list and search queries that need the GIN indexes (migration 017).';
GRANT SELECT ON customers_scoped TO odyssey_app;

-- custom_tags.any (&&). The leaves of existing vendors get the small pending list of
-- migration 014; od_create_vendor_partitions gives it to every new vendor's leaves.
CREATE INDEX customers_custom_tags_idx ON customers USING gin (custom_tags);
DO $$
DECLARE
    part text;
BEGIN
    FOR part IN
        SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
         WHERE h.inhparent = 'public.customers'::regclass
    LOOP
        PERFORM od_gin_small_pending_list(part);
    END LOOP;
END
$$;

-- Batch upsert. p_items is a jsonb array of validated, normalised customers (the API
-- checks everything first, src/domain/customer.c), each with its input position
-- "ord". Only new and changed rows are written; the answer lists every item with
-- created, updated or unchanged and the names of the fields that changed. One
-- customer.updated event per changed customer, carrying ids and field names, never
-- values. Runs as the caller: row-level security applies.
CREATE FUNCTION od_customers_upsert(p_vendor uuid, p_items jsonb, p_actor text)
RETURNS TABLE (ord integer, id uuid, result text, changed_fields text[])
LANGUAGE sql VOLATILE AS $$
    -- Customer writers of one vendor take turns, so the next statement (a fresh
    -- snapshot) compares with what the previous writer committed: the last writer
    -- wins and every answer is true. A lock of its own, not the vendor row that the
    -- catalog writers lock: a customer batch need not wait for a product batch.
    SELECT pg_advisory_xact_lock(hashtext('customers'), hashtext(p_vendor::text));

    WITH input AS MATERIALIZED (
        -- MATERIALIZED: cid reaches the join below as a plain column, so row security
        -- lets it drive the primary key (migration 016).
        SELECT x.ord, x.external_id, x.full_name, x.email, x.dob, x.age, x.gender,
               x.location, x.phone, x.custom_tags,
               od_entity_id(p_vendor, x.external_id) AS cid
          FROM jsonb_to_recordset(p_items) AS x(
               ord integer, external_id text, full_name text, email text, dob date,
               age integer, gender gender, location jsonb, phone text, custom_tags text[])
    ), diff AS (
        -- For a new row every column of c is NULL: the changed fields are the ones set.
        SELECT n.*, c.id IS NULL AS is_new,
               array_remove(ARRAY[
                   CASE WHEN n.full_name IS DISTINCT FROM c.full_name THEN 'full_name' END,
                   CASE WHEN n.email IS DISTINCT FROM c.email THEN 'email' END,
                   CASE WHEN n.dob IS DISTINCT FROM c.dob THEN 'dob' END,
                   CASE WHEN n.age IS DISTINCT FROM c.age THEN 'age' END,
                   CASE WHEN n.gender IS DISTINCT FROM c.gender THEN 'gender' END,
                   CASE WHEN n.location IS DISTINCT FROM c.location THEN 'location' END,
                   CASE WHEN n.phone IS DISTINCT FROM c.phone THEN 'phone' END,
                   CASE WHEN n.custom_tags IS DISTINCT FROM c.custom_tags
                        THEN 'custom_tags' END
               ], NULL) AS changed
          FROM input n
          LEFT JOIN public.customers c ON c.vendor_id = p_vendor AND c.id = n.cid
    ), writes AS (
        SELECT d.* FROM diff d WHERE d.is_new OR cardinality(d.changed) > 0
    ), up AS (
        INSERT INTO public.customers AS c (
               id, vendor_id, external_id, full_name, email, dob, age, gender, location,
               phone, custom_tags, created_by, updated_by)
        SELECT w.cid, p_vendor, w.external_id, w.full_name, w.email, w.dob, w.age, w.gender,
               w.location, w.phone, w.custom_tags, p_actor, p_actor
          FROM writes w
         ORDER BY w.cid
        ON CONFLICT ON CONSTRAINT customers_pkey DO UPDATE SET
               full_name = excluded.full_name, email = excluded.email, dob = excluded.dob,
               age = excluded.age, gender = excluded.gender, location = excluded.location,
               phone = excluded.phone, custom_tags = excluded.custom_tags,
               updated_by = excluded.updated_by
        RETURNING c.id
    ), events AS (
        INSERT INTO public.events (vendor_id, event_type, payload)
        SELECT p_vendor, 'customer.updated',
               jsonb_build_object('customer_id', w.cid, 'external_id', w.external_id,
                                  'change', CASE WHEN w.is_new THEN 'created' ELSE 'updated' END,
                                  'changed_fields', to_jsonb(w.changed))
          FROM writes w
         ORDER BY w.ord
    )
    SELECT d.ord, d.cid,
           CASE WHEN d.is_new THEN 'created'
                WHEN cardinality(d.changed) > 0 THEN 'updated'
                ELSE 'unchanged' END,
           d.changed
      FROM diff d
     ORDER BY d.ord;
$$;

-- Hard delete: the customer and, through the ON DELETE CASCADE foreign keys, its
-- health profile, consents, white and black lists and cached matches, in the
-- caller's transaction. Returns the deleted customer's external id and timestamps
-- (no row when there was none) and writes a customer.updated event with ids only.
CREATE FUNCTION od_customers_delete(p_vendor uuid, p_id uuid)
RETURNS TABLE (external_id text, created_at timestamptz, updated_at timestamptz)
LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_xact_lock(hashtext('customers'), hashtext(p_vendor::text));

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

REVOKE EXECUTE ON FUNCTION od_customers_upsert(uuid, jsonb, text),
    od_customers_delete(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_customers_upsert(uuid, jsonb, text),
    od_customers_delete(uuid, uuid) TO odyssey_app;
