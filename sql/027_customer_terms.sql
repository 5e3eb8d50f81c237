-- 027 customer terms (issue 5, benchmark; docs/customers.md, docs/performance.md,
-- "Customer searches from a term index").
--
-- A search for one word, or the filter on one custom tag, asks for the newest
-- customers holding it. Neither index of customers answers that in order: the GIN
-- index finds every holder (a heap page each: 622 for a medium name), and the time
-- index finds the newest customers, of which a word in 1 % of them is held by one
-- in a hundred (6,900 index tuples read for "smith", 8 ms). customer_terms holds,
-- per customer, one row for each lexeme of its search_tsv (kind 'w') and each of its
-- custom tags (kind 't'), keyed so that one term's holders are in time order: the
-- newest page of any term is a short range scan, however common the term.
--
-- The rows are derived data, written only by the statement triggers below in the
-- transaction that changes the customer (SECURITY DEFINER; the application may
-- only read, through the vendor's view). A customer's rows go when it is deleted:
-- they hold its name and e-mail words. The triggers are the parent's: every write
-- goes through customers (the application has no privilege on its partitions; the
-- owner's tools write the parent too).
--
-- Filling the table for the customers that exist holds customer writes (not reads)
-- for the length of this migration: 78 s at 1,000,000 customers on the benchmark
-- machine (docs/performance.md).

CREATE TABLE customer_terms (
    vendor_id   uuid        NOT NULL,
    kind        "char"      NOT NULL CHECK (kind IN ('w', 't')),
    term        text        COLLATE "C" NOT NULL,   -- compared for equality only
    updated_at  timestamptz NOT NULL,   -- the customer's
    customer_id uuid        NOT NULL,
    CONSTRAINT customer_terms_pkey PRIMARY KEY (vendor_id, kind, term, updated_at, customer_id)
) PARTITION BY LIST (vendor_id);
COMMENT ON TABLE customer_terms IS
    'Per customer, its search_tsv lexemes (kind w) and custom tags (kind t), in time order per term; maintained by the trg_terms_* triggers of customers (migration 027).';

SELECT od_tenant_policy('customer_terms');

-- The terms of one customer row.
CREATE FUNCTION od_customer_terms(p_tsv tsvector, p_tags text[])
RETURNS TABLE (kind "char", term text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'w'::"char", l FROM unnest(tsvector_to_array(p_tsv)) AS l
    UNION
    SELECT 't'::"char", t FROM unnest(p_tags) AS t WHERE t IS NOT NULL
$$;

CREATE FUNCTION od_customer_terms_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.customer_terms (vendor_id, kind, term, updated_at, customer_id)
    SELECT n.vendor_id, x.kind, x.term, n.updated_at, n.id
      FROM new_rows n CROSS JOIN LATERAL od_customer_terms(n.search_tsv, n.custom_tags) x;
    RETURN NULL;
END
$$;

CREATE FUNCTION od_customer_terms_remove() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM public.customer_terms t
     USING old_rows o CROSS JOIN LATERAL od_customer_terms(o.search_tsv, o.custom_tags) x
     WHERE t.vendor_id = o.vendor_id AND t.kind = x.kind AND t.term = x.term
       AND t.updated_at = o.updated_at AND t.customer_id = o.id;
    RETURN NULL;
END
$$;

CREATE FUNCTION od_customer_terms_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    TRUNCATE public.customer_terms;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION od_customer_terms_add(), od_customer_terms_remove(),
    od_customer_terms_truncate() FROM PUBLIC;

-- One trigger per event: a trigger with transition tables takes one event only. An
-- update changes updated_at (trg_touch_updated_at), which is part of every key: its
-- old rows go, then (triggers fire in name order) the new ones come; in that order
-- two updates of one customer in one transaction (the same now()) do not collide.
CREATE TRIGGER trg_terms_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_customer_terms_add();
CREATE TRIGGER trg_terms_update_1_old AFTER UPDATE ON customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_customer_terms_remove();
CREATE TRIGGER trg_terms_update_2_new AFTER UPDATE ON customers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_customer_terms_add();
CREATE TRIGGER trg_terms_delete AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_customer_terms_remove();
CREATE TRIGGER trg_terms_truncate AFTER TRUNCATE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION od_customer_terms_truncate();

-- A vendor's partition of customer_terms (no hash leaves: a term's rows are read
-- as one range).
CREATE FUNCTION od_create_vendor_terms(p_vendor uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.customer_terms FOR VALUES IN (%L)',
                   od_vendor_partition_name('customer_terms', p_vendor), p_vendor);
END
$$;
REVOKE EXECUTE ON FUNCTION od_create_vendor_terms(uuid) FROM PUBLIC;

-- The vendor views of 023, and one over the vendor's terms.
CREATE OR REPLACE FUNCTION od_create_vendor_views(p_vendor uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['products', 'customers', 'customer_terms'] LOOP
        EXECUTE format('CREATE OR REPLACE VIEW public.%I AS SELECT * FROM public.%I '
                       'WHERE vendor_id = od_current_vendor()',
                       od_vendor_view_name(tbl, p_vendor), od_vendor_partition_name(tbl, p_vendor));
        EXECUTE format('GRANT SELECT ON public.%I TO odyssey_app',
                       od_vendor_view_name(tbl, p_vendor));
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION od_create_vendor(p_name text) RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.vendors (name) VALUES (p_name) RETURNING id INTO v_id;
    PERFORM od_create_vendor_partitions(v_id);
    PERFORM od_create_vendor_terms(v_id);
    PERFORM od_create_vendor_views(v_id);
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION od_create_vendor(text) IS
    'Owner only. Inserts a vendor and creates products_v<hex> (HASH x16), customers_v<hex> (HASH x32) and customer_terms_v<hex>, with their views (migrations 023, 027).';

-- The vendors that exist: their partitions, their customers' terms, their views.
SELECT od_create_vendor_terms(id) FROM vendors;
INSERT INTO customer_terms (vendor_id, kind, term, updated_at, customer_id)
SELECT c.vendor_id, x.kind, x.term, c.updated_at, c.id
  FROM customers c CROSS JOIN LATERAL od_customer_terms(c.search_tsv, c.custom_tags) x;
ANALYZE customer_terms;
SELECT od_create_vendor_views(id) FROM vendors;
