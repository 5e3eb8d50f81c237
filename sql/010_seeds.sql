-- 010 global seed data (vendor_id NULL, visible to every vendor): taxonomy starters,
-- value/header synonym dictionaries, condition-template diet rules (version 1) and
-- the default scoring weights. Sources: reference/nutrition.md.

-- ---------------------------------------------------------------------------------
-- Taxonomy
-- ---------------------------------------------------------------------------------
INSERT INTO tax_allergens (code, label) VALUES     -- US "Big 9" (FALCPA 2004 + FASTER Act)
    ('milk',      'Milk'),
    ('egg',       'Eggs'),
    ('fish',      'Fish'),
    ('shellfish', 'Crustacean shellfish'),
    ('tree_nuts', 'Tree nuts'),
    ('peanut',    'Peanuts'),
    ('wheat',     'Wheat'),
    ('soy',       'Soybeans'),
    ('sesame',    'Sesame');

INSERT INTO tax_categories (code, label) VALUES
    ('beverages',      'Beverages'),
    ('snacks',         'Snacks'),
    ('dairy',          'Dairy & eggs'),
    ('bakery',         'Bakery'),
    ('produce',        'Produce'),
    ('meat_seafood',   'Meat & seafood'),
    ('frozen',         'Frozen'),
    ('pantry',         'Pantry'),
    ('prepared_meals', 'Prepared meals'),
    ('supplements',    'Supplements');

INSERT INTO tax_tags (code, label) VALUES           -- dietary tags (same codes as domain 'diet')
    ('vegan',        'Vegan'),
    ('vegetarian',   'Vegetarian'),
    ('pescatarian',  'Pescatarian'),
    ('gluten_free',  'Gluten-free'),
    ('dairy_free',   'Dairy-free'),
    ('nut_free',     'Nut-free'),
    ('keto',         'Keto'),
    ('paleo',        'Paleo'),
    ('low_carb',     'Low carb'),
    ('low_sodium',   'Low sodium'),
    ('low_sugar',    'Low sugar'),
    ('low_fat',      'Low fat'),
    ('high_protein', 'High protein'),
    ('high_fiber',   'High fiber');

INSERT INTO tax_cuisines (code, label) VALUES
    ('american',      'American'),
    ('mexican',       'Mexican'),
    ('latin_american','Latin American'),
    ('italian',       'Italian'),
    ('french',        'French'),
    ('mediterranean', 'Mediterranean'),
    ('middle_eastern','Middle Eastern'),
    ('indian',        'Indian'),
    ('chinese',       'Chinese'),
    ('japanese',      'Japanese'),
    ('korean',        'Korean'),
    ('thai',          'Thai');

INSERT INTO tax_certifications (code, label) VALUES
    ('usda_organic',          'USDA Organic'),
    ('non_gmo',               'Non-GMO Project Verified'),
    ('kosher',                'Kosher'),
    ('halal',                 'Halal'),
    ('certified_gluten_free', 'Certified gluten-free'),
    ('certified_vegan',       'Certified vegan'),
    ('fair_trade',            'Fair Trade Certified'),
    ('rainforest_alliance',   'Rainforest Alliance Certified');

