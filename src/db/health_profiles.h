/* health_profiles.h: customer_health_profiles and what deriving one needs: the customer's
 * own facts, the diet rule policies in force for the vendor, the vendor's consent
 * setting. Runs under RLS in the request's transaction; values travel as JSON text
 * and the derivations happen in C (src/domain/health.c). */
#ifndef OD_DB_HEALTH_PROFILES_H
#define OD_DB_HEALTH_PROFILES_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

/* Column numbers of od_health_load's row. */
enum {
    OD_HEALTH_DOB = 0,        /* the customer's dob (YYYY-MM-DD) or NULL */
    OD_HEALTH_CUSTOMER_AGE,   /* the customer's age or NULL */
    OD_HEALTH_GENDER,         /* the customer's gender */
    OD_HEALTH_PROFILE,        /* the stored profile as JSON text, NULL when there is none */
    OD_HEALTH_CONSENT_NEEDED, /* "t" when the vendor requires a health_data consent */
    OD_HEALTH_CONSENTED,      /* "t" when the latest health_data consent grants it */
    OD_HEALTH_POLICY_STAMP,   /* names the diet rules the vendor sees now (a digest):
                               * the same as od_health_policies' as long as they are */
    OD_HEALTH_DERIVED_STAMP,  /* the stamp the stored profile was derived under, NULL
                               * when unknown (written before migration 028) */
    OD_HEALTH_VOCAB_VERSION,  /* the vocabulary's version (api/vocabularies.h) */
    OD_HEALTH_DERIVED_DIGEST  /* the digest of derived_limits as its writer sent it,
                               * NULL when unknown (see od_health_store) */
};

/* Loads the customer's facts and health profile (one row, columns above); with
 * lock, first takes the customer's write lock (an advisory lock), held until the
 * transaction ends, so writers of one profile take turns. Returns OD_ENOTFOUND when the customer is not in the
 * vendor, else od_db_exec codes. */
od_rc od_health_load(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                     bool lock, PGresult **res);

/* Lists the diet rule policies in force for the vendor, one per condition code (the
 * vendor's active row, else the global one): columns condition_code, version,
 * policy (JSON text), scope ("vendor" or "global") and the stamp of the set
 * (OD_HEALTH_POLICY_STAMP, the same in every row, from the same snapshot), ordered
 * by condition code; with no rule in force, one row of NULLs and the stamp. A plain
 * read: in front of the request's deferred BEGIN it runs alone (db/db.h). */
od_rc od_health_policies(od_db *db, od_arena *a, const char *vendor_id, PGresult **res);

/* Writes the profile: inputs and derived values as one JSON object with the
 * columns' names (profile_json) but derived_limits, whose JSON text is
 * derived_json; updated_by the caller, policy_stamp the stamp of the policies it
 * was derived with (NULL: unknown), derived_digest a digest of derived_json, which
 * the next load returns while the stored derived_limits is that one. Drops the
 * customer's cached matches in the same statement. Returns the stored profile as
 * JSON text in column 0, but derived_limits: the caller has its text. */
od_rc od_health_store(od_db *db, od_arena *a, const char *vendor_id, const char *customer_id,
                      const char *profile_json, const char *derived_json,
                      const char *updated_by, const char *policy_stamp,
                      const char *derived_digest, PGresult **res);

#endif
