-- 004 product catalog: products (LIST by vendor_id, each vendor HASH(id) x16; created by
-- od_create_vendor), the barcode key table that enforces UQ(vendor_id, barcode), and
-- product images. Product lineage (product_sources) is in 006 next to ingestion_jobs.

CREATE TABLE products (
    -- identity: id = od_entity_id(vendor_id, external_id), see 001 and docs/data-model.md
    id               uuid           NOT NULL,
    vendor_id        uuid           NOT NULL REFERENCES vendors (id),
    external_id      text           NOT NULL CHECK (length(external_id) BETWEEN 1 AND 255),
    barcode          text           CHECK (barcode IS NULL OR length(barcode) BETWEEN 1 AND 64),
    gtin_type        gtin_type,
    -- core
    name             text           NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 500),
    brand            text           NOT NULL,
    description      text           NOT NULL,
    category_id      uuid           NOT NULL REFERENCES tax_categories (id),
    sub_category_id  uuid           REFERENCES tax_categories (id),
    cuisine_id       uuid           REFERENCES tax_cuisines (id),
    market_id        uuid,          -- no markets table in PRD v1: opaque id, no FK
    -- nutrition (per serving; canonical keys in reference nutrition.md; missing != 0)
    ingredients      text,
    nutrition        jsonb          CHECK (nutrition IS NULL OR jsonb_typeof(nutrition) = 'object'),
    serving_size     text,
    package_weight   text,
    -- commerce
    price            numeric(12,2)  NOT NULL CHECK (price >= 0),
    currency         char(3)        NOT NULL DEFAULT 'USD' CHECK (currency = 'USD'),
    status           product_status NOT NULL DEFAULT 'active',
    -- tags & compliance (NULL = not provided; '{}' = provided and empty)
    dietary_tags     text[],
    allergens        text[],
    certifications   text[],
    regulatory_codes text[],
    -- search: maintained by trigger od_products_before_write
    search_tsv       tsvector,
    -- lineage
    source_url       text,
    soft_deleted_at  timestamptz,
    created_at       timestamptz    NOT NULL DEFAULT now(),
    updated_at       timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT products_pkey PRIMARY KEY (vendor_id, id),
    CONSTRAINT products_id_derived CHECK (id = od_entity_id(vendor_id, external_id)),
    CONSTRAINT products_gtin_chk CHECK (
        gtin_type IS NULL
        OR (barcode ~ '^[0-9]+$' AND length(barcode) = CASE gtin_type
                WHEN 'gtin8' THEN 8 WHEN 'gtin12' THEN 12
                WHEN 'gtin13' THEN 13 ELSE 14 END))
) PARTITION BY LIST (vendor_id);

COMMENT ON TABLE products IS
    'LIST (vendor_id) -> HASH (id) x16. id = od_entity_id(vendor_id, external_id): PK (vendor_id, id) is UQ(vendor_id, external_id).';
COMMENT ON COLUMN products.market_id IS 'Opaque market id; PRD v1 defines no markets table, so no FK.';

-- Indexes are declared on the parent and propagate to every (future) partition.
CREATE INDEX products_vendor_updated_idx
    ON products (vendor_id, updated_at DESC, id DESC);
CREATE INDEX products_vendor_category_updated_idx
    ON products (vendor_id, category_id, updated_at DESC, id DESC);
CREATE INDEX products_search_tsv_idx   ON products USING gin (search_tsv);
CREATE INDEX products_allergens_idx    ON products USING gin (allergens);
CREATE INDEX products_dietary_tags_idx ON products USING gin (dietary_tags);

-- Rare words were mis-estimated (1,207 rows guessed) with the default target, see
-- reference/postgres-measurements.md. Recurses to existing partitions; partitions
-- created later get the same setting from od_create_vendor.
ALTER TABLE products ALTER COLUMN search_tsv SET STATISTICS 1000;

