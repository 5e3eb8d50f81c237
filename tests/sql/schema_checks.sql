-- Schema assertions for the Odyssey migrations. Run as the database owner after all
-- migrations:  psql -v ON_ERROR_STOP=1 -f tests/sql/schema_checks.sql
-- Everything happens in one transaction that is rolled back; any failed assertion
-- raises, psql stops and exits non-zero. Silent on success except the final line.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;

-- expect_error(sql, sqlstate, label): runs sql, which must fail with sqlstate.
CREATE FUNCTION pg_temp.expect_error(p_sql text, p_state text, p_label text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text;
BEGIN
    BEGIN
        EXECUTE p_sql;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
        IF st <> p_state THEN
            RAISE EXCEPTION 'FAIL %: expected SQLSTATE %, got % (%)', p_label, p_state, st, msg;
        END IF;
        RETURN;
    END;
    RAISE EXCEPTION 'FAIL %: statement succeeded, expected SQLSTATE %', p_label, p_state;
END
$$;

-- a minimal valid product row for vendor v, external id e, barcode b (NULL allowed)
CREATE FUNCTION pg_temp.product_sql(v uuid, e text, b text, extra_cols text DEFAULT '', extra_vals text DEFAULT '')
RETURNS text LANGUAGE sql AS $$
    SELECT format(
        'INSERT INTO products (id, vendor_id, external_id, barcode, name, brand, description, category_id, price%s)
         VALUES (od_entity_id(%L, %L), %L, %L, %L, %L, %L, %L,
                 (SELECT id FROM tax_categories WHERE vendor_id IS NULL AND code = %L), 1.99%s)',
        extra_cols, v, e, v, e, b, 'Name ' || e, 'Brand', 'Description', 'snacks', extra_vals)
$$;

-- 0. each product's images (migration 035) are its product_images rows, in order,
--    over every product the suites wrote (before this script writes any rows itself:
--    section 3 writes image rows directly)
DO $$
DECLARE
    n int;
BEGIN
    SELECT count(*) INTO n
      FROM products p
      LEFT JOIN (SELECT i.vendor_id, i.product_id,
                        jsonb_agg(jsonb_build_object('url', i.url, 'alt', i.alt,
                                                     'order', i.sort_order)
                                  ORDER BY i.sort_order, i.url COLLATE "C") AS images
                   FROM product_images i GROUP BY i.vendor_id, i.product_id) x
        ON x.vendor_id = p.vendor_id AND x.product_id = p.id
     WHERE p.images IS DISTINCT FROM coalesce(x.images, '[]'::jsonb);
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL % products whose images differ from their product_images rows', n;
    END IF;
END
$$;

SELECT set_config('t.va', od_create_vendor('Check vendor A')::text, true),
       set_config('t.vb', od_create_vendor('Check vendor B')::text, true) \gset

-- 1. od_create_vendor: 1+16 product and 1+32 customer partitions, stats target kept,
--    the customer_terms partition and its view
DO $$
DECLARE
    va uuid := current_setting('t.va');
    n_all int; n_leaf int; n_mod int;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE isleaf) INTO n_all, n_leaf
      FROM pg_partition_tree(od_vendor_partition_name('products', va)::regclass);
    IF n_all <> 17 OR n_leaf <> 16 THEN
        RAISE EXCEPTION 'FAIL products partitions: % tables, % leaves (want 17/16)', n_all, n_leaf;
    END IF;
    SELECT count(*), count(*) FILTER (WHERE isleaf) INTO n_all, n_leaf
      FROM pg_partition_tree(od_vendor_partition_name('customers', va)::regclass);
    IF n_all <> 33 OR n_leaf <> 32 THEN
        RAISE EXCEPTION 'FAIL customers partitions: % tables, % leaves (want 33/32)', n_all, n_leaf;
    END IF;
    IF (SELECT inhparent FROM pg_inherits
         WHERE inhrelid = od_vendor_partition_name('customer_terms', va)::regclass)
       <> 'customer_terms'::regclass
       OR to_regclass(od_vendor_view_name('customer_terms', va)) IS NULL THEN
        RAISE EXCEPTION 'FAIL customer_terms partition or view missing for a new vendor';
    END IF;
    IF (SELECT inhparent FROM pg_inherits
         WHERE inhrelid = od_vendor_partition_name('products', va)::regclass) <> 'products'::regclass THEN
        RAISE EXCEPTION 'FAIL vendor partition is not a partition of products';
    END IF;
    SELECT count(*) INTO n_mod FROM pg_class c
     WHERE c.relname LIKE od_vendor_partition_name('products', va) || '_h%'
       AND pg_get_expr(c.relpartbound, c.oid) LIKE 'FOR VALUES WITH (modulus 16,%';
    IF n_mod <> 16 THEN
        RAISE EXCEPTION 'FAIL products hash leaves with modulus 16: %', n_mod;
    END IF;
    IF (SELECT attstattarget FROM pg_attribute
         WHERE attrelid = (od_vendor_partition_name('products', va) || '_h07')::regclass
           AND attname = 'search_tsv') <> 1000 THEN
        RAISE EXCEPTION 'FAIL search_tsv statistics target not 1000 on a new partition';
    END IF;
