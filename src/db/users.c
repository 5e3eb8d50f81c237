/* users.c: the users shadow table. */
#include "db/users.h"

/* Read on every GET /api/v1/me: users and user_links (its policy) are plain tables. */
static od_stmt st_get = OD_READ_GENERIC_STMT("users_get",
    "SELECT id, email, display_name FROM users WHERE id = $1", 1);

static od_stmt st_set_name = OD_STMT("users_set_display_name",
    "UPDATE users SET display_name = $2 WHERE id = $1 "
    "RETURNING id, email, display_name", 2, false);

static od_rc
one_user(PGresult *res, od_arena *a, od_user *u)
{
    if (PQntuples(res) == 0)
        return OD_ENOTFOUND;
    u->id = od_arena_strdup(a, PQgetvalue(res, 0, 0));
    u->email = PQgetisnull(res, 0, 1) ? NULL : od_arena_strdup(a, PQgetvalue(res, 0, 1));
    u->display_name = PQgetisnull(res, 0, 2) ? NULL : od_arena_strdup(a, PQgetvalue(res, 0, 2));
    return OD_OK;
}

od_rc
od_users_get(od_db *db, od_arena *a, const char *id, od_user *u, PGresult **res)
{
    const char *params[] = { id };
    od_rc rc = od_db_exec(db, a, &st_get, params, res);

    return rc == OD_OK ? one_user(*res, a, u) : rc;
}

od_rc
od_users_set_display_name(od_db *db, od_arena *a, const char *id, const char *display_name,
                          od_user *u, PGresult **res)
{
    const char *params[] = { id, display_name };
    od_rc rc = od_db_exec(db, a, &st_set_name, params, res);

    return rc == OD_OK ? one_user(*res, a, u) : rc;
}
