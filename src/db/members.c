/* members.c: user_links x users for one vendor. */
#include "db/members.h"

#include <stdlib.h>

#define MEMBER_JSON \
    "json_build_object('user_id', l.user_id, 'email', u.email, 'display_name', u.display_name, " \
    "'role', l.role, 'status', l.status, 'created_at', l.created_at, 'updated_at', l.updated_at)::text"

static od_stmt st_list = OD_STMT("members_list",
    "SELECT " MEMBER_JSON ", l.user_id FROM user_links l JOIN users u ON u.id = l.user_id "
    "WHERE l.vendor_id = $1::uuid AND ($2::text IS NULL OR l.user_id > $2) "
    "ORDER BY l.user_id LIMIT $3::int", 3, true);

static od_stmt st_get = OD_STMT("members_get",
    "SELECT " MEMBER_JSON " FROM user_links l JOIN users u ON u.id = l.user_id "
    "WHERE l.vendor_id = $1::uuid AND l.user_id = $2", 2, true);

static od_stmt st_add = OD_STMT("members_add",
    "WITH u AS (SELECT od_ensure_user($2, $3, $4)), "
    "l AS (INSERT INTO user_links (user_id, vendor_id, role, status) "
    "VALUES ($2, $1::uuid, $5::od_role, 'active') RETURNING *) "
    "SELECT json_build_object('user_id', l.user_id, 'email', coalesce(x.email, $3), "
    "'display_name', coalesce(x.display_name, $4), 'role', l.role, 'status', l.status, "
    "'created_at', l.created_at, 'updated_at', l.updated_at)::text "
    "FROM u, l LEFT JOIN users x ON x.id = l.user_id", 5, false);

static od_stmt st_other_admins = OD_STMT("members_other_admins",
    "SELECT count(*) FROM (SELECT 1 FROM user_links WHERE vendor_id = $1::uuid "
    "AND role = 'vendor_admin' AND status = 'active' AND user_id <> $2 FOR UPDATE) s",
    2, false);

static od_stmt st_update = OD_STMT("members_update",
    "WITH l AS (UPDATE user_links SET role = coalesce($3::od_role, role), "
    "status = coalesce($4::user_link_status, status) "
    "WHERE vendor_id = $1::uuid AND user_id = $2 RETURNING *) "
    "SELECT " MEMBER_JSON " FROM l JOIN users u ON u.id = l.user_id", 4, false);

static od_stmt st_remove = OD_STMT("members_remove",
    "WITH l AS (DELETE FROM user_links WHERE vendor_id = $1::uuid AND user_id = $2 RETURNING *) "
    "SELECT " MEMBER_JSON " FROM l JOIN users u ON u.id = l.user_id", 2, false);

od_rc
od_members_list(od_db *db, od_arena *a, const char *vendor_id, const char *after_user,
                int limit, PGresult **res)
{
    const char *params[] = { vendor_id, after_user, od_arena_printf(a, "%d", limit) };

    return od_db_exec(db, a, &st_list, params, res);
}

od_rc
od_members_get(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
               PGresult **res)
{
    const char *params[] = { vendor_id, user_id };

    return od_db_exec(db, a, &st_get, params, res);
}

od_rc
od_members_add(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
               const char *email, const char *display_name, const char *role, PGresult **res)
{
    const char *params[] = { vendor_id, user_id, email, display_name, role };

    return od_db_exec(db, a, &st_add, params, res);
}

od_rc
od_members_other_admins(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                        long *n, PGresult **res)
{
    const char *params[] = { vendor_id, user_id };
    od_rc rc = od_db_exec(db, a, &st_other_admins, params, res);

    if (rc == OD_OK)
        *n = strtol(PQgetvalue(*res, 0, 0), NULL, 10);
    return rc;
}

od_rc
od_members_update(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                  const char *role, const char *status, PGresult **res)
{
    const char *params[] = { vendor_id, user_id, role, status };

    return od_db_exec(db, a, &st_update, params, res);
}

od_rc
od_members_remove(od_db *db, od_arena *a, const char *vendor_id, const char *user_id,
                  PGresult **res)
{
    const char *params[] = { vendor_id, user_id };

    return od_db_exec(db, a, &st_remove, params, res);
}