END
$$;

-- 2. as the application role: rows spread over the hash leaves; derived-id rules
GRANT odyssey_app TO CURRENT_USER;
SET ROLE odyssey_app;

DO $$
DECLARE
    va uuid := current_setting('t.va');
    vb uuid := current_setting('t.vb');
    n int;
BEGIN
    PERFORM set_config('odyssey.vendor_id', va::text, true);  -- RLS: act as vendor A
    FOR i IN 1 .. 400 LOOP
        EXECUTE pg_temp.product_sql(va, 'sku-' || i, NULL);
    END LOOP;
    SELECT count(DISTINCT tableoid) INTO n FROM products WHERE vendor_id = va;
    IF n <> 16 THEN
        RAISE EXCEPTION 'FAIL 400 products landed in % sub-partitions (want 16)', n;
    END IF;
    SELECT count(*) INTO n FROM products p
     WHERE p.vendor_id = va AND p.tableoid::regclass::text
           NOT LIKE od_vendor_partition_name('products', va) || '_h__';
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL % products outside the vendor''s hash leaves', n;
    END IF;
    -- each row sits in the leaf whose remainder (suffix _hNN) matches hash(id) mod 16
    SELECT count(*) INTO n FROM products p
     WHERE p.vendor_id = va
       AND NOT satisfies_hash_partition(od_vendor_partition_name('products', va)::regclass::oid, 16,
                                        right(p.tableoid::regclass::text, 2)::int, p.id);
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL % products in a leaf that does not match hash(id)', n;
    END IF;

    -- one row per (vendor_id, external_id)
    PERFORM pg_temp.expect_error(pg_temp.product_sql(va, 'sku-1', NULL), '23505', 'duplicate external_id');
    -- ... but the same external_id in another vendor is a different row
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    EXECUTE pg_temp.product_sql(vb, 'sku-1', NULL);
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    -- lookups compute the id
    IF NOT EXISTS (SELECT 1 FROM products WHERE vendor_id = va AND id = od_entity_id(va, 'sku-1')) THEN
        RAISE EXCEPTION 'FAIL lookup by od_entity_id';
    END IF;
    -- an id that is not od_entity_id(vendor_id, external_id) is refused
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO products (id, vendor_id, external_id, name, brand, description, category_id, price)
         SELECT gen_random_uuid(), %L, %L, %L, %L, %L, id, 1 FROM tax_categories WHERE vendor_id IS NULL AND code = %L',
        va, 'sku-x', 'n', 'b', 'd', 'snacks'), '23514', 'id not derived');
    -- a missing id is a clear not_null_violation (a trigger cannot fill it: see 001)
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO products (vendor_id, external_id, name, brand, description, category_id, price)
         SELECT %L, %L, %L, %L, %L, id, 1 FROM tax_categories WHERE vendor_id IS NULL AND code = %L',
        va, 'sku-y', 'n', 'b', 'd', 'snacks'), '23502', 'id missing');
    -- external_id is immutable (also together with a matching id)
    PERFORM pg_temp.expect_error(format(
        'UPDATE products SET external_id = %L WHERE vendor_id = %L AND id = od_entity_id(%L, %L)',
        'sku-renamed', va, va, 'sku-2'), '23514', 'external_id change');
    PERFORM pg_temp.expect_error(format(
        'UPDATE products SET external_id = %L, id = od_entity_id(%L, %L) WHERE vendor_id = %L AND id = od_entity_id(%L, %L)',
        'sku-renamed', va, 'sku-renamed', va, va, 'sku-2'), '23514', 'coordinated re-key');
    -- a vendor without partitions cannot receive rows
    PERFORM pg_temp.expect_error(pg_temp.product_sql(gen_random_uuid(), 'sku-1', NULL), '23514', 'unknown vendor');
    -- price / currency / gtin checks
    PERFORM pg_temp.expect_error(pg_temp.product_sql(va, 'sku-eur', NULL, ', currency', ', ''EUR'''), '23514', 'currency');
    PERFORM pg_temp.expect_error(pg_temp.product_sql(va, 'sku-gt', '12345', ', gtin_type', ', ''gtin13'''), '23514', 'gtin length');
    EXECUTE pg_temp.product_sql(va, 'sku-gt', '0012345678905', ', gtin_type', ', ''gtin13''');