-- BEFORE INSERT/UPDATE (one plpgsql call per row, as bulk merges are CPU bound):
--  * search_tsv = name (A) || brand (B) || first 500 chars of description (C), english;
--    on UPDATE only when one of those changed (no-op merges skip the work);
--  * taxonomy references must be global (vendor_id NULL) or the product's own vendor.
CREATE FUNCTION od_products_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.name IS DISTINCT FROM OLD.name
       OR NEW.brand IS DISTINCT FROM OLD.brand
       OR NEW.description IS DISTINCT FROM OLD.description THEN
        NEW.search_tsv :=
               setweight(to_tsvector('english'::regconfig, coalesce(NEW.name, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(NEW.brand, '')), 'B')
            || setweight(to_tsvector('english'::regconfig, left(coalesce(NEW.description, ''), 500)), 'C');
    END IF;

    IF TG_OP = 'INSERT' OR NEW.category_id IS DISTINCT FROM OLD.category_id THEN
        PERFORM 1 FROM public.tax_categories t
         WHERE t.id = NEW.category_id AND (t.vendor_id IS NULL OR t.vendor_id = NEW.vendor_id);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'category_id % is not visible to vendor %', NEW.category_id, NEW.vendor_id
                USING ERRCODE = 'foreign_key_violation', COLUMN = 'category_id', TABLE = 'products',
                      CONSTRAINT = 'products_category_scope';
        END IF;
    END IF;
    IF NEW.sub_category_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.sub_category_id IS DISTINCT FROM OLD.sub_category_id) THEN
        PERFORM 1 FROM public.tax_categories t
         WHERE t.id = NEW.sub_category_id AND (t.vendor_id IS NULL OR t.vendor_id = NEW.vendor_id);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'sub_category_id % is not visible to vendor %', NEW.sub_category_id, NEW.vendor_id
                USING ERRCODE = 'foreign_key_violation', COLUMN = 'sub_category_id', TABLE = 'products',
                      CONSTRAINT = 'products_sub_category_scope';
        END IF;
    END IF;
    IF NEW.cuisine_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.cuisine_id IS DISTINCT FROM OLD.cuisine_id) THEN
        PERFORM 1 FROM public.tax_cuisines t
         WHERE t.id = NEW.cuisine_id AND (t.vendor_id IS NULL OR t.vendor_id = NEW.vendor_id);
        IF NOT FOUND THEN
            RAISE EXCEPTION 'cuisine_id % is not visible to vendor %', NEW.cuisine_id, NEW.vendor_id
                USING ERRCODE = 'foreign_key_violation', COLUMN = 'cuisine_id', TABLE = 'products',
                      CONSTRAINT = 'products_cuisine_scope';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- Trigger names fire in alphabetical order within a timing class.
CREATE TRIGGER trg_a_require_id BEFORE INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION od_require_entity_id('products');
CREATE TRIGGER trg_a_forbid_key_change BEFORE UPDATE ON products
    FOR EACH ROW
    WHEN (OLD.vendor_id IS DISTINCT FROM NEW.vendor_id
          OR OLD.id IS DISTINCT FROM NEW.id
          OR OLD.external_id IS DISTINCT FROM NEW.external_id)
    EXECUTE FUNCTION od_forbid_key_change('products');
CREATE TRIGGER trg_b_before_write BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION od_products_before_write();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();

-- ---------------------------------------------------------------------------------
-- Barcode key table: UQ(vendor_id, barcode) cannot be a unique index on products
-- (it would have to contain the partition key id). This unpartitioned side table
-- holds one row per (vendor_id, barcode); its primary key is the real constraint.
-- Maintained only by the trigger below (SECURITY DEFINER; the app may only SELECT).
-- Soft-deleted products keep their barcode; a hard delete releases it.
-- ---------------------------------------------------------------------------------
CREATE TABLE product_barcodes (
    vendor_id  uuid        NOT NULL REFERENCES vendors (id),
    barcode    text        NOT NULL,
    product_id uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_vendor_barcode_key PRIMARY KEY (vendor_id, barcode),
    CONSTRAINT product_barcodes_product_key UNIQUE (vendor_id, product_id),
    CONSTRAINT product_barcodes_product_fkey FOREIGN KEY (vendor_id, product_id)
        REFERENCES products (vendor_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE product_barcodes IS
    'Side key enforcing UQ(vendor_id, barcode) of products; maintained by trigger trg_z_barcode_key.';

CREATE FUNCTION od_products_barcode_key() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.barcode IS NOT NULL THEN
        DELETE FROM public.product_barcodes
         WHERE vendor_id = OLD.vendor_id AND barcode = OLD.barcode AND product_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.barcode IS NOT NULL THEN
        -- a duplicate raises unique_violation (23505) on constraint products_vendor_barcode_key
        INSERT INTO public.product_barcodes (vendor_id, barcode, product_id)
        VALUES (NEW.vendor_id, NEW.barcode, NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_z_barcode_key_ins AFTER INSERT ON products
    FOR EACH ROW WHEN (NEW.barcode IS NOT NULL)
    EXECUTE FUNCTION od_products_barcode_key();
CREATE TRIGGER trg_z_barcode_key_upd AFTER UPDATE ON products
    FOR EACH ROW WHEN (OLD.barcode IS DISTINCT FROM NEW.barcode)
    EXECUTE FUNCTION od_products_barcode_key();
CREATE TRIGGER trg_z_barcode_key_del AFTER DELETE ON products
    FOR EACH ROW WHEN (OLD.barcode IS NOT NULL)
    EXECUTE FUNCTION od_products_barcode_key();

-- ---------------------------------------------------------------------------------
CREATE TABLE product_images (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        NOT NULL REFERENCES vendors (id),
    product_id uuid        NOT NULL,
    url        text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    alt        text,
    sort_order integer     NOT NULL DEFAULT 0,   -- PRD "order" (a reserved word)
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_images_pkey PRIMARY KEY (id),
    CONSTRAINT product_images_product_fkey FOREIGN KEY (vendor_id, product_id)
        REFERENCES products (vendor_id, id) ON DELETE CASCADE
);
CREATE INDEX product_images_product_idx ON product_images (vendor_id, product_id, sort_order);
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON product_images
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
