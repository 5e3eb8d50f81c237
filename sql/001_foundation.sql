-- 001 foundation: extensions, the application role, every enum type, and the generic
-- helper functions (derived entity ids, updated_at maintenance) used by later migrations.
-- Runs as the database owner (not superuser); the runner wraps it in a transaction.

-- uuid-ossp is a trusted extension (the database owner may create it). It provides
-- uuid_generate_v5, which derives product/customer ids. On hosts where it is already
-- installed in another schema (Supabase: "extensions") this is a no-op and
-- od_entity_id below binds to wherever it lives.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;

-- Application group role (NOLOGIN). Login roles of the API/worker are made members of
-- it by the operator or the dev script; privileges are granted in the last migration.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'odyssey_app') THEN
        CREATE ROLE odyssey_app NOLOGIN;
    END IF;
END
$$;

-- ---------------------------------------------------------------------------------
-- Enums
-- ---------------------------------------------------------------------------------
CREATE TYPE od_role            AS ENUM ('superadmin', 'vendor_admin', 'vendor_operator', 'vendor_viewer');
CREATE TYPE vendor_status      AS ENUM ('active', 'suspended');
CREATE TYPE user_link_status   AS ENUM ('active', 'suspended', 'revoked');
CREATE TYPE product_status     AS ENUM ('active', 'inactive');
CREATE TYPE gtin_type          AS ENUM ('gtin8', 'gtin12', 'gtin13', 'gtin14');
CREATE TYPE gender             AS ENUM ('male', 'female', 'other', 'unspecified');
CREATE TYPE activity_level     AS ENUM ('sedentary', 'light', 'moderate', 'very', 'extra');
CREATE TYPE product_source_kind AS ENUM ('csv', 'api');
CREATE TYPE synonym_domain     AS ENUM ('allergen', 'condition', 'unit', 'diet', 'gender', 'activity');
CREATE TYPE mapping_mode       AS ENUM ('products', 'customers');
CREATE TYPE ingestion_mode     AS ENUM ('products', 'customers', 'api_sync');
CREATE TYPE ingestion_status   AS ENUM ('queued', 'running', 'failed', 'completed', 'canceled');
CREATE TYPE connector_auth_type AS ENUM ('none', 'api_key', 'bearer', 'basic', 'oauth2');
CREATE TYPE connector_sync_status AS ENUM ('idle', 'running', 'succeeded', 'failed');
CREATE TYPE webhook_delivery_status AS ENUM ('pending', 'delivering', 'delivered', 'dead');
CREATE TYPE idempotency_state  AS ENUM ('in_flight', 'completed');
CREATE TYPE job_state          AS ENUM ('available', 'running', 'completed', 'dead', 'canceled');

-- ---------------------------------------------------------------------------------
-- od_entity_id(vendor, external_id): the id of a product or customer is DERIVED from
-- its natural key: UUID v5 (SHA-1, RFC 4122 section 4.3) with the vendor id as the
-- namespace and the UTF-8 bytes of external_id as the name. Because the hash
-- sub-partition key is id, PRIMARY KEY (vendor_id, id) then also enforces
-- "one row per (vendor_id, external_id)". IMMUTABLE: constant-folded in lookups.
-- Built with dynamic SQL so the body names uuid_generate_v5 with its real schema
-- (independent of search_path, which matters inside CHECK constraints and restores).
-- ---------------------------------------------------------------------------------
DO $$
DECLARE
    ext_schema text;
BEGIN
    SELECT n.nspname INTO STRICT ext_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'uuid-ossp';
    EXECUTE format($f$
        CREATE FUNCTION public.od_entity_id(vendor uuid, external_id text)
        RETURNS uuid
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS 'SELECT %I.uuid_generate_v5(vendor, external_id)'
    $f$, ext_schema);
END
$$;
COMMENT ON FUNCTION od_entity_id(uuid, text) IS
    'Derived id of a product/customer: uuid_generate_v5(namespace => vendor id, name => external_id).';

-- Generic BEFORE UPDATE trigger: keeps updated_at current on every table that has it.
CREATE FUNCTION od_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- BEFORE INSERT guard for the derived-id tables (products, customers). The hash
-- sub-partition key is id, and PostgreSQL routes a row to its partition BEFORE row
-- triggers run, so a trigger cannot fill a NULL id (the row would have to move
-- partition: "moving row to another partition during a BEFORE FOR EACH ROW trigger is
-- not supported"). Writers therefore pass id => od_entity_id(vendor_id, external_id);
-- this trigger turns a missing id into a clear not_null_violation with a hint, and the
-- CHECK constraint od_*_id_derived refuses any other value.
CREATE FUNCTION od_require_entity_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        -- TG_ARGV[0] names the partitioned parent (TG_TABLE_NAME is the leaf partition)
        RAISE EXCEPTION 'null value in column "id" of relation "%"', TG_ARGV[0]
            USING ERRCODE = 'not_null_violation',
                  COLUMN  = 'id',
                  TABLE   = TG_ARGV[0],
                  HINT    = 'Insert id => od_entity_id(vendor_id, external_id).';
    END IF;
    RETURN NEW;
END
$$;

-- BEFORE UPDATE guard for the derived-id tables: the natural key never changes.
-- (The CHECK would refuse a lone external_id change; this also refuses a coordinated
-- change of id + external_id, which would silently re-key the row.)
CREATE FUNCTION od_forbid_key_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.vendor_id IS DISTINCT FROM OLD.vendor_id
       OR NEW.id IS DISTINCT FROM OLD.id
       OR NEW.external_id IS DISTINCT FROM OLD.external_id THEN
        RAISE EXCEPTION '%: vendor_id, id and external_id are immutable', TG_ARGV[0]
            USING ERRCODE = 'check_violation',
                  TABLE   = TG_ARGV[0],
                  HINT    = 'Create a new row with the new external_id and delete the old one.';
    END IF;
    RETURN NEW;
END
$$;