END
$$;

-- 3. UQ(vendor_id, barcode) through product_barcodes
DO $$
DECLARE
    va uuid := current_setting('t.va');
    vb uuid := current_setting('t.vb');
    st text; cn text;
BEGIN
    PERFORM set_config('odyssey.vendor_id', va::text, true);  -- RLS: act as vendor A
    EXECUTE pg_temp.product_sql(va, 'bc-1', '0001112223334');
    BEGIN
        EXECUTE pg_temp.product_sql(va, 'bc-2', '0001112223334');
        RAISE EXCEPTION 'FAIL duplicate barcode accepted';
    EXCEPTION WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS cn = CONSTRAINT_NAME;
        IF cn <> 'products_vendor_barcode_key' THEN
            RAISE EXCEPTION 'FAIL duplicate barcode names constraint %', cn;
        END IF;
    END;
    -- the same barcode in another vendor is fine
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    EXECUTE pg_temp.product_sql(vb, 'bc-1', '0001112223334');
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    -- via UPDATE too
    EXECUTE pg_temp.product_sql(va, 'bc-3', '0009998887776');
    PERFORM pg_temp.expect_error(format(
        'UPDATE products SET barcode = %L WHERE vendor_id = %L AND id = od_entity_id(%L, %L)',
        '0001112223334', va, va, 'bc-3'), '23505', 'duplicate barcode by update');
    -- changing a barcode releases the old one
    UPDATE products SET barcode = '0005550000001' WHERE vendor_id = va AND id = od_entity_id(va, 'bc-3');
    EXECUTE pg_temp.product_sql(va, 'bc-4', '0009998887776');
    -- a soft-deleted product keeps its barcode; a hard delete releases it
    UPDATE products SET soft_deleted_at = now() WHERE vendor_id = va AND id = od_entity_id(va, 'bc-1');
    PERFORM pg_temp.expect_error(pg_temp.product_sql(va, 'bc-5', '0001112223334'), '23505', 'barcode of soft-deleted');
    DELETE FROM products WHERE vendor_id = va AND id = od_entity_id(va, 'bc-1');
    EXECUTE pg_temp.product_sql(va, 'bc-5', '0001112223334');
    IF (SELECT count(*) FROM product_barcodes WHERE vendor_id = va) <>
       (SELECT count(*) FROM products WHERE vendor_id = va AND barcode IS NOT NULL) THEN
        RAISE EXCEPTION 'FAIL product_barcodes out of sync with products';
    END IF;
    -- the app cannot write the key table directly
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO product_barcodes (vendor_id, barcode, product_id) VALUES (%L, %L, %L)',
        va, 'x', od_entity_id(va, 'sku-1')), '42501', 'app writes product_barcodes');
END
$$;

-- 4. search_tsv with weights; customers; tenancy of references
DO $$
DECLARE
    va uuid := current_setting('t.va');
    vb uuid := current_setting('t.vb');
    v tsvector;
    cat_b uuid;
