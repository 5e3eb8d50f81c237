/* vendor_stmt.h: statements over one vendor's own partitions ({v:products} names
 * its view products_v<hex>_scoped, migration 023), prepared once per vendor and
 * connection and run with that generic plan: no planning per request. Only for
 * plain reads (no locks: the views are for reading) whose best plan is the same for
 * every value; they run read_only (db/db.h). docs/performance.md, "Plans kept per
 * vendor". */
#ifndef OD_DB_VENDOR_STMT_H
#define OD_DB_VENDOR_STMT_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/status.h"
#include "db/db.h"

typedef struct od_vstmt {
    const char *name;   /* for logs; unique in the program */
    const char *sql;    /* parameterised text; {v:products} and {v:customers} name the
                         * vendor's views, never the parents */
    int nparams;
    bool idempotent;
    bool optional;      /* one of many shapes of a statement (db/products.c): kept
                         * only while optional ones fill less than half the table */
} od_vstmt;

#define OD_VSTMT(n, text, np, idem) { .name = (n), .sql = (text), .nparams = (np), .idempotent = (idem) }

/* Runs vs for vendor_id (a UUID) with params, as od_db_exec. The first
 * ODYSSEY_VENDOR_PLANS (statement, vendor, connection) instances a process meets
 * are prepared and kept for its lifetime; beyond them an instance runs as a
 * one-shot statement, planned with its values. OD_EINVAL when vendor_id is not a
 * UUID. */
od_rc od_vendor_stmt_exec(od_db *db, od_arena *a, const od_vstmt *vs, const char *vendor_id,
                          const char *const *params, PGresult **out);

/* Forgets every kept instance (tests). Their server-side copies go with the
 * connections. */
void od_vendor_stmt_reset(void);

#endif
