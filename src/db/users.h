/* users.h: queries on the users shadow table (identity lives in the provider). */
#ifndef OD_DB_USERS_H
#define OD_DB_USERS_H

#include "core/arena.h"
#include "db/db.h"

typedef struct od_user {
    const char *id;            /* the identity provider's user id */
    const char *email;         /* NULL when the provider gave none */
    const char *display_name;  /* NULL when unset */
} od_user;

/* Loads user id into *u (arena-owned strings). Returns OD_OK, OD_ENOTFOUND, or the
 * od_db_exec codes with *res the error result for OD_EDB. */
od_rc od_users_get(od_db *db, od_arena *a, const char *id, od_user *u, PGresult **res);

/* Sets the display name (NULL clears it) and loads the row into *u. Same codes. */
od_rc od_users_set_display_name(od_db *db, od_arena *a, const char *id,
                                const char *display_name, od_user *u, PGresult **res);

#endif