BEGIN
    PERFORM set_config('odyssey.vendor_id', va::text, true);  -- RLS: act as vendor A
    INSERT INTO products (id, vendor_id, external_id, name, brand, description, category_id, price)
    SELECT od_entity_id(va, 'tsv-1'), va, 'tsv-1', 'Crunchy Granola', 'Acme Mills',
           'Toasted oats with honey. ' || repeat('filler ', 100) || 'zanzibar', id, 4.50
      FROM tax_categories WHERE vendor_id IS NULL AND code = 'snacks';
    SELECT search_tsv INTO v FROM products WHERE vendor_id = va AND id = od_entity_id(va, 'tsv-1');
    IF v IS NULL
       OR NOT ts_filter(v, '{a}') @@ to_tsquery('english', 'granola')
       OR NOT ts_filter(v, '{b}') @@ to_tsquery('english', 'acme')
       OR NOT ts_filter(v, '{c}') @@ to_tsquery('english', 'honey')
       OR ts_filter(v, '{a}') @@ to_tsquery('english', 'acme')
       OR v @@ to_tsquery('english', 'zanzibar') THEN   -- beyond the first 500 chars
        RAISE EXCEPTION 'FAIL products.search_tsv weights: %', v;
    END IF;
    UPDATE products SET name = 'Chewy Muesli' WHERE vendor_id = va AND id = od_entity_id(va, 'tsv-1');
    SELECT search_tsv INTO v FROM products WHERE vendor_id = va AND id = od_entity_id(va, 'tsv-1');
    IF NOT ts_filter(v, '{a}') @@ to_tsquery('english', 'muesli') OR v @@ to_tsquery('english', 'granola') THEN
        RAISE EXCEPTION 'FAIL search_tsv not refreshed on update: %', v;
    END IF;

    INSERT INTO customers (id, vendor_id, external_id, full_name, email, age, gender, location)
    VALUES (od_entity_id(va, 'c-1'), va, 'c-1', 'Ada Lovelace', 'ada@example.com', 36, 'female', '{"postal_code":"10001"}');
    SELECT search_tsv INTO v FROM customers WHERE vendor_id = va AND id = od_entity_id(va, 'c-1');
    IF NOT ts_filter(v, '{a}') @@ to_tsquery('simple', 'lovelace')
       OR NOT v @@ to_tsquery('simple', 'c-1') THEN
        RAISE EXCEPTION 'FAIL customers.search_tsv: %', v;
    END IF;
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO customers (id, vendor_id, external_id, full_name, email, gender, location)
         VALUES (od_entity_id(%L, %L), %L, %L, %L, %L, %L, %L)',
        va, 'c-2', va, 'c-2', 'No Age', 'n@example.com', 'male', '{}'), '23514', 'dob or age');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO customers (id, vendor_id, external_id, full_name, email, age, gender, location)
         VALUES (od_entity_id(%L, %L), %L, %L, %L, %L, 40, %L, %L)',
        va, 'c-1', va, 'c-1', 'Dup', 'd@example.com', 'male', '{}'), '23505', 'duplicate customer');
    INSERT INTO customer_health_profiles (vendor_id, customer_id, height_cm, weight_kg, age, gender, activity_level)
    VALUES (va, od_entity_id(va, 'c-1'), 165, 70, 45, 'female', 'light');

    -- child rows can never point into another tenant (acting as B, pointing at A's rows)
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO product_images (vendor_id, product_id, url) VALUES (%L, %L, %L)',
        vb, od_entity_id(va, 'tsv-1'), 'https://img.example/1.jpg'), '23503', 'cross-tenant image');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO customer_health_profiles (vendor_id, customer_id, height_cm, weight_kg, age, gender, activity_level)
         VALUES (%L, %L, 180, 80, 30, %L, %L)', vb, od_entity_id(va, 'c-1'), 'male', 'moderate'),
        '23503', 'cross-tenant health profile');
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    -- images and lineage follow their product without foreign keys (migration 014)
    EXECUTE pg_temp.product_sql(va, 'casc-1', NULL);
    INSERT INTO product_images (vendor_id, product_id, url)
    VALUES (va, od_entity_id(va, 'casc-1'), 'https://img.example/c.jpg');
    INSERT INTO product_sources (vendor_id, product_id, source)
    VALUES (va, od_entity_id(va, 'casc-1'), 'api');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO product_sources (vendor_id, product_id, source) VALUES (%L, %L, %L)',
        va, od_entity_id(va, 'nope'), 'api'), '23503', 'lineage of no product');
    -- the check counts distinct parents (migration 037): two rows of one product pass,
    -- one missing parent among present ones fails
    INSERT INTO product_images (vendor_id, product_id, url)
    VALUES (va, od_entity_id(va, 'casc-1'), 'https://img.example/c2.jpg'),
           (va, od_entity_id(va, 'casc-1'), 'https://img.example/c3.jpg'),
           (va, od_entity_id(va, 'tsv-1'), 'https://img.example/t2.jpg');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO product_images (vendor_id, product_id, url) VALUES (%L, %L, %L), (%L, %L, %L), (%L, %L, %L)',
        va, od_entity_id(va, 'casc-1'), 'https://img.example/c4.jpg',
        va, od_entity_id(va, 'casc-1'), 'https://img.example/c5.jpg',
        va, od_entity_id(va, 'nope'), 'https://img.example/n.jpg'), '23503', 'one image of no product');
    PERFORM pg_temp.expect_error(format(
        'UPDATE product_images SET product_id = %L WHERE vendor_id = %L AND product_id = %L',
        od_entity_id(va, 'tsv-1'), va, od_entity_id(va, 'casc-1')), '23503', 'image moved');
    DELETE FROM products WHERE vendor_id = va AND id = od_entity_id(va, 'casc-1');
    IF EXISTS (SELECT 1 FROM product_images WHERE product_id = od_entity_id(va, 'casc-1'))
       OR EXISTS (SELECT 1 FROM product_sources WHERE product_id = od_entity_id(va, 'casc-1')) THEN
        RAISE EXCEPTION 'FAIL images and lineage outlive their product';
    END IF;
    -- a customer's health data follows it without foreign keys (migration 018)
    INSERT INTO customers (id, vendor_id, external_id, full_name, email, age, gender, location)
    VALUES (od_entity_id(va, 'casc-c'), va, 'casc-c', 'Casc', 'c@example.com', 40, 'male', '{}');
    EXECUTE pg_temp.product_sql(va, 'casc-2', NULL);
    INSERT INTO customer_health_profiles (vendor_id, customer_id, height_cm, weight_kg, age, gender, activity_level)
    VALUES (va, od_entity_id(va, 'casc-c'), 180, 80, 40, 'male', 'light');
    INSERT INTO customer_consents (vendor_id, customer_id, consent_type, granted, version)
    VALUES (va, od_entity_id(va, 'casc-c'), 'health_data', true, '1');
    INSERT INTO customer_whitelists (vendor_id, customer_id, product_id)
    VALUES (va, od_entity_id(va, 'casc-c'), od_entity_id(va, 'casc-2'));
    INSERT INTO matches_cache (vendor_id, customer_id, catalog_version, results)
    VALUES (va, od_entity_id(va, 'casc-c'), 1, '[]');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO customer_consents (vendor_id, customer_id, consent_type, granted, version)
         VALUES (%L, %L, %L, true, %L)', va, od_entity_id(va, 'nobody'), 'x', '1'),
        '23503', 'consent of no customer');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO customer_blacklists (vendor_id, customer_id, product_id) VALUES (%L, %L, %L)',
        va, od_entity_id(va, 'casc-c'), od_entity_id(va, 'no-product')), '23503',
        'list entry of no product');
    PERFORM pg_temp.expect_error(format(
        'UPDATE customer_consents SET customer_id = %L WHERE vendor_id = %L AND customer_id = %L',
        od_entity_id(va, 'c-1'), va, od_entity_id(va, 'casc-c')), '23503', 'consent moved');
    DELETE FROM products WHERE vendor_id = va AND id = od_entity_id(va, 'casc-2');
    IF EXISTS (SELECT 1 FROM customer_whitelists WHERE customer_id = od_entity_id(va, 'casc-c')) THEN
        RAISE EXCEPTION 'FAIL a list entry outlives its product';
    END IF;
    DELETE FROM customers WHERE vendor_id = va AND id = od_entity_id(va, 'casc-c');
    IF EXISTS (SELECT 1 FROM customer_health_profiles WHERE customer_id = od_entity_id(va, 'casc-c'))
       OR EXISTS (SELECT 1 FROM customer_consents WHERE customer_id = od_entity_id(va, 'casc-c'))
       OR EXISTS (SELECT 1 FROM matches_cache WHERE customer_id = od_entity_id(va, 'casc-c')) THEN
        RAISE EXCEPTION 'FAIL health data outlives its customer';
    END IF;
    -- vendor-scoped taxonomy: visible to its vendor only
    INSERT INTO tax_categories (vendor_id, code, label) VALUES (va, 'house_brand', 'House brand')
    RETURNING id INTO cat_b;
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    INSERT INTO tax_categories (vendor_id, code, label) VALUES (vb, 'house_brand', 'House brand');
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO tax_categories (vendor_id, code, label) VALUES (%L, %L, %L)', va, 'house_brand', 'again'),
        '23505', 'vendor taxonomy code unique');
    EXECUTE pg_temp.product_sql(va, 'own-cat', NULL);
    UPDATE products SET category_id = cat_b WHERE vendor_id = va AND id = od_entity_id(va, 'own-cat');
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    PERFORM pg_temp.expect_error(format(
        'UPDATE products SET category_id = %L WHERE vendor_id = %L AND id = od_entity_id(%L, %L)',
        cat_b, vb, vb, 'sku-1'), '23503', 'category of another vendor');
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    -- global rows are read-only for the app (RLS)
    PERFORM pg_temp.expect_error(
        'INSERT INTO tax_categories (code, label) VALUES (''rogue'', ''Rogue'')', '42501', 'app inserts global taxonomy');
    UPDATE tax_categories SET label = 'Hijacked' WHERE vendor_id IS NULL;
    DELETE FROM synonyms_value WHERE vendor_id IS NULL;
    IF EXISTS (SELECT 1 FROM tax_categories WHERE label = 'Hijacked')
       OR NOT EXISTS (SELECT 1 FROM synonyms_value WHERE vendor_id IS NULL) THEN
        RAISE EXCEPTION 'FAIL the app changed global rows';
    END IF;

    -- audit_log: the app may insert and read, never change
    INSERT INTO audit_log (actor_user_id, actor_role, vendor_id, action, entity, entity_id, ip)
    VALUES ('user-1', 'vendor_admin', va, 'health.read', 'customer_health_profile', 'c-1', '203.0.113.7');
    PERFORM pg_temp.expect_error('UPDATE audit_log SET action = ''x''', '42501', 'app updates audit_log');
    PERFORM pg_temp.expect_error('DELETE FROM audit_log', '42501', 'app deletes audit_log');
    -- owner-only functions; ANALYZE helper works for the app
    PERFORM pg_temp.expect_error('SELECT od_create_vendor(''rogue'')', '42501', 'app calls od_create_vendor');
    PERFORM od_analyze_vendor(va, 'products');
    PERFORM pg_temp.expect_error(format('SELECT od_analyze_vendor(%L, %L)', va, 'audit_log'), '22023', 'analyze other table');

    -- queue: one pending job per (kind, unique_key)
    INSERT INTO jobs (kind, vendor_id, unique_key) VALUES ('connector.sync', va, 'shopify');
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO jobs (kind, vendor_id, unique_key) VALUES (%L, %L, %L)', 'connector.sync', va, 'shopify'),
        '23505', 'duplicate unique job');
    UPDATE jobs SET state = 'completed', finished_at = now() WHERE unique_key = 'shopify';
    INSERT INTO jobs (kind, vendor_id, unique_key) VALUES ('connector.sync', va, 'shopify');
    -- idempotency keys are scoped by vendor
    INSERT INTO idempotency_keys (vendor_id, key, method, path, request_hash, locked_until)
    VALUES (va, 'k1', 'POST', '/api/v1/products', sha256('x'), now() + interval '30 seconds');
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    INSERT INTO idempotency_keys (vendor_id, key, method, path, request_hash, locked_until)
    VALUES (vb, 'k1', 'POST', '/api/v1/products', sha256('y'), now() + interval '30 seconds');
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    PERFORM pg_temp.expect_error(format(
        'INSERT INTO idempotency_keys (vendor_id, key, method, path, request_hash, locked_until)
         VALUES (%L, %L, %L, %L, sha256(%L), now())', va, 'k1', 'POST', '/p', 'z'), '23505', 'idempotency key reuse');
    INSERT INTO events (vendor_id, event_type, payload) VALUES (va, 'product.updated', '{}');
END
$$;

-- 4b. row-level security: a query without WHERE vendor_id sees only the current
-- vendor; no vendor context sees nothing; writing another vendor's row is refused.
DO $$
DECLARE
    va uuid := current_setting('t.va');
    vb uuid := current_setting('t.vb');
    n int;
BEGIN
    PERFORM set_config('odyssey.vendor_id', va::text, true);
    IF EXISTS (SELECT 1 FROM products WHERE vendor_id <> va)
       OR EXISTS (SELECT 1 FROM customers WHERE vendor_id <> va)
       OR NOT EXISTS (SELECT 1 FROM products) THEN
        RAISE EXCEPTION 'FAIL vendor A sees rows of another vendor (or none of its own)';
    END IF;
    SELECT count(*) INTO n FROM products WHERE vendor_id = vb;
    IF n <> 0 THEN
        RAISE EXCEPTION 'FAIL vendor A sees % products of vendor B by asking for them', n;
    END IF;
    PERFORM pg_temp.expect_error(pg_temp.product_sql(vb, 'smuggled', NULL), '42501', 'write into vendor B as A');
    UPDATE products SET name = 'Hijacked' WHERE vendor_id = vb;
    PERFORM set_config('odyssey.vendor_id', vb::text, true);
    IF EXISTS (SELECT 1 FROM products WHERE name = 'Hijacked') THEN
        RAISE EXCEPTION 'FAIL vendor A changed a product of vendor B';
    END IF;
    PERFORM set_config('odyssey.vendor_id', '', true);
    SELECT count(*) INTO n FROM products;
    IF n <> 0 OR EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM vendors) THEN
        RAISE EXCEPTION 'FAIL rows visible without a vendor context';
    END IF;
END
$$;

RESET ROLE;

-- 5. audit_log is insert-only for the owner too (triggers)
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM audit_log) THEN
        RAISE EXCEPTION 'FAIL audit row missing';
    END IF;
    PERFORM pg_temp.expect_error('UPDATE audit_log SET action = ''x''', '42501', 'owner updates audit_log');
    PERFORM pg_temp.expect_error('DELETE FROM audit_log', '42501', 'owner deletes audit_log');
    PERFORM pg_temp.expect_error('TRUNCATE audit_log', '42501', 'owner truncates audit_log');
