/* health_policies.h: the diet rule policies in force for a vendor, parsed, kept per
 * process under the stamp of the rules the vendor sees (db/health_profiles.h), which
 * a health request loads with the profile: the same stamp uses the parsed copy, any
 * other reads and parses them again. A changed rule is seen by the next request of
 * every worker; an unchanged one costs no query and no parsing. */
#ifndef OD_API_HEALTH_POLICIES_H
#define OD_API_HEALTH_POLICIES_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/status.h"
#include "db/db.h"
#include "domain/health.h"

/* The policies in force as the derivation takes them, and the goal codes they name.
 * Borrowed from the process's copy: valid until the next od_health_policies_get. */
typedef struct od_policy_set {
    const od_health_policy *rows;  /* one per condition in force, any order */
    size_t n;
    const char *const *goals;      /* goal codes the policies apply to (applies_to_goals) */
    size_t n_goals;
    const char *stamp;             /* the stamp they were read under */
} od_policy_set;

/* Fills out with vendor_id's policies in force (the vendor of the request's
 * context): the process's copy when its stamp is stamp, else read now (a plain read)
 * and kept. Returns OD_OK, OD_ENOMEM, or od_db_exec codes with *res the error result
 * (arena-owned; left as it was when the copy is used, NULL on OD_ENOMEM). */
od_rc od_health_policies_get(od_db *db, od_arena *a, const char *vendor_id, const char *stamp,
                             od_policy_set *out, PGresult **res);

#endif
