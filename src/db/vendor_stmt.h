/* vendor_stmt.h: statements over one vendor's own partitions, planned once per
 * vendor and connection and run with that generic plan.
 *
 * A statement naming products or customers is planned on every request (the
 * vendor is a parameter, partitions are pruned while planning, 0.4-3 ms over the
 * hash leaves), and a generic plan of the parent would lock every vendor's leaves
 * at each run. The text of a vendor statement names the vendor's view instead
 * (migration 023: {v:products} becomes products_v<hex>_scoped), whose generic plan
 * covers that vendor's leaves only. Only statements whose best plan does not depend
 * on their values belong here (a get by id, a page in time order); searches stay
 * one-shot statements planned with their values (db/sql.h). */
#ifndef OD_DB_VENDOR_STMT_H
#define OD_DB_VENDOR_STMT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/status.h"
#include "db/db.h"

typedef struct od_vstmt {
    const char *name;   /* for logs; unique in the program */
    const char *sql;    /* parameterised text; {v:products} and {v:customers} name the
                         * vendor's views */
    int nparams;
    bool idempotent;
} od_vstmt;

#define OD_VSTMT(n, text, np, idem) { .name = (n), .sql = (text), .nparams = (np), .idempotent = (idem) }

/* Runs vs for vendor_id (a UUID) with params, as od_db_exec. Its instance for the
 * vendor is prepared on db's connection at first use and kept while the process
 * uses it (at most ODYSSEY_VENDOR_PLANS instances per process, the least recently
 * used deallocated first). OD_EINVAL when vendor_id is not a UUID. */
od_rc od_db_exec_vendor(od_db *db, od_arena *a, const od_vstmt *vs, const char *vendor_id,
                        const char *const *params, PGresult **out);

/* Forgets every instance (after a fork, or in tests). Their server-side copies go
 * with the connection. */
void od_vendor_stmt_reset(void);

#endif