END
$$;

-- 6. privileges of odyssey_app
DO $$
DECLARE
    va uuid := current_setting('t.va');
    part text := od_vendor_partition_name('products', va);
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
              WHERE c.relispartition AND c.relnamespace = 'public'::regnamespace LOOP
        IF has_table_privilege('odyssey_app', r.rel, 'SELECT')
           OR has_table_privilege('odyssey_app', r.rel, 'INSERT')
           OR has_table_privilege('odyssey_app', r.rel, 'UPDATE')
           OR has_table_privilege('odyssey_app', r.rel, 'DELETE') THEN
            RAISE EXCEPTION 'FAIL odyssey_app has privileges on partition %', r.rel;
        END IF;
    END LOOP;
    IF has_table_privilege('odyssey_app', part || '_h00', 'SELECT') THEN
        RAISE EXCEPTION 'FAIL odyssey_app can SELECT %', part || '_h00';
    END IF;
    IF NOT has_table_privilege('odyssey_app', 'products', 'SELECT,INSERT,UPDATE,DELETE')
       OR NOT has_table_privilege('odyssey_app', 'customers', 'SELECT,INSERT,UPDATE,DELETE') THEN
        RAISE EXCEPTION 'FAIL odyssey_app lacks DML on products/customers';
    END IF;
    IF has_table_privilege('odyssey_app', 'audit_log', 'UPDATE')
       OR has_table_privilege('odyssey_app', 'audit_log', 'DELETE')
       OR has_table_privilege('odyssey_app', 'audit_log', 'TRUNCATE')
       OR NOT has_table_privilege('odyssey_app', 'audit_log', 'INSERT')
       OR NOT has_table_privilege('odyssey_app', 'audit_log', 'SELECT') THEN
        RAISE EXCEPTION 'FAIL audit_log privileges of odyssey_app';
    END IF;
    FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') LOOP
        IF has_table_privilege('odyssey_app', r.rel, 'TRUNCATE')
           OR has_table_privilege('odyssey_app', r.rel, 'REFERENCES')
           OR has_table_privilege('odyssey_app', r.rel, 'TRIGGER') THEN
            RAISE EXCEPTION 'FAIL odyssey_app has TRUNCATE/REFERENCES/TRIGGER on %', r.rel;
        END IF;
        IF pg_has_role('odyssey_app', (SELECT relowner FROM pg_class WHERE oid = r.rel), 'MEMBER') THEN
            RAISE EXCEPTION 'FAIL odyssey_app owns %', r.rel;
        END IF;
    END LOOP;
    IF has_schema_privilege('odyssey_app', 'public', 'CREATE')
       OR has_function_privilege('odyssey_app', 'od_create_vendor(text)', 'EXECUTE')
       OR NOT has_function_privilege('odyssey_app', 'od_entity_id(uuid,text)', 'EXECUTE') THEN
        RAISE EXCEPTION 'FAIL schema/function privileges of odyssey_app';
    END IF;
    IF has_table_privilege('odyssey_app', 'product_barcodes', 'INSERT')
       OR has_table_privilege('odyssey_app', 'vendors', 'INSERT') THEN
        RAISE EXCEPTION 'FAIL odyssey_app can write product_barcodes/vendors directly';
    END IF;
