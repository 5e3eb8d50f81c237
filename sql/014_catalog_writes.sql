-- 014 catalog writes: the product document, the batch upsert that bumps the
-- catalog version and writes the outbox events in the same statement, the soft
-- delete, and one lineage row per (product, source). docs/catalog.md explains why.

-- Lineage keeps, per product and source, the latest reference that wrote it (an API
-- request id or an ingestion job), so it stays one row per source, not one per write.
CREATE UNIQUE INDEX product_sources_product_source_key
    ON product_sources (vendor_id, product_id, source);

-- ---------------------------------------------------------------------------------
-- Children of products without foreign keys to the partitioned parent. A foreign key
-- check on products runs a cached generic plan that locks every partition of every
-- vendor before pruning: measured 110 us a row with one vendor, and it grows with
-- the number of vendors; it was two thirds of a 10,000-item batch. The same rules
-- hold by other means:
--  * a child row must name a product of its vendor: one set-based check per
--    statement (a transition table, planned with the vendor's id, so it prunes);
--  * product_id never changes (a row trigger that fires only when it does);
--  * deleting products deletes their images and lineage (one statement-level
--    trigger); barcode keys are already removed by trg_z_barcode_key_del, and only
--    that SECURITY DEFINER trigger writes them.
-- ---------------------------------------------------------------------------------
ALTER TABLE product_images DROP CONSTRAINT product_images_product_fkey;
ALTER TABLE product_sources DROP CONSTRAINT product_sources_product_fkey;
ALTER TABLE product_barcodes DROP CONSTRAINT product_barcodes_product_fkey;

CREATE FUNCTION od_check_product_refs() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v uuid;
    missing bigint;
BEGIN
    FOR v IN SELECT DISTINCT n.vendor_id FROM new_rows n LOOP
        -- EXECUTE plans with the value of v: the products scan prunes to its vendor.
        EXECUTE 'SELECT count(*) FROM new_rows n WHERE n.vendor_id = $1 AND NOT EXISTS '
                '(SELECT 1 FROM public.products p WHERE p.vendor_id = $1 AND p.id = n.product_id)'
            INTO missing USING v;
        IF missing > 0 THEN
            RAISE EXCEPTION '% row(s) of % name no product of vendor %', missing, TG_TABLE_NAME, v
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                      CONSTRAINT = TG_TABLE_NAME || '_product_fkey';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION od_forbid_product_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.product_id and vendor_id cannot change', TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
              CONSTRAINT = TG_TABLE_NAME || '_product_fkey';
END
$$;

CREATE TRIGGER trg_product_ref AFTER INSERT ON product_images
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_check_product_refs();
CREATE TRIGGER trg_product_ref AFTER INSERT ON product_sources
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_check_product_refs();
CREATE TRIGGER trg_product_fixed BEFORE UPDATE ON product_images
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id
                       OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id)
    EXECUTE FUNCTION od_forbid_product_change();
CREATE TRIGGER trg_product_fixed BEFORE UPDATE ON product_sources
    FOR EACH ROW WHEN (OLD.product_id IS DISTINCT FROM NEW.product_id
                       OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id)
    EXECUTE FUNCTION od_forbid_product_change();

CREATE FUNCTION od_products_cascade() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM public.product_images i USING old_rows o
     WHERE i.vendor_id = o.vendor_id AND i.product_id = o.id;
    DELETE FROM public.product_sources s USING old_rows o
     WHERE s.vendor_id = o.vendor_id AND s.product_id = o.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_z_cascade AFTER DELETE ON products
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION od_products_cascade();

-- ---------------------------------------------------------------------------------
-- Reads of lists and searches. Under row-level security a condition whose operator
-- is not LEAKPROOF is evaluated after the policy, so it cannot drive an index: the
-- full-text match (@@) and array overlap (&&) are not LEAKPROOF, and a search for a
-- rare word read the whole vendor (280-460 ms at 500k products against 0.3 ms;
-- bench/catalog-plans.md). This view is owned by the owner, whose policy sees every
-- row, and keeps only the current vendor's rows itself; queries through it may use
-- the GIN indexes. It is not a security barrier on purpose: the application role
-- runs only the server's statements, every one of which names the vendor again, and
-- it chooses its vendor context anyway. Writes and single-row reads still go to
-- products, under its policies. SELECT * is expanded now: a migration that adds a
-- column to products must create this view again (the API reads ROW(p.*)::products).
-- ---------------------------------------------------------------------------------
CREATE VIEW products_scoped AS
    SELECT * FROM products WHERE vendor_id = od_current_vendor();
