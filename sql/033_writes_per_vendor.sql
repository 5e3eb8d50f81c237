-- 033 writes planned for their vendor (issues 4 and 5; docs/performance.md, "Writes
-- planned for one vendor").
-- od_products_upsert, od_customers_upsert and od_customers_delete were SQL
-- functions. PostgreSQL plans a SQL function's statements at every call without
-- the values of its arguments, so the vendor was unknown to the planner: it planned
-- and locked every vendor's partitions, then pruned them at run time. At 51 vendors
-- that was 816 product leaves and 6,600 relation locks per call: 0.36 s for an
-- empty product batch, 0.8-1.2 s for a customer write, 0.2-0.4 s for a customer
-- delete, every single PATCH and PUT included.
-- Now PL/pgSQL runs each statement with EXECUTE ... USING: a statement planned once
-- with its values, so only the caller's vendor's partitions are planned and locked.
-- The text is constant and the values are parameters ($1 the vendor ...), as
-- before. Same names, arguments, answers and settings. This file changes the two
-- customer functions; od_products_upsert changes the same way in migration 035,
-- with the images it writes there.

CREATE OR REPLACE FUNCTION od_customers_upsert(p_vendor uuid, p_items jsonb, p_actor text)
RETURNS TABLE (ord integer, id uuid, result text, changed_fields text[])
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = auto AS $fn$
BEGIN
    -- Customer writers of one vendor take turns, so the next statement (a fresh
    -- snapshot) compares with what the previous writer committed: the last writer
    -- wins and every answer is true. A lock of its own, not the vendor row that the
    -- catalog writers lock: a customer batch need not wait for a product batch.
    PERFORM pg_advisory_xact_lock(hashtext('customers'), hashtext(p_vendor::text));

    -- $1 vendor, $2 items, $3 actor.
    RETURN QUERY EXECUTE $q$
    WITH input AS MATERIALIZED (
        -- MATERIALIZED: cid reaches the join below as a plain column, so row security
        -- lets it drive the primary key (migration 016).
        SELECT x.ord, x.external_id, x.full_name, x.email, x.dob, x.age, x.gender,
               x.location, x.phone, x.custom_tags,
               od_entity_id($1, x.external_id) AS cid
          FROM jsonb_to_recordset($2) AS x(
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
          LEFT JOIN public.customers c ON c.vendor_id = $1 AND c.id = n.cid
    ), writes AS (
        SELECT d.* FROM diff d WHERE d.is_new OR cardinality(d.changed) > 0
    ), up AS (
        INSERT INTO public.customers AS c (
               id, vendor_id, external_id, full_name, email, dob, age, gender, location,
               phone, custom_tags, created_by, updated_by)
        SELECT w.cid, $1, w.external_id, w.full_name, w.email, w.dob, w.age, w.gender,
               w.location, w.phone, w.custom_tags, $3, $3
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
        SELECT $1, 'customer.updated',
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
     ORDER BY d.ord
    $q$ USING p_vendor, p_items, p_actor;
END
$fn$;

CREATE OR REPLACE FUNCTION od_customers_delete(p_vendor uuid, p_id uuid)
RETURNS TABLE (external_id text, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('customers'), hashtext(p_vendor::text));
    PERFORM od_health_lock(p_vendor, p_id);

    -- $1 vendor, $2 customer.
    RETURN QUERY EXECUTE $q$
    WITH gone AS (
        DELETE FROM public.customers c
         WHERE c.vendor_id = $1 AND c.id = $2
        RETURNING c.id, c.external_id, c.created_at, c.updated_at
    ), event AS (
        INSERT INTO public.events (vendor_id, event_type, payload)
        SELECT $1, 'customer.updated',
               jsonb_build_object('customer_id', g.id, 'external_id', g.external_id,
                                  'change', 'deleted', 'changed_fields', '[]'::jsonb)
          FROM gone g
    )
    SELECT g.external_id, g.created_at, g.updated_at FROM gone g
    $q$ USING p_vendor, p_id;
END
$fn$;

-- The customer_terms rows of customers updated or deleted (migration 027). Its
-- statement planned over every vendor's partition of customer_terms, on every
-- customer write (the upsert fires the update triggers even when nothing changed):
-- now one statement per vendor of the old rows, planned with that vendor, and none
-- when there are no old rows.
CREATE OR REPLACE FUNCTION od_customer_terms_remove() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    v uuid;
BEGIN
    FOR v IN SELECT DISTINCT o.vendor_id FROM old_rows o LOOP
        EXECUTE $q$
            DELETE FROM public.customer_terms t
             USING old_rows o CROSS JOIN LATERAL od_customer_terms(o.search_tsv, o.custom_tags) x
             WHERE o.vendor_id = $1 AND t.vendor_id = $1 AND t.kind = x.kind
               AND t.term = x.term AND t.updated_at = o.updated_at AND t.customer_id = o.id
        $q$ USING v;
    END LOOP;
    RETURN NULL;
END
$fn$;
