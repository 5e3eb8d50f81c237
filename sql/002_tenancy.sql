-- 002 tenancy and identity: vendors (tenants), shadow users from the identity provider,
-- tenant membership with RBAC role (user_links), and the superadmin registry.

CREATE TABLE vendors (
    id              uuid          NOT NULL DEFAULT gen_random_uuid(),
    name            text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    status          vendor_status NOT NULL DEFAULT 'active',
    settings_json   jsonb         NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings_json) = 'object'),
    -- bumped by the application (once per committed catalog change batch, never per row:
    -- a per-row bump would serialise all writers on this row); keys matches_cache.
    catalog_version bigint        NOT NULL DEFAULT 0 CHECK (catalog_version >= 0),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT vendors_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE vendors IS 'Tenants. Create with od_create_vendor(name), which also creates the partitions.';

-- Shadow of the identity provider's users; id is the IdP user id (JWT "sub").
CREATE TABLE users (
    id           text        NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
    email        text        CHECK (email IS NULL OR email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    display_name text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE INDEX users_email_idx ON users (lower(email));

CREATE TABLE user_links (
    id         uuid             NOT NULL DEFAULT gen_random_uuid(),
    user_id    text             NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vendor_id  uuid             NOT NULL REFERENCES vendors (id),
    role       od_role          NOT NULL,
    status     user_link_status NOT NULL DEFAULT 'active',
    created_by text,
    created_at timestamptz      NOT NULL DEFAULT now(),
    updated_at timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT user_links_pkey PRIMARY KEY (id),
    CONSTRAINT user_links_user_vendor_key UNIQUE (user_id, vendor_id)
);
CREATE INDEX user_links_vendor_idx ON user_links (vendor_id, role);

-- Superadmin registry (break-glass). A row with revoked_at IS NULL is an active grant.
CREATE TABLE platform_admins (
    user_id       text        NOT NULL REFERENCES users (id),
    granted_by    text,
    justification text,
    granted_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    revoked_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT platform_admins_pkey PRIMARY KEY (user_id),
    CONSTRAINT platform_admins_revoked_chk CHECK (revoked_at IS NULL OR revoked_at >= granted_at)
);

CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON vendors
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON user_links
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
CREATE TRIGGER trg_touch_updated_at BEFORE UPDATE ON platform_admins
    FOR EACH ROW EXECUTE FUNCTION od_touch_updated_at();
