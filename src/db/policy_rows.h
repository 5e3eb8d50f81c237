/* policy_rows.h: what diet_rules and scoring_policies share: a vendor's active row
 * is in force over the global default (vendor_id NULL), and a change deactivates
 * it and inserts a new one, keeping the old as history. Writers of one scope take
 * turns under a transaction advisory lock; a change to nothing writes nothing. */
#ifndef OD_DB_POLICY_ROWS_H
#define OD_DB_POLICY_ROWS_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

/* The statements of one table. Each takes a prefix of the same parameters
 * (vendor id, the scope's other keys, the new value). */
typedef struct od_policy_stmts {
    od_stmt *lock;          /* takes the scope's transaction advisory lock */
    od_stmt *in_force;      /* the row in force: document, is the vendor's ("t"), its
                             * value equals the new one ("t"); no row when none */
    od_stmt *deactivate;    /* deactivates the vendor's active row of the scope */
    od_stmt *insert;        /* inserts the new active row; returns its document */
} od_policy_stmts;

/* What a write did. Documents are JSON text, arena-owned. */
typedef struct od_policy_write {
    const char *before;     /* the row in force before, NULL when there was none */
    const char *after;      /* the vendor's row now; NULL after a revert */
    bool changed;           /* false: the vendor's row had this value already */
} od_policy_write;

/* Makes the new value (the last of params, borrowed) the vendor's active row of
 * the scope: nothing when its active row has that value, else deactivate it and
 * insert. */
od_rc od_policy_rows_replace(od_db *db, od_arena *a, const od_policy_stmts *st,
                             const char *const *params, od_policy_write *out, PGresult **res);

/* Deactivates the vendor's active row of the scope (params with the value NULL), so
 * the global default is in force again; out->before is the row deactivated.
 * Returns OD_ENOTFOUND when the vendor has no active row there. */
od_rc od_policy_rows_revert(od_db *db, od_arena *a, const od_policy_stmts *st,
                            const char *const *params, od_policy_write *out, PGresult **res);

#endif