COMMENT ON VIEW products_scoped IS
    'The current vendor''s products, for list and search queries that need the GIN indexes (migration 014).';
GRANT SELECT ON products_scoped TO odyssey_app;

-- GIN indexes with a small pending list (the hash leaves of a vendor partition).
-- Inserts append to a pending list that every search scans in full until it is
-- merged: with the default 4 MB, after a batch of 10,000 a rare word took 15 ms more
-- (0.6 ms per hash leaf); with no list (fastupdate off) a batch lost a third of its
-- speed. 64 kB keeps the scan negligible and lets inserts merge in bulk. Leaves are
-- set one by one (a partitioned index takes no storage parameters), for the vendors
-- that exist and, through od_create_vendor_partitions, for every new one.
CREATE FUNCTION od_gin_small_pending_list(p_parent text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    ix regclass;
BEGIN
    FOR ix IN
        SELECT i.indexrelid::regclass
          FROM pg_inherits h
          JOIN pg_index i ON i.indrelid = h.inhrelid
          JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_am am ON am.oid = c.relam
         WHERE h.inhparent = format('public.%I', p_parent)::regclass AND am.amname = 'gin'
    LOOP
        EXECUTE format('ALTER INDEX %s SET (fastupdate = on, gin_pending_list_limit = 64)', ix);
        PERFORM gin_clean_pending_list(ix);
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION od_gin_small_pending_list(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION od_create_vendor_partitions(p_vendor uuid) RETURNS void
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
        PERFORM od_gin_small_pending_list(parent);
        -- per-column statistics targets are not inherited by new partitions
        EXECUTE format('ALTER TABLE public.%I ALTER COLUMN search_tsv SET STATISTICS 1000', parent);
    END LOOP;
END
$$;

DO $$
DECLARE
    part text;
BEGIN
    FOR part IN
        SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
         WHERE h.inhparent IN ('public.products'::regclass, 'public.customers'::regclass)
    LOOP
        PERFORM od_gin_small_pending_list(part);
    END LOOP;
END
$$;

-- No filter can use a GIN index on allergens: allergens.none is a negation (NOT &&),
-- and PRD 4.1 keeps array indexes only where a filter path uses them. Dropping it
-- spares every write a GIN insertion and every plan an index to consider.
DROP INDEX products_allergens_idx;

-- Filter by brand: the rarest brands read the whole vendor without it (646 ms).
CREATE INDEX products_vendor_brand_updated_idx
    ON products (vendor_id, brand, updated_at DESC, id DESC);
-- Filter by status: under row-level security the planner may not use the column's
-- statistics with enum_eq (not LEAKPROOF), guesses half the rows inactive where 3 %
-- are, and walked the time index (355 ms a page). A partial index states its own
-- size, so the planner takes it (0.5 ms); active pages use the time index.
CREATE INDEX products_vendor_inactive_updated_idx
    ON products (vendor_id, updated_at DESC, id DESC) WHERE status = 'inactive';

-- The product as the API shows it (json keeps the member order), given its images
-- (od_product_images, or a LATERAL join of the same query for a page). A plain
-- expression, so the planner inlines it: a function call with a subquery per row
-- cost twice as much on a page of 51.
CREATE FUNCTION od_product_json(p products, images json) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', p.id, 'external_id', p.external_id,
        'barcode', p.barcode, 'gtin_type', p.gtin_type,
        'name', p.name, 'brand', p.brand, 'description', p.description,
        'category_id', p.category_id, 'sub_category_id', p.sub_category_id,
        'cuisine_id', p.cuisine_id, 'market_id', p.market_id,
        'ingredients', p.ingredients, 'nutrition', p.nutrition,
        'serving_size', p.serving_size, 'package_weight', p.package_weight,
        'price', p.price::text, 'currency', p.currency, 'status', p.status,
        'dietary_tags', p.dietary_tags, 'allergens', p.allergens,
        'certifications', p.certifications, 'regulatory_codes', p.regulatory_codes,
        'images', coalesce(images, '[]'::json),
        'source_url', p.source_url, 'soft_deleted_at', p.soft_deleted_at,
        'created_at', p.created_at, 'updated_at', p.updated_at)
$$;

-- A product's images as the document shows them (NULL when it has none).
CREATE FUNCTION od_product_images(p_vendor uuid, p_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_agg(json_build_object('url', i.url, 'alt', i.alt, 'order', i.sort_order)
                    ORDER BY i.sort_order, i.url COLLATE "C")
      FROM public.product_images i
     WHERE i.vendor_id = p_vendor AND i.product_id = p_id
$$;

-- The strong validator of a product: its last change, in microseconds.
CREATE FUNCTION od_product_etag(p products) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '"' || (extract(epoch FROM p.updated_at) * 1000000)::bigint::text || '"'
$$;

-- Bumps the vendor's catalog version (the row lock also orders concurrent catalog
-- writers of one vendor) and returns the new value.
CREATE FUNCTION od_catalog_bump(p_vendor uuid) RETURNS bigint
LANGUAGE sql AS $$
    UPDATE public.vendors SET catalog_version = catalog_version + 1
     WHERE id = p_vendor
    RETURNING catalog_version
$$;

-- Batch upsert. p_items is a jsonb array of validated, normalised items (the API
-- checks everything first), each with its input position "ord". Only new and
-- changed rows are written; the answer lists every item with created, updated or
-- unchanged. One catalog version bump and one product.updated event per changed
-- product happen in the same transaction. Runs as the caller: row-level security
-- applies.
CREATE FUNCTION od_products_upsert(p_vendor uuid, p_items jsonb, p_source product_source_kind,
                                   p_ref text)
RETURNS TABLE (ord integer, id uuid, result text, catalog_version bigint)
LANGUAGE sql VOLATILE AS $$
    -- Catalog writers of one vendor take turns (the lock the version bump would take
    -- anyway, taken first): the next statement, a fresh snapshot, compares with what
    -- the previous writer committed, so the last writer wins and reports truly.
    SELECT 1 FROM public.vendors v WHERE v.id = p_vendor FOR NO KEY UPDATE;

    WITH input AS (
        -- Defaults as the table's, so that an omitted value compares equal.
        SELECT x.ord, x.external_id, x.barcode, x.gtin_type, x.name, x.brand, x.description,
               x.category_id, x.sub_category_id, x.cuisine_id, x.market_id, x.ingredients,
               x.nutrition, x.serving_size, x.package_weight, x.price,
               coalesce(x.currency, 'USD')::char(3) AS currency,
               coalesce(x.status, 'active'::product_status) AS status,
               x.dietary_tags, x.allergens, x.certifications, x.regulatory_codes,
               x.source_url, coalesce(x.images, '[]'::jsonb) AS images,
               od_entity_id(p_vendor, x.external_id) AS pid
          FROM jsonb_to_recordset(p_items) AS x(
               ord integer, external_id text, barcode text, gtin_type gtin_type,
               name text, brand text, description text, category_id uuid,
               sub_category_id uuid, cuisine_id uuid, market_id uuid, ingredients text,
               nutrition jsonb, serving_size text, package_weight text,
               price numeric(12,2), currency char(3), status product_status,
               dietary_tags text[], allergens text[], certifications text[],
               regulatory_codes text[], source_url text, images jsonb)
    ), diff AS (
        -- For a new row every column of c is NULL: the changed fields are the ones set.
        -- Rows are not locked here (the vendor lock above orders the writers); the
        -- upsert locks only what it writes.
        SELECT n.*, c.id IS NULL AS is_new,
               array_remove(ARRAY[
                   CASE WHEN n.barcode IS DISTINCT FROM c.barcode THEN 'barcode' END,
                   CASE WHEN n.gtin_type IS DISTINCT FROM c.gtin_type THEN 'gtin_type' END,
                   CASE WHEN n.name IS DISTINCT FROM c.name THEN 'name' END,
                   CASE WHEN n.brand IS DISTINCT FROM c.brand THEN 'brand' END,
                   CASE WHEN n.description IS DISTINCT FROM c.description THEN 'description' END,
                   CASE WHEN n.category_id IS DISTINCT FROM c.category_id THEN 'category_id' END,
                   CASE WHEN n.sub_category_id IS DISTINCT FROM c.sub_category_id
                        THEN 'sub_category_id' END,
                   CASE WHEN n.cuisine_id IS DISTINCT FROM c.cuisine_id THEN 'cuisine_id' END,
                   CASE WHEN n.market_id IS DISTINCT FROM c.market_id THEN 'market_id' END,
                   CASE WHEN n.ingredients IS DISTINCT FROM c.ingredients THEN 'ingredients' END,
                   CASE WHEN n.nutrition IS DISTINCT FROM c.nutrition THEN 'nutrition' END,
                   CASE WHEN n.serving_size IS DISTINCT FROM c.serving_size
                        THEN 'serving_size' END,
                   CASE WHEN n.package_weight IS DISTINCT FROM c.package_weight
                        THEN 'package_weight' END,
                   CASE WHEN n.price IS DISTINCT FROM c.price THEN 'price' END,
                   CASE WHEN n.currency IS DISTINCT FROM c.currency THEN 'currency' END,
                   CASE WHEN n.status IS DISTINCT FROM c.status THEN 'status' END,
                   CASE WHEN n.dietary_tags IS DISTINCT FROM c.dietary_tags
                        THEN 'dietary_tags' END,
                   CASE WHEN n.allergens IS DISTINCT FROM c.allergens THEN 'allergens' END,
                   CASE WHEN n.certifications IS DISTINCT FROM c.certifications
                        THEN 'certifications' END,
                   CASE WHEN n.regulatory_codes IS DISTINCT FROM c.regulatory_codes
                        THEN 'regulatory_codes' END,
                   CASE WHEN n.source_url IS DISTINCT FROM c.source_url THEN 'source_url' END,
                   CASE WHEN c.id IS NOT NULL AND n.images IS DISTINCT FROM coalesce(
                            (SELECT jsonb_agg(jsonb_build_object('url', i.url, 'alt', i.alt,
                                                                 'order', i.sort_order)
                                              ORDER BY i.sort_order, i.url COLLATE "C")
                               FROM public.product_images i
                              WHERE i.vendor_id = p_vendor AND i.product_id = c.id),
                            '[]'::jsonb)
                          OR c.id IS NULL AND n.images <> '[]'::jsonb
                        THEN 'images' END,
                   CASE WHEN c.soft_deleted_at IS NOT NULL THEN 'soft_deleted_at' END
               ], NULL) AS changed
          FROM input n
          LEFT JOIN public.products c ON c.vendor_id = p_vendor AND c.id = n.pid
    ), writes AS (
        SELECT d.* FROM diff d WHERE d.is_new OR cardinality(d.changed) > 0
    ), up AS (
        INSERT INTO public.products AS p (
               id, vendor_id, external_id, barcode, gtin_type, name, brand, description,
               category_id, sub_category_id, cuisine_id, market_id, ingredients, nutrition,
               serving_size, package_weight, price, currency, status, dietary_tags,
               allergens, certifications, regulatory_codes, source_url)
        SELECT w.pid, p_vendor, w.external_id, w.barcode, w.gtin_type, w.name, w.brand,
               w.description, w.category_id, w.sub_category_id, w.cuisine_id, w.market_id,
               w.ingredients, w.nutrition, w.serving_size, w.package_weight, w.price,
               w.currency, w.status, w.dietary_tags,
               w.allergens, w.certifications, w.regulatory_codes, w.source_url
          FROM writes w
         ORDER BY w.pid
        ON CONFLICT ON CONSTRAINT products_pkey DO UPDATE SET
               barcode = excluded.barcode, gtin_type = excluded.gtin_type,
               name = excluded.name, brand = excluded.brand,
               description = excluded.description, category_id = excluded.category_id,
               sub_category_id = excluded.sub_category_id, cuisine_id = excluded.cuisine_id,
               market_id = excluded.market_id, ingredients = excluded.ingredients,
               nutrition = excluded.nutrition, serving_size = excluded.serving_size,
               package_weight = excluded.package_weight, price = excluded.price,
               currency = excluded.currency, status = excluded.status,
               dietary_tags = excluded.dietary_tags, allergens = excluded.allergens,
               certifications = excluded.certifications,
               regulatory_codes = excluded.regulatory_codes,
               source_url = excluded.source_url, soft_deleted_at = NULL
        RETURNING p.id
    ), del_images AS (
        DELETE FROM public.product_images i
         USING writes w
         WHERE i.vendor_id = p_vendor AND i.product_id = w.pid AND NOT w.is_new
           AND 'images' = ANY (w.changed)
    ), add_images AS (
        INSERT INTO public.product_images (vendor_id, product_id, url, alt, sort_order)
        SELECT p_vendor, w.pid, img ->> 'url', img ->> 'alt', (img ->> 'order')::integer
          FROM writes w, jsonb_array_elements(w.images) AS img
         WHERE 'images' = ANY (w.changed)
    ), lineage AS (
        INSERT INTO public.product_sources (vendor_id, product_id, source, source_ref)
        SELECT p_vendor, w.pid, p_source, p_ref FROM writes w
        ON CONFLICT (vendor_id, product_id, source)
        DO UPDATE SET source_ref = excluded.source_ref, updated_at = now()
    ), bump AS (
        UPDATE public.vendors v SET catalog_version = v.catalog_version + 1
         WHERE v.id = p_vendor AND EXISTS (SELECT 1 FROM writes)
        RETURNING v.catalog_version
    ), events AS (
        INSERT INTO public.events (vendor_id, event_type, payload)
        SELECT p_vendor, 'product.updated',
               jsonb_build_object('product_id', w.pid, 'external_id', w.external_id,
                                  'catalog_version', b.catalog_version,
                                  'change', CASE WHEN w.is_new THEN 'created' ELSE 'updated' END,
                                  'changed_fields', to_jsonb(w.changed))
          FROM writes w CROSS JOIN bump b
         ORDER BY w.ord
    )
    SELECT d.ord, d.pid,
           CASE WHEN d.is_new THEN 'created'
                WHEN cardinality(d.changed) > 0 THEN 'updated'
                ELSE 'unchanged' END,
           coalesce((SELECT b.catalog_version FROM bump b),
                    (SELECT v.catalog_version FROM public.vendors v WHERE v.id = p_vendor))
      FROM diff d
     ORDER BY d.ord;
$$;

-- Soft delete. found: the product exists; deleted: this call deleted it (a second
-- delete finds it already deleted and changes nothing, no version, no event).
CREATE FUNCTION od_products_soft_delete(p_vendor uuid, p_id uuid)
RETURNS TABLE (found boolean, deleted boolean, external_id text, catalog_version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_ext text;
    v_version bigint;
BEGIN
    UPDATE public.products p SET soft_deleted_at = now()
     WHERE p.vendor_id = p_vendor AND p.id = p_id AND p.soft_deleted_at IS NULL
    RETURNING p.external_id INTO v_ext;
    IF v_ext IS NULL THEN
        SELECT p.external_id INTO v_ext FROM public.products p
         WHERE p.vendor_id = p_vendor AND p.id = p_id;
        RETURN QUERY SELECT v_ext IS NOT NULL, false, v_ext, NULL::bigint;
        RETURN;
    END IF;
    v_version := od_catalog_bump(p_vendor);
    INSERT INTO public.events (vendor_id, event_type, payload)
    VALUES (p_vendor, 'product.updated',
            jsonb_build_object('product_id', p_id, 'external_id', v_ext,
                               'catalog_version', v_version, 'change', 'deleted',
                               'changed_fields', jsonb_build_array('soft_deleted_at')));
    RETURN QUERY SELECT true, true, v_ext, v_version;
END
$$;

GRANT EXECUTE ON FUNCTION od_product_json(products, json), od_product_images(uuid, uuid),
    od_product_etag(products),
    od_catalog_bump(uuid), od_products_upsert(uuid, jsonb, product_source_kind, text),
    od_products_soft_delete(uuid, uuid) TO odyssey_app;
