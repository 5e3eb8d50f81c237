-- 035 a product's images in its row (issue 4, benchmark; docs/catalog.md,
-- docs/performance.md).
-- Every product document (a get, each row of a list or search page) looked its
-- images up in product_images, a subquery per row: 0.8 ms of a page of 51 products
-- without images, more with them. products.images now holds the same list, with the
-- members the API answers ([{"url", "alt", "order"}] in order, written out as jsonb
-- writes it), written by od_products_upsert in the statement that writes
-- product_images, the only writer of both. product_images stays the table of the
-- PRD, one row per image. Migration 036 fills the column for existing products, in
-- a transaction of its own: the column's ACCESS EXCLUSIVE lock on products (every
-- read waits for it) is held only for this file, which changes no row.

ALTER TABLE products ADD COLUMN images jsonb NOT NULL DEFAULT '[]'::jsonb;
COMMENT ON COLUMN products.images IS
    'The product''s images as the API answers them, [{"url", "alt", "order"}] in order: the copy of its product_images rows that od_products_upsert writes with them (migrations 035, 036).';

-- The views expand SELECT * when they are made (migrations 014, 023).
CREATE OR REPLACE VIEW products_scoped AS
    SELECT * FROM products WHERE vendor_id = od_current_vendor();
SELECT od_create_vendor_views(id) FROM vendors;

-- The upsert of 016 (with 026's setting) in PL/pgSQL, its statement run with
-- EXECUTE ... USING and so planned for the caller's vendor only (the reason is in
-- migration 033). It compares and writes the images of the row, and deletes the
-- image rows of the products whose images changed by their ids.
CREATE OR REPLACE FUNCTION od_products_upsert(p_vendor uuid, p_items jsonb,
                                              p_source product_source_kind, p_ref text)
RETURNS TABLE (ord integer, id uuid, result text, catalog_version bigint)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = auto AS $fn$
BEGIN
    -- Catalog writers of one vendor take turns (the lock the version bump would take
    -- anyway, taken first): the next statement, a fresh snapshot, compares with what
    -- the previous writer committed, so the last writer wins and reports truly.
    PERFORM 1 FROM public.vendors v WHERE v.id = p_vendor FOR NO KEY UPDATE;

    -- $1 vendor, $2 items, $3 source, $4 reference.
    RETURN QUERY EXECUTE $q$
    WITH input AS MATERIALIZED (
        -- Defaults as the table's, so that an omitted value compares equal.
        -- MATERIALIZED: pid must reach the join below as a plain column. Inlined, the
        -- join compared c.id with od_entity_id(...), which is not leakproof, and row
        -- security kept that comparison above its own filter: no index lookup, a scan
        -- of the vendor's whole partition (1.4 s of a 10,000-item batch at 650,000).
        SELECT x.ord, x.external_id, x.barcode, x.gtin_type, x.name, x.brand, x.description,
               x.category_id, x.sub_category_id, x.cuisine_id, x.market_id, x.ingredients,
               x.nutrition, x.serving_size, x.package_weight, x.price,
               coalesce(x.currency, 'USD')::char(3) AS currency,
               coalesce(x.status, 'active'::product_status) AS status,
               x.dietary_tags, x.allergens, x.certifications, x.regulatory_codes,
               x.source_url, coalesce(x.images, '[]'::jsonb) AS images,
               od_entity_id($1, x.external_id) AS pid
          FROM jsonb_to_recordset($2) AS x(
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
                   CASE WHEN c.id IS NOT NULL AND n.images IS DISTINCT FROM c.images
                          OR c.id IS NULL AND n.images <> '[]'::jsonb
                        THEN 'images' END,
                   CASE WHEN c.soft_deleted_at IS NOT NULL THEN 'soft_deleted_at' END
               ], NULL) AS changed
          FROM input n
          LEFT JOIN public.products c ON c.vendor_id = $1 AND c.id = n.pid
    ), writes AS (
        SELECT d.* FROM diff d WHERE d.is_new OR cardinality(d.changed) > 0
    ), up AS (
        INSERT INTO public.products AS p (
               id, vendor_id, external_id, barcode, gtin_type, name, brand, description,
               category_id, sub_category_id, cuisine_id, market_id, ingredients, nutrition,
               serving_size, package_weight, price, currency, status, dietary_tags,
               allergens, certifications, regulatory_codes, source_url, images)
        SELECT w.pid, $1, w.external_id, w.barcode, w.gtin_type, w.name, w.brand,
               w.description, w.category_id, w.sub_category_id, w.cuisine_id, w.market_id,
               w.ingredients, w.nutrition, w.serving_size, w.package_weight, w.price,
               w.currency, w.status, w.dietary_tags,
               w.allergens, w.certifications, w.regulatory_codes, w.source_url, w.images
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
               source_url = excluded.source_url, images = excluded.images,
               soft_deleted_at = NULL
        RETURNING p.id
    ), del_images AS (
        -- The ids as an array, each looked up in the index: as a join, a vendor whose
        -- statistics showed almost no images got product_images as the outer side of
        -- a nested loop over every written row, 10,000 x 10,000 (a minute).
        DELETE FROM public.product_images i
         WHERE i.vendor_id = $1 AND i.product_id = ANY (ARRAY(
               SELECT w.pid FROM writes w WHERE NOT w.is_new AND 'images' = ANY (w.changed)))
    ), add_images AS (
        INSERT INTO public.product_images (vendor_id, product_id, url, alt, sort_order)
        SELECT $1, w.pid, img ->> 'url', img ->> 'alt', (img ->> 'order')::integer
          FROM writes w, jsonb_array_elements(w.images) AS img
         WHERE 'images' = ANY (w.changed)
    ), lineage AS (
        INSERT INTO public.product_sources (vendor_id, product_id, source, source_ref)
        SELECT $1, w.pid, $3, $4 FROM writes w
        ON CONFLICT (vendor_id, product_id, source)
        DO UPDATE SET source_ref = excluded.source_ref, updated_at = now()
    ), bump AS (
        UPDATE public.vendors v SET catalog_version = v.catalog_version + 1
         WHERE v.id = $1 AND EXISTS (SELECT 1 FROM writes)
        RETURNING v.catalog_version
    ), events AS (
        INSERT INTO public.events (vendor_id, event_type, payload)
        SELECT $1, 'product.updated',
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
                    (SELECT v.catalog_version FROM public.vendors v WHERE v.id = $1))
      FROM diff d
     ORDER BY d.ord
    $q$ USING p_vendor, p_items, p_source, p_ref;
END
$fn$;

-- Documents read products.images now; nothing calls this any more.
DROP FUNCTION od_product_images(uuid, uuid);
