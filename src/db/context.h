/* context.h: the request's database context: the caller's memberships (read
 * across vendors through a SECURITY DEFINER function) and the transaction whose
 * settings (odyssey.user_id, odyssey.vendor_id) drive row-level security. */
#ifndef OD_DB_CONTEXT_H
#define OD_DB_CONTEXT_H

#include <stdbool.h>

#include "auth/tenancy.h"
#include "core/arena.h"
#include "db/db.h"

/* Loads user_id's active memberships, and for a platform admin the vendor named by
 * target (canonical uuid or NULL), into *out (arena-owned). Returns od_db_exec
 * codes; *res is the error result for OD_EDB. */
od_rc od_context_memberships(od_db *db, od_arena *a, const char *user_id, const char *target,
                             od_membership_set *out, PGresult **res);

/* Opens the request's transaction and sets its context: user, vendor (NULL: none)
 * and whether a platform admin acts on global rows. Nothing is sent yet: BEGIN and
 * the settings go out with the next statement (od_db_defer_begin). The strings are
 * borrowed until then. Returns OD_OK or OD_ENOMEM. */
od_rc od_context_begin(od_db *db, od_arena *a, const char *user_id, const char *vendor_id,
                       bool platform);

/* As od_context_begin for the queue daemon in vendor_id's context (no user), for a
 * transaction whose commit need not wait for the WAL to reach disk
 * (synchronous_commit off): what it writes may be lost in a crash and is then
 * written again (a delivery marked as being delivered). */
od_rc od_context_begin_lazy(od_db *db, od_arena *a, const char *vendor_id);

/* Ends the request's transaction: COMMIT when commit is true, else ROLLBACK.
 * Returns OD_OK, OD_EDB (the commit failed and nothing was kept) or OD_EUNAVAIL. */
od_rc od_context_end(od_db *db, bool commit);

#endif
