/* health_policies.h: the diet rule policies in force for a vendor, parsed, kept per
 * process. A health request loads the profile together with the stamp of the rules
 * the vendor sees now (db/health_profiles.h, one statement); the parsed copy whose
 * stamp is that one is used as it is, and only another stamp reads and parses the
 * policies again. So a changed rule is seen by the very next request in every
 * worker, and an unchanged one costs no query and no parsing. */
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
    const od_health_policy *rows;
    size_t n;
    const char *const *goals;
    size_t n_goals;
} od_policy_set;

/* Fills out with vendor_id's policies in force (the vendor of the request's
 * context): the process's copy when its stamp is stamp, else read now (a plain read)
 * and kept. Returns OD_OK, OD_ENOMEM, or od_db_exec codes with *res the error
 * result. */
od_rc od_health_policies_get(od_db *db, od_arena *a, const char *vendor_id, const char *stamp,
                             od_policy_set *out, PGresult **res);

#endif
