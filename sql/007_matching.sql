-- 007 matching: the per-customer results cache keyed by catalog_version, diet rule
-- policies per condition (global defaults vendor_id NULL, vendor overrides), and the
-- scoring weights. Policy JSON shape: docs/data-model.md "diet_rules.policy".

CREATE TABLE matches_cache (
    vendor_id       uuid        NOT NULL REFERENCES vendors (id),
    customer_id     uuid        NOT NULL,
    catalog_version bigint      NOT NULL,
    results         jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    ttl_at          timestamptz NOT NULL DEFAULT now() + interval '15 minutes',
    CONSTRAINT matches_cache_pkey PRIMARY KEY (vendor_id, customer_id, catalog_version),
    CONSTRAINT matches_cache_customer_fkey FOREIGN KEY (vendor_id, customer_id)
        REFERENCES customers (vendor_id, id) ON DELETE CASCADE
);
CREATE INDEX matches_cache_ttl_idx ON matches_cache (ttl_at);

CREATE TABLE diet_rules (
    id             uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id      uuid        REFERENCES vendors (id),      -- NULL = platform default
    condition_code text        NOT NULL CHECK (condition_code ~ '^[a-z0-9][a-z0-9_]{0,63}$'),
    policy         jsonb       NOT NULL CHECK (jsonb_typeof(policy) = 'object'
                                               AND jsonb_typeof(policy -> 'rules') = 'array'),
    active         boolean     NOT NULL DEFAULT true,
    version        integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT diet_rules_pkey PRIMARY KEY (id),
    CONSTRAINT diet_rules_vendor_condition_version_key
        UNIQUE NULLS NOT DISTINCT (vendor_id, condition_code, version)
);
-- at most one active policy per condition per scope
CREATE UNIQUE INDEX diet_rules_one_active_idx
    ON diet_rules (vendor_id, condition_code) NULLS NOT DISTINCT WHERE active;

CREATE TABLE scoring_policies (
    id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id  uuid        REFERENCES vendors (id),          -- NULL = platform default
    -- {"preference_fit": w, "budget_fit": w, "recency": w}
    weights    jsonb       NOT NULL CHECK (jsonb_typeof(weights) = 'object'),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT scoring_policies_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX scoring_policies_one_active_idx
    ON scoring_policies (vendor_id) NULLS NOT DISTINCT WHERE active;

CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON diet_rules
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON scoring_policies
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
