-- 005 customers (LIST by vendor_id, each vendor HASH(id) x32; created by
-- od_create_vendor) with health profiles, consents and per-customer product lists.
-- All child tables carry vendor_id and reference customers/products by composite FK.

CREATE TABLE customers (
    id           uuid        NOT NULL,   -- = od_entity_id(vendor_id, external_id)
    vendor_id    uuid        NOT NULL REFERENCES vendors (id),
    external_id  text        NOT NULL CHECK (length(external_id) BETWEEN 1 AND 255),
    full_name    text        NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 300),
    email        text        NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    dob          date        CHECK (dob >= DATE '1900-01-01'),
    age          integer     CHECK (age BETWEEN 0 AND 130),
    gender       gender      NOT NULL,
    location     jsonb       NOT NULL CHECK (jsonb_typeof(location) = 'object'),
    phone        text,
    custom_tags  text[],
    search_tsv   tsvector,   -- maintained by trigger od_customers_before_write
    created_by   text,
    updated_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_pkey PRIMARY KEY (vendor_id, id),
    CONSTRAINT customers_id_derived CHECK (id = od_entity_id(vendor_id, external_id)),
    CONSTRAINT customers_dob_or_age CHECK (dob IS NOT NULL OR age IS NOT NULL)
) PARTITION BY LIST (vendor_id);

COMMENT ON TABLE customers IS
    'LIST (vendor_id) -> HASH (id) x32. id = od_entity_id(vendor_id, external_id): PK (vendor_id, id) is UQ(vendor_id, external_id).';

CREATE INDEX customers_vendor_updated_idx ON customers (vendor_id, updated_at DESC, id DESC);
CREATE INDEX customers_search_tsv_idx     ON customers USING gin (search_tsv);
ALTER TABLE customers ALTER COLUMN search_tsv SET STATISTICS 1000;

-- search_tsv ('simple' config: names and e-mails are not English words):
-- full_name (A) || email (B) || external_id (C); recomputed only when one changed.
CREATE FUNCTION od_customers_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.full_name IS DISTINCT FROM OLD.full_name
       OR NEW.email IS DISTINCT FROM OLD.email THEN
        NEW.search_tsv :=
               setweight(to_tsvector('simple'::regconfig, coalesce(NEW.full_name, '')), 'A')
            || setweight(to_tsvector('simple'::regconfig, coalesce(NEW.email, '')), 'B')
            || setweight(to_tsvector('simple'::regconfig, coalesce(NEW.external_id, '')), 'C');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_a_require_id BEFORE INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION od_require_entity_id('customers');
CREATE TRIGGER trg_a_forbid_key_change BEFORE UPDATE ON customers
    FOR EACH ROW
    WHEN (OLD.vendor_id IS DISTINCT FROM NEW.vendor_id
          OR OLD.id IS DISTINCT FROM NEW.id
          OR OLD.external_id IS DISTINCT FROM NEW.external_id)
    EXECUTE FUNCTION od_forbid_key_change('customers');
CREATE TRIGGER trg_b_before_write BEFORE INSERT OR UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION od_customers_before_write();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();

-- 1-to-1 with customers. PHI: every read/write is audited by the application.
CREATE TABLE customer_health_profiles (
    vendor_id       uuid           NOT NULL REFERENCES vendors (id),
    customer_id     uuid           NOT NULL,
    -- inputs (metric; converted by the API before storage)
    height_cm       numeric(5,2)   NOT NULL CHECK (height_cm > 0 AND height_cm < 300),
    weight_kg       numeric(6,2)   NOT NULL CHECK (weight_kg > 0 AND weight_kg < 1000),
    age             integer        NOT NULL CHECK (age BETWEEN 0 AND 130),
    gender          gender         NOT NULL,
    activity_level  activity_level NOT NULL,
    conditions      text[]         NOT NULL DEFAULT '{}',
    diet_goals      text[]         NOT NULL DEFAULT '{}',
    macro_targets   jsonb          NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(macro_targets) = 'object'),
    avoid_allergens text[]         NOT NULL DEFAULT '{}',
    -- derived (computed by the API: BMI, Mifflin-St Jeor BMR, TDEE, condition budgets)
    bmi             numeric(5,2),
    bmr             numeric(8,2),
    tdee_cached     numeric(8,2),
    derived_limits  jsonb          CHECK (derived_limits IS NULL OR jsonb_typeof(derived_limits) = 'object'),
    -- audit
    updated_by      text,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    updated_at      timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT customer_health_profiles_pkey PRIMARY KEY (vendor_id, customer_id),
    CONSTRAINT customer_health_profiles_customer_fkey FOREIGN KEY (vendor_id, customer_id)
        REFERENCES customers (vendor_id, id) ON DELETE CASCADE
);
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON customer_health_profiles
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();

-- Consent history: append a row per grant/withdrawal; the latest row per type wins.
CREATE TABLE customer_consents (
    id           uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id    uuid        NOT NULL REFERENCES vendors (id),
    customer_id  uuid        NOT NULL,
    consent_type text        NOT NULL CHECK (consent_type ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    granted      boolean     NOT NULL,
    version      text        NOT NULL,
    timestamp    timestamptz NOT NULL DEFAULT now(),
    recorded_by  text,
    CONSTRAINT customer_consents_pkey PRIMARY KEY (id),
    CONSTRAINT customer_consents_customer_fkey FOREIGN KEY (vendor_id, customer_id)
        REFERENCES customers (vendor_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_consents_customer_idx
    ON customer_consents (vendor_id, customer_id, consent_type, timestamp DESC);

CREATE TABLE customer_whitelists (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id   uuid        NOT NULL REFERENCES vendors (id),
    customer_id uuid        NOT NULL,
    product_id  uuid        NOT NULL,
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customer_whitelists_pkey PRIMARY KEY (id),
    CONSTRAINT customer_whitelists_customer_product_key UNIQUE (vendor_id, customer_id, product_id),
    CONSTRAINT customer_whitelists_customer_fkey FOREIGN KEY (vendor_id, customer_id)
        REFERENCES customers (vendor_id, id) ON DELETE CASCADE,
    CONSTRAINT customer_whitelists_product_fkey FOREIGN KEY (vendor_id, product_id)
        REFERENCES products (vendor_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_whitelists_product_idx ON customer_whitelists (vendor_id, product_id);

CREATE TABLE customer_blacklists (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id   uuid        NOT NULL REFERENCES vendors (id),
    customer_id uuid        NOT NULL,
    product_id  uuid        NOT NULL,
    note        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customer_blacklists_pkey PRIMARY KEY (id),
    CONSTRAINT customer_blacklists_customer_product_key UNIQUE (vendor_id, customer_id, product_id),
    CONSTRAINT customer_blacklists_customer_fkey FOREIGN KEY (vendor_id, customer_id)
        REFERENCES customers (vendor_id, id) ON DELETE CASCADE,
    CONSTRAINT customer_blacklists_product_fkey FOREIGN KEY (vendor_id, product_id)
        REFERENCES products (vendor_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_blacklists_product_idx ON customer_blacklists (vendor_id, product_id);

CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON customer_whitelists
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON customer_blacklists
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
