/* members.h: a vendor's members: user_links joined with users, under RLS. */
#ifndef OD_DB_MEMBERS_H
#define OD_DB_MEMBERS_H

#include "core/arena.h"
#include "db/db.h"

/* Lists the vendor's members ordered by user id, after after_user (NULL: from the
 * start), at most limit rows: column 0 is the member as JSON text, column 1 the
 * user id. Returns od_db_exec codes. */
od_rc od_members_list(od_db *db, od_arena *a, const char *vendor_id, const char *after_user,
                      int limit, PGresult **res);

/* Returns the member as JSON text in column 0 (0 rows: not a member). */
od_rc od_members_get(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                     PGresult **res);

/* Adds the identity provider's user (a shadow row kept as it is when the id is
 * known) and an active link with role. Returns OD_OK with the member JSON in
 * column 0, OD_EDB with 23505 when the user is already linked, or od_db_exec codes. */
od_rc od_members_add(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                     const char *email, const char *display_name, const char *role,
                     PGresult **res);

/* Counts the vendor's other active admins, locking their links (FOR UPDATE) so a
 * concurrent demotion waits: the last-admin rule holds under concurrency. */
od_rc od_members_other_admins(od_db *db, od_arena *a, const char *vendor_id,
                              const char *user_id, long *n, PGresult **res);

/* Sets role and status of the link (NULL keeps a value). Returns the member JSON
 * in column 0 (0 rows: no such link). */
od_rc od_members_update(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                        const char *role, const char *status, PGresult **res);

/* Deletes the link. Returns the removed member JSON in column 0 (0 rows: none). */
od_rc od_members_remove(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                        PGresult **res);

#endif
