-- 024: health profiles compress derived_limits with lz4 instead of pglz.
-- A profile row with its derivation (about 1.9 kB of JSON) passes the 2 kB TOAST
-- threshold, so every health write compressed derived_limits: pglz was 3 % of the
-- database's CPU during the health-write benchmark (docs/performance.md). lz4 is
-- several times faster at a similar size here; values already stored keep their
-- compression until they are written again.
ALTER TABLE customer_health_profiles ALTER COLUMN derived_limits SET COMPRESSION lz4;
