/* idempotency.c: idempotency_keys and the in-flight advisory lock. */
#include "db/idempotency.h"

#include <string.h>

static od_stmt st_lock = OD_STMT("idem_try_lock",
    "SELECT pg_try_advisory_lock($1::bigint)", 1, false);

static od_stmt st_unlock = OD_STMT("idem_unlock",
    "SELECT pg_advisory_unlock($1::bigint)", 1, false);

static od_stmt st_find = OD_STMT("idem_find",
    "SELECT encode(request_hash, 'hex'), method, path, response_status, "
    "response_headers ->> 'content_type', response_headers ->> 'headers', "
    "convert_from(response_body, 'UTF8') "
    "FROM idempotency_keys WHERE vendor_id = $1::uuid AND key = $2 AND state = 'completed' "
    "AND expires_at > now()", 2, true);

static od_stmt st_store = OD_STMT("idem_store",
    "INSERT INTO idempotency_keys AS k (vendor_id, key, method, path, request_hash, user_id, "
    "state, response_status, response_headers, response_body, completed_at, expires_at) "
    "VALUES ($1::uuid, $2, $3, $4, decode($5, 'hex'), $6, 'completed', $7::int, "
    "jsonb_build_object('content_type', $8::text, 'headers', $9::text), "
    "convert_to($10, 'UTF8'), now(), now() + interval '24 hours') "
    "ON CONFLICT (vendor_id, key) DO UPDATE SET method = excluded.method, "
    "path = excluded.path, request_hash = excluded.request_hash, user_id = excluded.user_id, "
    "state = 'completed', locked_until = NULL, response_status = excluded.response_status, "
    "response_headers = excluded.response_headers, response_body = excluded.response_body, "
    "created_at = now(), completed_at = now(), expires_at = excluded.expires_at "
    "WHERE k.expires_at <= now()", 10, false);

od_rc
od_idem_try_lock(od_db *db, od_arena *a, const char *lock_id, bool *locked, PGresult **res)
{
    const char *params[] = { lock_id };
    od_rc rc = od_db_exec(db, a, &st_lock, params, res);

    *locked = rc == OD_OK && PQntuples(*res) == 1 && PQgetvalue(*res, 0, 0)[0] == 't';
    return rc;
}

od_rc
od_idem_unlock(od_db *db, od_arena *a, const char *lock_id)
{
    const char *params[] = { lock_id };
    PGresult *res = NULL;

    return od_db_exec(db, a, &st_unlock, params, &res);
}

od_rc
od_idem_find(od_db *db, od_arena *a, const char *vendor_id, const char *key, PGresult **res)
{
    const char *params[] = { vendor_id, key };

    return od_db_exec(db, a, &st_find, params, res);
}

od_rc
od_idem_store(od_db *db, od_arena *a, const od_idem_outcome *o, PGresult **res)
{
    const char *params[] = {
        o->vendor_id, o->key, o->method, o->path, o->request_hash_hex, o->user_id,
        od_arena_printf(a, "%d", o->status), o->content_type, o->headers, o->body,
    };

    return od_db_exec(db, a, &st_store, params, res);
}
