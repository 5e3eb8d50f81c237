/* audit.c: inserts into audit_log. */
#include "db/audit.h"

static od_stmt st_insert = OD_STMT("audit_insert",
    "INSERT INTO audit_log (actor_user_id, actor_role, vendor_id, action, entity, entity_id, "
    "before, after, ip, ua, request_id, justification) "
    "VALUES ($1, $2, $3::uuid, $4, $5, $6, $7::jsonb, $8::jsonb, $9::inet, $10, $11, $12)",
    12, false);

od_rc
od_audit_write(od_db *db, od_arena *a, const od_audit_entry *e, PGresult **res)
{
    const char *params[] = {
        e->actor_user_id, e->actor_role, e->vendor_id, e->action, e->entity, e->entity_id,
        e->before_json, e->after_json, e->ip, e->user_agent, e->request_id, e->justification,
    };

    return od_db_exec(db, a, &st_insert, params, res);
}
