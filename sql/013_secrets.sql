-- 013 secrets: vendor secrets (webhook signing secrets, connector credentials) under
-- envelope encryption (src/crypto/secrets.c, docs/secrets.md). A row holds the value
-- encrypted with its own AES-256-GCM data key and that data key wrapped by the master
-- key named in key_id; the database never sees a plaintext or a key. Rotation
-- (odysseyctl keys rotate) rewrites key_id and wrapped_key only, found by key_id.
-- webhook_endpoints.secret_ref and connectors.secrets_ref will point at secrets.id.

CREATE TABLE secrets (
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    vendor_id   uuid        NOT NULL REFERENCES vendors (id),
    purpose     text        NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]{0,31}$'),  -- 'webhook', 'connector'
    key_id      text        NOT NULL CHECK (key_id ~ '^[A-Za-z0-9._:-]{1,64}$'),  -- master key that wrapped the data key
    wrapped_key bytea       NOT NULL CHECK (octet_length(wrapped_key) BETWEEN 1 AND 1024),  -- the KMS's blob (local: nonce|key|tag)
    nonce       bytea       NOT NULL CHECK (octet_length(nonce) = 12),    -- of the value
    ciphertext  bytea       NOT NULL CHECK (octet_length(ciphertext) <= 65536),
    tag         bytea       NOT NULL CHECK (octet_length(tag) = 16),      -- GCM tag of the value
    created_at  timestamptz NOT NULL DEFAULT now(),
    rotated_at  timestamptz,  -- last re-wrap of the data key; NULL = never
    CONSTRAINT secrets_pkey PRIMARY KEY (id),
    -- for composite (vendor_id, ...) references from the owning rows, and the tenant scans
    CONSTRAINT secrets_vendor_id_key UNIQUE (vendor_id, id)
);
-- rotation drains each old key id in batches ordered by id (keyset pagination)
CREATE INDEX secrets_key_id_idx ON secrets (key_id, id);

COMMENT ON TABLE secrets IS
    'Envelope-encrypted vendor secrets; never plaintext. See docs/secrets.md.';
COMMENT ON COLUMN secrets.key_id IS
    'Id of the master key that wrapped wrapped_key; odysseyctl keys rotate re-wraps the others.';

GRANT SELECT, INSERT, UPDATE, DELETE ON secrets TO odyssey_app;

-- row-level security: a vendor's secrets are visible to that vendor only (012)
SELECT od_tenant_policy('secrets');
