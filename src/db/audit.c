/* audit.c: inserts into audit_log. */
#include "db/audit.h"

#include <string.h>

#define NPARAMS 12  /* the columns INSERT writes */
#define INSERT \
    "INSERT INTO audit_log (actor_user_id, actor_role, vendor_id, action, entity, " \
    "entity_id, before, after, ip, ua, request_id, justification) " \
    "VALUES ($1, $2, $3::uuid, $4, $5, $6, $7::jsonb, $8::jsonb, $9::inet, $10, $11, $12)"

/* A change's row, in the change's transaction. */
static od_stmt st_insert = OD_GENERIC_STMT("audit_insert", INSERT, NPARAMS, false);

/* An access's row: stands alone (db/db.h), so in front of the request's transaction
 * it commits at once whatever the request does next. */
static od_stmt st_insert_access = { .name = "audit_insert_access", .sql = INSERT,
                                    .nparams = NPARAMS, .generic = true, .stands_alone = true };

/* Every filter is optional: a NULL parameter matches everything. The keyset seek
 * is a row comparison on (timestamp, id), served by audit_log_vendor_ts_idx. */
static od_stmt st_list = OD_STMT("audit_list",
    "SELECT json_build_object('id', id, 'timestamp', timestamp, 'actor_user_id', actor_user_id, "
    "'actor_role', actor_role, 'vendor_id', vendor_id, 'action', action, 'entity', entity, "
    "'entity_id', entity_id, 'before', before, 'after', after, 'ip', host(ip), 'user_agent', ua, "
    "'request_id', request_id, 'justification', justification)::text, "
    "to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id "
    "FROM audit_log WHERE vendor_id = $1::uuid "
    "AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR entity_id = $3) "
    "AND ($4::text IS NULL OR actor_user_id = $4) AND ($5::text IS NULL OR action = $5) "
    "AND ($6::timestamptz IS NULL OR timestamp >= $6) AND ($7::timestamptz IS NULL OR timestamp < $7) "
    "AND ($8::timestamptz IS NULL OR (timestamp, id) < ($8, $9::bigint)) "
    "ORDER BY timestamp DESC, id DESC LIMIT $10::int", 10, true);

od_rc
od_audit_list(od_db *db, od_arena *a, const char *vendor_id, const od_audit_filter *f,
              PGresult **res)
{
    const char *params[] = {
        vendor_id, f->entity, f->entity_id, f->actor, f->action, f->from, f->to,
        f->after_ts, f->after_id, od_arena_printf(a, "%d", f->limit),
    };

    return od_db_exec(db, a, &st_list, params, res);
}

/* The parameters of e's row in out[NPARAMS]. */
static void
entry_params(const od_audit_entry *e, const char **out)
{
    const char *params[] = {
        e->actor_user_id, e->actor_role, e->vendor_id, e->action, e->entity, e->entity_id,
        e->before_json, e->after_json, e->ip, e->user_agent, e->request_id, e->justification,
    };

    memcpy(out, params, sizeof(params));
}

/* Inserts e with st. */
static od_rc
write_entry(od_db *db, od_arena *a, od_stmt *st, const od_audit_entry *e, PGresult **res)
{
    const char *params[NPARAMS];

    entry_params(e, params);
    return od_db_exec(db, a, st, params, res);
}

od_rc
od_audit_write(od_db *db, od_arena *a, const od_audit_entry *e, PGresult **res)
{
    return write_entry(db, a, &st_insert, e, res);
}

/* Queues the insert of e with st. */
static od_rc
defer_entry(od_db *db, od_arena *a, od_stmt *st, const od_audit_entry *e)
{
    /* Borrowed by the queue until sent: the request's arena holds them. */
    const char **params = od_arena_alloc(a, NPARAMS * sizeof(*params));

    if (params == NULL)
        return OD_ENOMEM;
    entry_params(e, params);
    return od_db_defer(db, st, params);
}

od_rc
od_audit_defer(od_db *db, od_arena *a, const od_audit_entry *e)
{
    return defer_entry(db, a, &st_insert, e);
}

od_rc
od_audit_defer_access(od_db *db, od_arena *a, const od_audit_entry *e)
{
    return defer_entry(db, a, &st_insert_access, e);
}

od_rc
od_audit_write_access(od_db *db, od_arena *a, const od_audit_entry *e, PGresult **res)
{
    return write_entry(db, a, &st_insert_access, e, res);
}
