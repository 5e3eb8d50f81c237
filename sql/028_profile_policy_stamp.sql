-- 028 the stamp of the rules a health profile was derived under (issue 5,
-- benchmark; docs/health.md, docs/performance.md).
-- A health read compares it with the stamp of the diet rules in force, which the
-- same statement computes (src/db/health_profiles.c): equal, the derivation is
-- current by construction, and the stored document is sent as it is, without
-- parsing it or comparing its policies one by one. A profile written before this
-- migration has none and takes that comparison until its next write.
--
-- The API writes '<stamp>@<transaction id>', so that every write of a derivation
-- gives a new value. A change of derived_limits that leaves the value as it was was
-- not made by a derivation that knew its rules (a binary older than this migration
-- during a rolling deploy, an edit by hand): the trigger clears the stamp, and the
-- profile's reads compare policies again. A set of rules can come back (a vendor's
-- rule added, then deactivated, gives the earlier rows and stamp), so an old stamp
-- must never stay on a derivation it did not make.
ALTER TABLE customer_health_profiles ADD COLUMN policy_stamp text;
COMMENT ON COLUMN customer_health_profiles.policy_stamp IS
    'The stamp of the diet rules in force when derived_limits was derived, and the writing transaction: <md5>@<txid> (POLICY_STAMP, src/db/health_profiles.c); not part of the API document.';

CREATE FUNCTION od_profile_stamp_clear() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.policy_stamp := NULL;
    RETURN NEW;
END
$$;

CREATE TRIGGER trg_policy_stamp BEFORE UPDATE ON customer_health_profiles
    FOR EACH ROW
    WHEN (NEW.policy_stamp IS NOT DISTINCT FROM OLD.policy_stamp
          AND NEW.derived_limits IS DISTINCT FROM OLD.derived_limits)
    EXECUTE FUNCTION od_profile_stamp_clear();
