-- 003 taxonomy and normalisation dictionaries. vendor_id NULL = global row (seeded by
-- migrations, visible to every vendor, read-only for the app: see RLS in the grants
-- migration); vendor_id set = that vendor's own row. Codes are unique per scope.

CREATE TABLE tax_categories (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        REFERENCES vendors (id),
    code       text        NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    parent_id  uuid        REFERENCES tax_categories (id),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tax_categories_pkey PRIMARY KEY (id),
    CONSTRAINT tax_categories_vendor_code_key UNIQUE NULLS NOT DISTINCT (vendor_id, code),
    CONSTRAINT tax_categories_parent_chk CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE tax_tags (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        REFERENCES vendors (id),
    code       text        NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    parent_id  uuid        REFERENCES tax_tags (id),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tax_tags_pkey PRIMARY KEY (id),
    CONSTRAINT tax_tags_vendor_code_key UNIQUE NULLS NOT DISTINCT (vendor_id, code),
    CONSTRAINT tax_tags_parent_chk CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE tax_allergens (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        REFERENCES vendors (id),
    code       text        NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    parent_id  uuid        REFERENCES tax_allergens (id),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tax_allergens_pkey PRIMARY KEY (id),
    CONSTRAINT tax_allergens_vendor_code_key UNIQUE NULLS NOT DISTINCT (vendor_id, code),
    CONSTRAINT tax_allergens_parent_chk CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE tax_cuisines (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        REFERENCES vendors (id),
    code       text        NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    parent_id  uuid        REFERENCES tax_cuisines (id),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tax_cuisines_pkey PRIMARY KEY (id),
    CONSTRAINT tax_cuisines_vendor_code_key UNIQUE NULLS NOT DISTINCT (vendor_id, code),
    CONSTRAINT tax_cuisines_parent_chk CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE tax_certifications (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        REFERENCES vendors (id),
    code       text        NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
    label      text        NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 200),
    parent_id  uuid        REFERENCES tax_certifications (id),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tax_certifications_pkey PRIMARY KEY (id),
    CONSTRAINT tax_certifications_vendor_code_key UNIQUE NULLS NOT DISTINCT (vendor_id, code),
    CONSTRAINT tax_certifications_parent_chk CHECK (parent_id IS DISTINCT FROM id)
);

-- Ingestion header auto-map: a CSV header equal (after lower/trim) to one of
-- `synonyms` maps to the canonical field `canonical` of `mode`. transform_ops is a JSON
-- array of op names applied in order (same shape as vendor_mappings.map ops).
CREATE TABLE synonyms_header (
    id            uuid         NOT NULL DEFAULT gen_random_uuid(),
    vendor_id     uuid         REFERENCES vendors (id),
    mode          mapping_mode NOT NULL,
    canonical     text         NOT NULL CHECK (canonical ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$'),
    synonyms      text[]       NOT NULL DEFAULT '{}',
    transform_ops jsonb        NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(transform_ops) = 'array'),
    confidence    numeric(3,2) NOT NULL DEFAULT 1.0 CHECK (confidence > 0 AND confidence <= 1),
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT synonyms_header_pkey PRIMARY KEY (id),
    CONSTRAINT synonyms_header_vendor_mode_canonical_key UNIQUE NULLS NOT DISTINCT (vendor_id, mode, canonical)
);

-- Value normalisation: an input value equal (after lower/trim) to `canonical` or to one
-- of `synonyms` normalises to `canonical` within `domain`.
CREATE TABLE synonyms_value (
    id         uuid           NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid           REFERENCES vendors (id),
    domain     synonym_domain NOT NULL,
    canonical  text           NOT NULL CHECK (canonical ~ '^[a-z0-9][a-z0-9_]*$'),
    synonyms   text[]         NOT NULL DEFAULT '{}',
    created_at timestamptz    NOT NULL DEFAULT now(),
    updated_at timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT synonyms_value_pkey PRIMARY KEY (id),
    CONSTRAINT synonyms_value_vendor_domain_canonical_key UNIQUE NULLS NOT DISTINCT (vendor_id, domain, canonical)
);

CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON tax_categories
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON tax_tags
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON tax_allergens
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON tax_cuisines
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON tax_certifications
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON synonyms_header
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON synonyms_value
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
