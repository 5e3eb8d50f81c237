-- 014 catalog seeds and the taxonomy reference check (issue 4, point 5).
--  * od_taxonomy_in_use: whether a taxonomy row may be deleted. A global row is used by
--    every vendor, whose products RLS hides from the app: the check runs as the owner.
--  * global seed additions: allergen value synonyms the FDA guidance names (goat and
--    sheep milk, duck/goose/quail eggs) in the forms vendors write them, and header
--    synonyms for common vendor CSV headers (snake_case forms, unit-suffixed labels,
--    the canonical nutrition keys themselves). 010 already holds the Big 9 and every
--    synonym of reference/nutrition.md; words are only appended, never removed.

-- Returns what references the taxonomy row p_id of p_table: 'children' (rows whose
-- parent_id names it), 'products' (category_id, sub_category_id, cuisine_id, or the
-- code inside dietary_tags / allergens / certifications), 'synonyms' (an allergen
-- code used as the canonical of allergen value synonyms), or NULL. For a global row
-- it looks at every vendor; for a vendor's row at that vendor only. A row the caller
-- cannot see (another vendor's) gives NULL: the answer reveals nothing about it.
CREATE FUNCTION od_taxonomy_in_use(p_table text, p_id uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_vendor uuid;
    v_code   text;
    v_found  boolean;
BEGIN
    IF p_table NOT IN ('tax_categories', 'tax_tags', 'tax_allergens', 'tax_cuisines',
                       'tax_certifications') THEN
        RAISE EXCEPTION 'not a taxonomy table: %', p_table USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('SELECT vendor_id, code FROM public.%I WHERE id = $1', p_table)
        INTO v_vendor, v_code USING p_id;
    IF v_code IS NULL OR (v_vendor IS NOT NULL AND v_vendor IS DISTINCT FROM od_current_vendor()) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I WHERE parent_id = $1)', p_table)
        INTO v_found USING p_id;
    IF v_found THEN
        RETURN 'children';
    END IF;
    v_found := CASE p_table
        WHEN 'tax_categories' THEN EXISTS (SELECT 1 FROM products p
            WHERE (p.category_id = p_id OR p.sub_category_id = p_id)
              AND (v_vendor IS NULL OR p.vendor_id = v_vendor))
        WHEN 'tax_cuisines' THEN EXISTS (SELECT 1 FROM products p
            WHERE p.cuisine_id = p_id AND (v_vendor IS NULL OR p.vendor_id = v_vendor))
        WHEN 'tax_tags' THEN EXISTS (SELECT 1 FROM products p
            WHERE p.dietary_tags @> ARRAY[v_code] AND (v_vendor IS NULL OR p.vendor_id = v_vendor))
        WHEN 'tax_allergens' THEN EXISTS (SELECT 1 FROM products p
            WHERE p.allergens @> ARRAY[v_code] AND (v_vendor IS NULL OR p.vendor_id = v_vendor))
        ELSE EXISTS (SELECT 1 FROM products p
            WHERE p.certifications @> ARRAY[v_code] AND (v_vendor IS NULL OR p.vendor_id = v_vendor))
    END;
    IF v_found THEN
        RETURN 'products';
    END IF;
    IF p_table = 'tax_allergens' AND EXISTS (SELECT 1 FROM synonyms_value s
            WHERE s.domain = 'allergen' AND s.canonical = v_code
              AND (v_vendor IS NULL OR s.vendor_id = v_vendor)) THEN
        RETURN 'synonyms';
    END IF;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION od_taxonomy_in_use(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION od_taxonomy_in_use(text, uuid) TO odyssey_app;

-- ---------------------------------------------------------------------------------
-- Allergen value synonyms: forms of the FDA's inclusions (January 2025 guidance).
-- ---------------------------------------------------------------------------------
UPDATE synonyms_value s
   SET synonyms = s.synonyms || ARRAY(SELECT w FROM unnest(v.words) WITH ORDINALITY u (w, o)
                                        WHERE w <> ALL (s.synonyms) ORDER BY o)
  FROM (VALUES
    ('milk', ARRAY['goat''s milk', 'sheep''s milk', 'goats milk', 'sheeps milk']),
    ('egg',  ARRAY['duck eggs', 'goose eggs', 'quail eggs'])
  ) AS v (canonical, words)
 WHERE s.vendor_id IS NULL AND s.domain = 'allergen' AND s.canonical = v.canonical;

-- ---------------------------------------------------------------------------------
-- Header synonyms (compared lower-cased and trimmed): what vendor CSV exports call
-- each product field and nutrition key, and a few customer fields.
-- ---------------------------------------------------------------------------------
UPDATE synonyms_header h
   SET synonyms = h.synonyms || ARRAY(SELECT w FROM unnest(v.words) WITH ORDINALITY u (w, o)
                                        WHERE w <> ALL (h.synonyms) ORDER BY o)
  FROM (VALUES
    ('products', 'external_id',  ARRAY['sku_id', 'sku number', 'item_number', 'product code', 'product_code', 'item code', 'item_code']),
    ('products', 'name',         ARRAY['item_name', 'item title', 'product_title']),
    ('products', 'brand',        ARRAY['brand_name', 'manufacturer_name', 'mfr']),
    ('products', 'description',  ARRAY['product_description', 'long_description', 'short description', 'short_description', 'item description', 'item_description']),
    ('products', 'category',     ARRAY['category_name', 'category_code', 'product category', 'product_category', 'dept']),
    ('products', 'sub_category', ARRAY['sub-category', 'sub category name', 'subcategory name', 'sub_category_name']),
    ('products', 'cuisine',      ARRAY['cuisine_type']),
    ('products', 'barcode',      ARRAY['upc_code', 'ean_code', 'gtin_code', 'upc/ean', 'ean/upc', 'gtin13', 'gtin-13', 'gtin12', 'gtin-12', 'gtin8', 'gtin-8', 'ean8', 'ean-8', 'upc-12']),
    ('products', 'gtin_type',    ARRAY['gtin_type', 'barcode_type']),
    ('products', 'price',        ARRAY['unit_price', 'retail_price', 'list_price', 'price (usd)', 'price_usd']),
    ('products', 'currency',     ARRAY['currency_code']),
    ('products', 'status',       ARRAY['product_status']),
    ('products', 'ingredients',  ARRAY['ingredient_list', 'ingredients_list', 'ingredient_statement']),
    ('products', 'allergens',    ARRAY['allergen_info', 'allergen information', 'allergen_statement', 'contains allergens']),
    ('products', 'dietary_tags', ARRAY['dietary_tags', 'diet_tags', 'dietary attributes', 'diet type']),
    ('products', 'certifications', ARRAY['certification list', 'certification_list']),
    ('products', 'regulatory_codes', ARRAY['regulatory_codes', 'regulatory code']),
    ('products', 'serving_size', ARRAY['serving_size', 'portion']),
    ('products', 'package_weight', ARRAY['package_weight', 'net_weight', 'net wt.']),
    ('products', 'image_urls',   ARRAY['image_urls', 'image urls', 'photo url', 'photo_url', 'picture url']),
    ('products', 'source_url',   ARRAY['source_url', 'product_url', 'product link']),
    ('products', 'nutrition.energy_kcal',          ARRAY['energy_kcal', 'calories (kcal)', 'calories_kcal', 'calories per serving']),
    ('products', 'nutrition.protein_g',            ARRAY['protein_g', 'protein g']),
    ('products', 'nutrition.total_fat_g',          ARRAY['total_fat_g', 'total_fat', 'fat (g)']),
    ('products', 'nutrition.saturated_fat_g',      ARRAY['saturated_fat_g', 'saturated_fat', 'sat fat (g)']),
    ('products', 'nutrition.trans_fat_g',          ARRAY['trans_fat_g', 'trans_fat']),
    ('products', 'nutrition.cholesterol_mg',       ARRAY['cholesterol_mg']),
    ('products', 'nutrition.sodium_mg',            ARRAY['sodium_mg', 'sodium mg']),
    ('products', 'nutrition.total_carbohydrate_g', ARRAY['total_carbohydrate_g', 'total carbohydrate (g)', 'total carbohydrates', 'carbohydrates (g)', 'carbs (g)', 'total_carbs']),
    ('products', 'nutrition.dietary_fiber_g',      ARRAY['dietary_fiber_g', 'dietary fiber (g)', 'fiber (g)', 'dietary fibre', 'fibre (g)']),
    ('products', 'nutrition.total_sugars_g',       ARRAY['total_sugars_g', 'total sugars (g)', 'sugars (g)', 'sugar (g)']),
    ('products', 'nutrition.added_sugars_g',       ARRAY['added_sugars_g', 'added sugars (g)']),
    ('products', 'nutrition.potassium_mg',         ARRAY['potassium_mg']),
    ('products', 'nutrition.phosphorus_mg',        ARRAY['phosphorus_mg']),
    ('products', 'nutrition.calcium_mg',           ARRAY['calcium_mg']),
    ('products', 'nutrition.iron_mg',              ARRAY['iron_mg']),
    ('products', 'nutrition.vitamin_d_mcg',        ARRAY['vitamin_d_mcg', 'vitamin d (µg)', 'vitamin d (ug)', 'vit d (mcg)']),
    ('customers', 'email',       ARRAY['email_address']),
    ('customers', 'dob',         ARRAY['date_of_birth', 'birth_date']),
    ('customers', 'phone',       ARRAY['phone_number', 'mobile number']),
    ('customers', 'location.postal_code', ARRAY['zip_code', 'postal_code', 'postcode']),
    ('customers', 'height',      ARRAY['height_cm']),
    ('customers', 'weight',      ARRAY['weight_kg'])
  ) AS v (mode, canonical, words)
 WHERE h.vendor_id IS NULL AND h.mode = v.mode::mapping_mode AND h.canonical = v.canonical;