END
$$;

-- 7. global seeds
DO $$
DECLARE
    codes text[];
BEGIN
    SELECT array_agg(code ORDER BY code) INTO codes FROM tax_allergens WHERE vendor_id IS NULL;
    IF codes <> ARRAY['egg', 'fish', 'milk', 'peanut', 'sesame', 'shellfish', 'soy', 'tree_nuts', 'wheat'] THEN
        RAISE EXCEPTION 'FAIL Big 9 allergens: %', codes;
    END IF;
    IF (SELECT count(*) FROM synonyms_value
         WHERE vendor_id IS NULL AND domain = 'allergen' AND canonical = 'tree_nuts'
           AND synonyms @> ARRAY['almond', 'black walnut', 'brazil nut', 'california walnut', 'cashew',
                                 'hazelnut', 'heartnut', 'macadamia', 'pecan', 'pine nut', 'pistachio',
                                 'english walnut']) <> 1
       OR EXISTS (SELECT 1 FROM synonyms_value WHERE domain = 'allergen' AND 'coconut' = ANY (synonyms)) THEN
        RAISE EXCEPTION 'FAIL tree nut synonyms';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM synonyms_value WHERE vendor_id IS NULL AND domain = 'condition'
                    AND canonical = 'diabetes_t2' AND synonyms @> ARRAY['t2d', 'type 2 diabetes'])
       OR NOT EXISTS (SELECT 1 FROM synonyms_value WHERE vendor_id IS NULL AND domain = 'condition'
                    AND canonical = 'hypertension' AND synonyms @> ARRAY['htn', 'high blood pressure'])
       OR NOT EXISTS (SELECT 1 FROM synonyms_value WHERE vendor_id IS NULL AND domain = 'gender'
                    AND canonical = 'unspecified' AND 'prefer not to say' = ANY (synonyms))
       OR (SELECT count(DISTINCT domain) FROM synonyms_value WHERE vendor_id IS NULL) <> 6 THEN
        RAISE EXCEPTION 'FAIL value synonyms';
    END IF;
    IF (SELECT count(*) FROM diet_rules WHERE vendor_id IS NULL AND version = 1 AND active
          AND condition_code IN ('diabetes_t2', 'hypertension', 'hyperlipidemia', 'cvd', 'ckd',
                                 'obesity', 'celiac', 'pregnancy')) <> 8
       OR NOT EXISTS (SELECT 1 FROM diet_rules WHERE condition_code = 'celiac'
                       AND policy @> '{"rules": [{"kind": "hard", "type": "exclude"}]}') THEN
        RAISE EXCEPTION 'FAIL diet_rules seeds';
    END IF;
    -- every global condition template is a known condition code (a vendor may write a
    -- rule for a condition of its own, docs/diet-rules.md)
    IF EXISTS (SELECT 1 FROM diet_rules d WHERE d.vendor_id IS NULL AND NOT EXISTS (
                 SELECT 1 FROM synonyms_value s WHERE s.domain = 'condition' AND s.canonical = d.condition_code)) THEN
        RAISE EXCEPTION 'FAIL diet_rules condition without a condition synonym row';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM synonyms_header WHERE vendor_id IS NULL AND mode = 'products'
                    AND canonical = 'barcode' AND synonyms @> ARRAY['upc', 'ean', 'gtin'])
       OR (SELECT count(*) FROM tax_categories WHERE vendor_id IS NULL) < 9
       OR NOT EXISTS (SELECT 1 FROM tax_certifications WHERE vendor_id IS NULL AND code = 'usda_organic')
       OR NOT EXISTS (SELECT 1 FROM tax_tags WHERE vendor_id IS NULL AND code = 'gluten_free')
       OR NOT EXISTS (SELECT 1 FROM scoring_policies WHERE vendor_id IS NULL AND active) THEN
        RAISE EXCEPTION 'FAIL taxonomy/header/scoring seeds';
    END IF;
    -- global codes are unique even though vendor_id is NULL (NULLS NOT DISTINCT)
    PERFORM pg_temp.expect_error('INSERT INTO tax_allergens (code, label) VALUES (''milk'', ''Milk again'')',
                                 '23505', 'global code unique');
END
$$;

ROLLBACK;
\echo schema_checks: all assertions passed