-- ---------------------------------------------------------------------------------
-- Value synonyms. Lookups compare the lower-cased, trimmed input with canonical and
-- with each synonym. Ambiguous words ("lecithin", "natural flavor", "marzipan",
-- "surimi") are deliberately absent: they are "may contain", never a silent match.
-- ---------------------------------------------------------------------------------
INSERT INTO synonyms_value (domain, canonical, synonyms) VALUES
    ('allergen', 'milk', ARRAY['dairy', 'milks', 'casein', 'caseinate', 'whey', 'lactalbumin',
        'lactoglobulin', 'lactose', 'ghee', 'butter', 'buttermilk', 'cream', 'curds',
        'milk solids', 'goat milk', 'sheep milk']),
    ('allergen', 'egg', ARRAY['eggs', 'albumin', 'albumen', 'globulin', 'livetin', 'lysozyme',
        'ovalbumin', 'ovomucoid', 'mayonnaise', 'meringue', 'duck egg', 'goose egg', 'quail egg']),
    ('allergen', 'fish', ARRAY['fishes']),
    ('allergen', 'shellfish', ARRAY['crustacean shellfish', 'crustaceans', 'crustacean',
        'crab', 'lobster', 'shrimp']),
    ('allergen', 'tree_nuts', ARRAY['tree nut', 'tree nuts', 'nuts (tree)',
        'almond', 'black walnut', 'brazil nut', 'california walnut', 'cashew', 'hazelnut',
        'filbert', 'heartnut', 'macadamia', 'pecan', 'pine nut', 'pistachio',
        'english walnut', 'persian walnut',
        'almonds', 'brazil nuts', 'cashews', 'hazelnuts', 'filberts', 'macadamia nuts',
        'pecans', 'pine nuts', 'pistachios', 'walnut', 'walnuts']),
    ('allergen', 'peanut', ARRAY['peanuts', 'arachis oil', 'ground nuts', 'goober',
        'monkey nuts', 'beer nuts']),
    ('allergen', 'wheat', ARRAY['durum', 'semolina', 'spelt', 'farina', 'graham', 'bulgur',
        'couscous', 'triticale', 'wheat germ', 'vital wheat gluten', 'emmer', 'farro']),
    ('allergen', 'soy', ARRAY['soybean', 'soybeans', 'soya', 'soja', 'edamame', 'miso', 'natto',
        'shoyu', 'tamari', 'tempeh', 'tofu', 'textured vegetable protein']),
    ('allergen', 'sesame', ARRAY['sesame seed', 'sesame seeds', 'benne', 'benniseed', 'gingelly',
        'tahini', 'til', 'sim sim']),

    ('condition', 'diabetes_t2', ARRAY['t2d', 't2dm', 'dm2', 'niddm', 'type 2 diabetes',
        'type ii diabetes', 'diabetes type 2', 'diabetes mellitus type 2', 'type 2 diabetes mellitus']),
    ('condition', 'hypertension', ARRAY['htn', 'hbp', 'high blood pressure']),
    ('condition', 'hyperlipidemia', ARRAY['hld', 'high cholesterol', 'hypercholesterolemia',
        'dyslipidemia']),
    ('condition', 'cvd', ARRAY['cardiovascular disease', 'heart disease', 'coronary artery disease',
        'cad', 'coronary heart disease', 'chd']),
    ('condition', 'ckd', ARRAY['chronic kidney disease', 'kidney disease', 'chronic renal disease',
        'ckd stage 3', 'ckd stage 4', 'ckd stage 5']),
    ('condition', 'obesity', ARRAY['obese']),
    ('condition', 'celiac', ARRAY['celiac disease', 'coeliac', 'coeliac disease', 'celiac sprue']),
    ('condition', 'pregnancy', ARRAY['pregnant', 'expecting', 'prenatal']),

    ('gender', 'male',        ARRAY['m', 'man']),
    ('gender', 'female',      ARRAY['f', 'woman']),
    ('gender', 'other',       ARRAY['o', 'x', 'non-binary', 'nonbinary', 'genderqueer']),
    ('gender', 'unspecified', ARRAY['u', 'unknown', 'prefer not to say', 'not specified',
        'undisclosed', 'declined', 'n/a', 'na']),

    ('activity', 'sedentary', ARRAY['inactive', 'little or no exercise']),
    ('activity', 'light',     ARRAY['lightly active', 'light activity']),
    ('activity', 'moderate',  ARRAY['moderately active', 'moderate activity']),
    ('activity', 'very',      ARRAY['very active']),
    ('activity', 'extra',     ARRAY['extra active', 'extremely active', 'athlete']),

    ('diet', 'vegan',        ARRAY['vegan friendly', 'vegan-friendly']),
    ('diet', 'vegetarian',   ARRAY['veggie', 'lacto-ovo vegetarian', 'ovo-lacto vegetarian']),
    ('diet', 'pescatarian',  ARRAY['pescetarian', 'pesco-vegetarian']),
    ('diet', 'gluten_free',  ARRAY['gluten free', 'gluten-free', 'gf', 'no gluten']),
    ('diet', 'dairy_free',   ARRAY['dairy free', 'dairy-free', 'non-dairy', 'no dairy']),
    ('diet', 'nut_free',     ARRAY['nut free', 'nut-free', 'no nuts']),
    ('diet', 'keto',         ARRAY['ketogenic', 'keto friendly', 'keto-friendly']),
    ('diet', 'paleo',        ARRAY['paleolithic', 'paleo friendly', 'paleo-friendly']),
    ('diet', 'low_carb',     ARRAY['low carb', 'low-carb']),
    ('diet', 'low_sodium',   ARRAY['low sodium', 'low-sodium']),
    ('diet', 'low_sugar',    ARRAY['low sugar', 'low-sugar']),
    ('diet', 'low_fat',      ARRAY['low fat', 'low-fat']),
    ('diet', 'high_protein', ARRAY['high protein', 'high-protein']),
    ('diet', 'high_fiber',   ARRAY['high fiber', 'high-fiber', 'high fibre', 'high-fibre']),

    ('unit', 'g',     ARRAY['gram', 'grams', 'gm', 'gms']),
    ('unit', 'mg',    ARRAY['milligram', 'milligrams']),
    ('unit', 'mcg',   ARRAY['µg', 'ug', 'microgram', 'micrograms']),
    ('unit', 'kg',    ARRAY['kilogram', 'kilograms', 'kgs', 'kilo', 'kilos']),
    ('unit', 'lb',    ARRAY['lbs', 'pound', 'pounds']),
    ('unit', 'oz',    ARRAY['ounce', 'ounces']),
    ('unit', 'st',    ARRAY['stone', 'stones']),
    ('unit', 'fl_oz', ARRAY['fl oz', 'fl. oz.', 'fluid ounce', 'fluid ounces']),
    ('unit', 'ml',    ARRAY['milliliter', 'milliliters', 'millilitre', 'millilitres']),
    ('unit', 'l',     ARRAY['liter', 'liters', 'litre', 'litres']),
    ('unit', 'kcal',  ARRAY['kcals', 'kilocalorie', 'kilocalories', 'calorie', 'calories']),
    ('unit', 'kj',    ARRAY['kilojoule', 'kilojoules']),
    ('unit', 'iu',    ARRAY['i.u.', 'international unit', 'international units']),
    ('unit', 'cm',    ARRAY['centimeter', 'centimeters', 'centimetre', 'centimetres']),
    ('unit', 'm',     ARRAY['meter', 'meters', 'metre', 'metres']),
    ('unit', 'in',    ARRAY['inch', 'inches', '"', '″']),
    ('unit', 'ft',    ARRAY['foot', 'feet', '''', '′']),
    ('unit', 'pct',   ARRAY['%', 'percent']);

-- ---------------------------------------------------------------------------------
-- Header synonyms: canonical = staging column (stg_products / stg_customers) or
-- nutrition.<key>. transform_ops: op names applied in order (docs/data-model.md).
-- ---------------------------------------------------------------------------------
INSERT INTO synonyms_header (mode, canonical, synonyms, transform_ops, confidence) VALUES
    ('products', 'external_id',  ARRAY['sku', 'product id', 'product_id', 'item id', 'item_id', 'item number', 'external id', 'external_id', 'id'], '["trim"]', 0.90),
    ('products', 'name',         ARRAY['product name', 'product_name', 'name', 'title', 'product title', 'item name'], '["trim"]', 1.0),
    ('products', 'brand',        ARRAY['brand', 'brand name', 'manufacturer'], '["trim"]', 1.0),
    ('products', 'description',  ARRAY['description', 'product description', 'long description', 'desc', 'details'], '["trim"]', 1.0),
    ('products', 'category',     ARRAY['category', 'category code', 'category name', 'department'], '["trim", "lower"]', 0.90),
    ('products', 'sub_category', ARRAY['sub category', 'subcategory', 'sub_category'], '["trim", "lower"]', 1.0),
    ('products', 'cuisine',      ARRAY['cuisine', 'cuisine type'], '["trim", "lower"]', 1.0),
    ('products', 'barcode',      ARRAY['barcode', 'bar code', 'upc', 'upc code', 'upc-a', 'ean', 'ean13', 'ean-13', 'gtin', 'gtin14', 'gtin-14'], '["trim", "digits_only"]', 1.0),
    ('products', 'gtin_type',    ARRAY['gtin type', 'barcode type'], '["trim", "lower"]', 1.0),
    ('products', 'price',        ARRAY['price', 'unit price', 'retail price', 'list price'], '["parse_money"]', 1.0),
    ('products', 'currency',     ARRAY['currency', 'currency code'], '["trim", "upper"]', 1.0),
    ('products', 'status',       ARRAY['status', 'product status'], '["trim", "lower"]', 1.0),
    ('products', 'ingredients',  ARRAY['ingredients', 'ingredient list', 'ingredients list', 'ingredient statement'], '["trim"]', 1.0),
    ('products', 'allergens',    ARRAY['allergens', 'allergen', 'contains', 'allergen statement'], '["split_list", "normalize:allergen"]', 1.0),
    ('products', 'dietary_tags', ARRAY['dietary tags', 'diet tags', 'diet', 'diets', 'dietary'], '["split_list", "normalize:diet"]', 1.0),
    ('products', 'certifications', ARRAY['certifications', 'certification', 'certs'], '["split_list", "lower"]', 1.0),
    ('products', 'regulatory_codes', ARRAY['regulatory codes', 'regulatory'], '["split_list"]', 1.0),
    ('products', 'serving_size', ARRAY['serving size', 'serving', 'portion size'], '["trim"]', 1.0),
    ('products', 'package_weight', ARRAY['package weight', 'net weight', 'net wt', 'package size', 'size'], '["trim"]', 0.80),
    ('products', 'image_urls',   ARRAY['image', 'images', 'image url', 'image_url', 'photo', 'picture'], '["split_list"]', 1.0),
    ('products', 'source_url',   ARRAY['url', 'product url', 'source url', 'link'], '["trim"]', 0.90),
    ('products', 'nutrition.energy_kcal',          ARRAY['calories', 'energy', 'kcal', 'energy (kcal)'], '["parse_quantity:kcal"]', 1.0),
    ('products', 'nutrition.protein_g',            ARRAY['protein', 'protein (g)'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.total_fat_g',          ARRAY['total fat', 'fat', 'total fat (g)'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.saturated_fat_g',      ARRAY['saturated fat', 'sat fat', 'saturated fat (g)'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.trans_fat_g',          ARRAY['trans fat', 'trans fat (g)'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.cholesterol_mg',       ARRAY['cholesterol', 'cholesterol (mg)'], '["parse_quantity:mg"]', 1.0),
    ('products', 'nutrition.sodium_mg',            ARRAY['sodium', 'sodium (mg)'], '["parse_quantity:mg"]', 1.0),
    ('products', 'nutrition.total_carbohydrate_g', ARRAY['total carbohydrate', 'carbohydrates', 'carbohydrate', 'carbs', 'total carbs'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.dietary_fiber_g',      ARRAY['dietary fiber', 'fiber', 'fibre'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.total_sugars_g',       ARRAY['total sugars', 'sugars', 'sugar'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.added_sugars_g',       ARRAY['added sugars', 'added sugar', 'incl. added sugars'], '["parse_quantity:g"]', 1.0),
    ('products', 'nutrition.potassium_mg',         ARRAY['potassium', 'potassium (mg)'], '["parse_quantity:mg"]', 1.0),
    ('products', 'nutrition.phosphorus_mg',        ARRAY['phosphorus', 'phosphorus (mg)'], '["parse_quantity:mg"]', 1.0),
    ('products', 'nutrition.calcium_mg',           ARRAY['calcium', 'calcium (mg)'], '["parse_quantity:mg"]', 1.0),
    ('products', 'nutrition.iron_mg',              ARRAY['iron', 'iron (mg)'], '["parse_quantity:mg"]', 1.0),
    ('products', 'nutrition.vitamin_d_mcg',        ARRAY['vitamin d', 'vit d', 'vitamin d (mcg)'], '["parse_quantity:mcg"]', 1.0),

    ('customers', 'external_id', ARRAY['customer id', 'customer_id', 'member id', 'client id', 'patient id', 'external id', 'external_id', 'id'], '["trim"]', 0.90),
    ('customers', 'full_name',   ARRAY['full name', 'full_name', 'name', 'customer name', 'member name'], '["trim"]', 1.0),
    ('customers', 'email',       ARRAY['email', 'e-mail', 'email address'], '["trim", "lower"]', 1.0),
    ('customers', 'dob',         ARRAY['dob', 'date of birth', 'birth date', 'birthdate', 'birthday'], '["parse_date"]', 1.0),
    ('customers', 'age',         ARRAY['age', 'age (years)'], '["parse_int"]', 1.0),
    ('customers', 'gender',      ARRAY['gender', 'sex'], '["normalize:gender"]', 1.0),
    ('customers', 'location.postal_code', ARRAY['zip', 'zip code', 'zipcode', 'postal code'], '["trim"]', 1.0),
    ('customers', 'location.city',        ARRAY['city', 'town'], '["trim"]', 1.0),
    ('customers', 'location.state',       ARRAY['state', 'province', 'region'], '["trim", "upper"]', 0.90),
    ('customers', 'location.country',     ARRAY['country', 'country code'], '["trim", "upper"]', 1.0),
    ('customers', 'phone',       ARRAY['phone', 'phone number', 'mobile', 'cell', 'telephone'], '["trim"]', 1.0),
    ('customers', 'custom_tags', ARRAY['tags', 'custom tags', 'labels'], '["split_list"]', 1.0),
    ('customers', 'height',      ARRAY['height', 'height (cm)', 'height (in)', 'ht'], '["parse_height_cm"]', 1.0),
    ('customers', 'weight',      ARRAY['weight', 'weight (kg)', 'weight (lbs)', 'weight (lb)', 'wt'], '["parse_weight_kg"]', 1.0),
    ('customers', 'activity_level', ARRAY['activity', 'activity level', 'activity_level'], '["normalize:activity"]', 1.0),
    ('customers', 'conditions',  ARRAY['conditions', 'medical conditions', 'health conditions', 'diagnoses'], '["split_list", "normalize:condition"]', 1.0),
    ('customers', 'diet_goals',  ARRAY['goals', 'diet goals', 'dietary goals'], '["split_list", "lower"]', 1.0),
    ('customers', 'avoid_allergens', ARRAY['allergies', 'allergens', 'food allergies', 'avoid allergens'], '["split_list", "normalize:allergen"]', 1.0),
    ('customers', 'macro_targets', ARRAY['macro targets', 'macros'], '["parse_json"]', 1.0);

-- ---------------------------------------------------------------------------------
-- Diet rules: global condition templates, version 1 (nutrition.md). Vendors override
-- by inserting their own row for the same condition_code (their active row wins).
-- ---------------------------------------------------------------------------------
INSERT INTO diet_rules (condition_code, version, policy) VALUES
('diabetes_t2', 1, $j${
  "schema_version": 1, "condition": "diabetes_t2", "sources": ["ADA Standards of Care, Section 5"],
  "notes": "Carbohydrate is individualised: no default cap.",
  "rules": [
    {"id": "fiber_goal", "type": "nutrient", "kind": "soft", "nutrient": "dietary_fiber_g",
     "op": ">=", "value": 14, "unit": "g_per_1000kcal", "weight": 1.0, "source": "ADA"},
    {"id": "added_sugars_max", "type": "nutrient", "kind": "soft", "nutrient": "added_sugars_g",
     "op": "<=", "value": 50, "unit": "g", "weight": 1.0, "source": "ADA"},
    {"id": "sodium_max", "type": "nutrient", "kind": "soft", "nutrient": "sodium_mg",
     "op": "<", "value": 2300, "unit": "mg", "weight": 1.0, "source": "ADA"}
  ]}$j$),
('hypertension', 1, $j${
  "schema_version": 1, "condition": "hypertension", "sources": ["AHA", "NHLBI DASH"],
  "rules": [
    {"id": "sodium_max", "type": "nutrient", "kind": "soft", "nutrient": "sodium_mg",
     "op": "<=", "value": 2300, "unit": "mg", "weight": 3.0, "source": "AHA"},
    {"id": "sodium_ideal", "type": "nutrient", "kind": "soft", "nutrient": "sodium_mg",
     "op": "<=", "value": 1500, "unit": "mg", "weight": 1.0, "source": "AHA"},
    {"id": "potassium_goal", "type": "nutrient", "kind": "soft", "nutrient": "potassium_mg",
     "op": ">=", "value": 4700, "unit": "mg", "weight": 0.5, "source": "NHLBI DASH"},
    {"id": "fiber_goal", "type": "nutrient", "kind": "soft", "nutrient": "dietary_fiber_g",
     "op": ">=", "value": 30, "unit": "g", "weight": 0.5, "source": "NHLBI DASH"},
    {"id": "saturated_fat_max", "type": "nutrient", "kind": "soft", "nutrient": "saturated_fat_g",
     "op": "<=", "value": 6, "unit": "pct_energy", "kcal_per_g": 9, "weight": 1.0, "source": "NHLBI DASH"}
  ]}$j$),
('hyperlipidemia', 1, $j${
  "schema_version": 1, "condition": "hyperlipidemia", "sources": ["AHA", "WHO 2023"],
  "rules": [
    {"id": "saturated_fat_max", "type": "nutrient", "kind": "soft", "nutrient": "saturated_fat_g",
     "op": "<=", "value": 6, "unit": "pct_energy", "kcal_per_g": 9, "weight": 2.0, "source": "AHA"},
    {"id": "trans_fat_max", "type": "nutrient", "kind": "soft", "nutrient": "trans_fat_g",
     "op": "<", "value": 1, "unit": "pct_energy", "kcal_per_g": 9, "weight": 2.0, "source": "WHO 2023"},
    {"id": "cholesterol_max", "type": "nutrient", "kind": "soft", "nutrient": "cholesterol_mg",
     "op": "<=", "value": 300, "unit": "mg", "weight": 0.5, "enabled": false, "source": "AHA (optional)"}
  ]}$j$),
('cvd', 1, $j${
  "schema_version": 1, "condition": "cvd", "sources": ["AHA", "WHO 2023"],
  "rules": [
    {"id": "saturated_fat_max", "type": "nutrient", "kind": "soft", "nutrient": "saturated_fat_g",
     "op": "<=", "value": 6, "unit": "pct_energy", "kcal_per_g": 9, "weight": 2.0, "source": "AHA"},
    {"id": "trans_fat_max", "type": "nutrient", "kind": "soft", "nutrient": "trans_fat_g",
     "op": "<", "value": 1, "unit": "pct_energy", "kcal_per_g": 9, "weight": 2.0, "source": "WHO 2023"},
    {"id": "cholesterol_max", "type": "nutrient", "kind": "soft", "nutrient": "cholesterol_mg",
     "op": "<=", "value": 300, "unit": "mg", "weight": 0.5, "enabled": false, "source": "AHA (optional)"}
  ]}$j$),
('ckd', 1, $j${
  "schema_version": 1, "condition": "ckd", "sources": ["KDOQI 2020"],
  "notes": "Stage 3-5, not on dialysis. Potassium and phosphorus limits only when a clinician sets them (macro_targets).",
  "suppresses": ["hypertension.potassium_goal"],
  "rules": [
    {"id": "protein_range", "type": "nutrient", "kind": "soft", "nutrient": "protein_g",
     "op": "between", "min": 0.55, "max": 0.60, "unit": "g_per_kg_body_weight", "weight": 2.0,
     "when": {"conditions_none": ["diabetes_t2"]}, "source": "KDOQI 2020"},
    {"id": "protein_range_diabetic", "type": "nutrient", "kind": "soft", "nutrient": "protein_g",
     "op": "between", "min": 0.6, "max": 0.8, "unit": "g_per_kg_body_weight", "weight": 2.0,
     "when": {"conditions_any": ["diabetes_t2"]}, "source": "KDOQI 2020"},
    {"id": "sodium_max", "type": "nutrient", "kind": "soft", "nutrient": "sodium_mg",
     "op": "<", "value": 2300, "unit": "mg", "weight": 2.0, "source": "KDOQI 2020"}
  ]}$j$),
('obesity', 1, $j${
  "schema_version": 1, "condition": "obesity", "applies_to_goals": ["weight_loss"],
  "sources": ["AHA/ACC/TOS 2013"],
  "rules": [
    {"id": "energy_deficit", "type": "energy", "kind": "soft", "base": "tdee",
     "delta_kcal": -500, "max_delta_kcal": -750,
     "floor_kcal": {"female": 1200, "male": 1500, "other": 1500, "unspecified": 1500},
     "weight": 1.0, "source": "AHA/ACC/TOS 2013"}
  ]}$j$),
('celiac', 1, $j${
  "schema_version": 1, "condition": "celiac", "sources": ["FDA gluten-free rule (< 20 ppm)"],
  "rules": [
    {"id": "gluten_exclusion", "type": "exclude", "kind": "hard",
     "allergens": ["wheat"], "ingredients_any": ["wheat", "barley", "rye", "triticale"],
     "unless_dietary_tags": ["gluten_free"], "source": "FDA 21 CFR 101.91"}
  ]}$j$),
('pregnancy', 1, $j${
  "schema_version": 1, "condition": "pregnancy", "sources": ["IOM"],
  "suppresses": ["obesity.energy_deficit"],
  "rules": [
    {"id": "energy_pregnancy", "type": "energy", "kind": "soft", "base": "tdee",
     "delta_kcal_by_trimester": {"1": 0, "2": 340, "3": 452},
     "trimester_from": "macro_targets.pregnancy_trimester", "weight": 1.0, "source": "IOM"}
  ]}$j$);

INSERT INTO scoring_policies (weights) VALUES
    ('{"preference_fit": 0.5, "budget_fit": 0.4, "recency": 0.1}');
