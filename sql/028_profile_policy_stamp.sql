-- 028 the stamp of the rules a health profile was derived under (issue 5,
-- benchmark; docs/health.md, docs/performance.md).
-- A health read compares it with the stamp of the diet rules in force, which the
-- same statement computes (src/db/health_profiles.c): equal, the derivation is
-- current by construction, and the stored document is sent as it is, without
-- parsing it or comparing its policies one by one. A profile written before this
-- migration has none and takes that comparison until its next write.
ALTER TABLE customer_health_profiles ADD COLUMN policy_stamp text;
COMMENT ON COLUMN customer_health_profiles.policy_stamp IS
    'Digest of the diet rules in force when derived_limits was derived (POLICY_STAMP, src/db/health_profiles.c); not part of the API document.';
