/* idempotency.c: one layer between the permission check and the handler. A key in
 * flight is a session advisory lock of the worker's connection: a worker that
 * dies takes it along, so a crashed request never leaves its key stuck. */
#include "api/idempotency.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/log.h"
#include "db/context.h"
#include "db/idempotency.h"
#include "http/idem.h"
#include "http/problem.h"

struct od_idem {
    char key[OD_IDEM_KEY_MAX + 1];
    char lock_id[24];
    char hash[65];
    bool locked;        /* this connection holds the key's advisory lock... */
    unsigned long epoch;  /* ...taken on this connection (od_db_epoch) */
    bool ran;           /* the handler ran: its outcome is the key's */
};

static bool
applies(const od_request *r)
{
    return r->vendor_id != NULL && (strcmp(r->method, "POST") == 0 ||
                                    strcmp(r->method, "PUT") == 0 ||
                                    strcmp(r->method, "PATCH") == 0);
}

/* Answers with a stored outcome, or 422 when it was another request. */
static void
replay(od_request *r, PGresult *res)
{
    const char *headers = PQgetisnull(res, 0, 5) ? "" : PQgetvalue(res, 0, 5);
    const char *body = PQgetvalue(res, 0, 6);  /* status: the column's CHECK holds 100..599 */

    if (strcmp(PQgetvalue(res, 0, 0), r->idem->hash) != 0) {
        json_object *p = od_problem_for(r, 422, OD_PT_VALIDATION, "this Idempotency-Key was "
                                        "used for another request: use a new key for a new "
                                        "request");

        if (p != NULL)
            od_problem_add_error(p, "#", od_arena_printf(r->arena, "the key belongs to %s %s "
                                 "with another body or query", PQgetvalue(res, 0, 1),
                                 PQgetvalue(res, 0, 2)));
        od_resp_problem_doc(r, p, NULL);
        return;
    }
    od_resp_send(r, (int)strtol(PQgetvalue(res, 0, 3), NULL, 10), PQgetvalue(res, 0, 4),
                 od_arena_printf(r->arena, "%sIdempotent-Replayed: true\r\n", headers), body,
                 strlen(body));
}

bool
od_idem_begin(od_request *r)
{
    const char *header = od_req_env(r, "HTTP_IDEMPOTENCY_KEY"), *body;
    size_t len;
    PGresult *res = NULL;
    bool locked = false;
    od_rc rc;

    if (header == NULL || !applies(r))
        return true;
    if (r->idem == NULL) {
        r->idem = od_arena_alloc(r->arena, sizeof(*r->idem));
        if (r->idem == NULL) {
            od_resp_problem(r, 500, NULL, "the server failed to complete the request");
            return false;
        }
        memset(r->idem, 0, sizeof(*r->idem));
        if (!od_idem_key_parse(header, r->idem->key)) {
            od_resp_problem(r, 400, NULL, "Idempotency-Key must be 1 to 255 printable ASCII "
                            "characters, bare or as a quoted string");
            r->idem = NULL;
            return false;
        }
        rc = od_req_body(r, &body, &len);
        if (rc == OD_ETOOBIG) {
            od_resp_problem(r, 413, OD_PT_BODY_TOO_LARGE, od_arena_printf(r->arena,
                            "the body exceeds %ld bytes", od_req_body_cap(r)));
            r->idem = NULL;
            return false;
        }
        if (rc != OD_OK || !od_idem_fingerprint(r->method, r->path, r->query, body, len,
                                                r->idem->hash)) {
            od_resp_problem(r, 400, NULL, "the request body could not be read");
            r->idem = NULL;
            return false;
        }
        snprintf(r->idem->lock_id, sizeof(r->idem->lock_id), "%" PRId64,
                 od_idem_lock_id(r->vendor_id, r->idem->key));
    }
    /* A run again on a new connection (the old one was lost, and its lock with it)
     * takes the lock again. */
    if (!r->idem->locked || r->idem->epoch != od_db_epoch(r->db)) {
        rc = od_idem_try_lock(r->db, r->arena, r->idem->lock_id, &locked, &res);
        if (rc != OD_OK) {
            r->idem->locked = false;
            od_api_db_fail(r, rc, res);
            return false;
        }
        r->idem->locked = locked;
        r->idem->epoch = od_db_epoch(r->db);
    }
    /* Read after the lock: whoever held it stored its outcome before letting go. */
    rc = od_idem_find(r->db, r->arena, r->vendor_id, r->idem->key, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    if (PQntuples(res) == 1) {
        replay(r, res);
        return false;
    }
    if (!r->idem->locked) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "a request with this Idempotency-Key is in "
                        "progress; retry after it has finished");
        return false;
    }
    r->idem->ran = true;
    return true;
}

static od_rc
store(od_request *r, PGresult **res)
{
    od_idem_outcome o = {
        .vendor_id = r->vendor_id, .key = r->idem->key, .method = r->method, .path = r->path,
        .request_hash_hex = r->idem->hash, .user_id = r->user_id, .status = r->status,
        .content_type = r->resp_type ? r->resp_type : "application/json",
        .headers = r->resp_headers ? r->resp_headers : "",
        .body = r->resp_kept ? r->resp_kept :
                r->resp_body ? od_arena_strndup(r->arena, r->resp_body, r->resp_len) : "",
    };
    od_rc rc = o.body ? od_idem_store(r->db, r->arena, &o, res) : OD_ENOMEM;

    if (rc != OD_OK)
        od_log_error("request %s: the idempotent outcome was not stored: %s SQLSTATE %s",
                     r->request_id ? r->request_id : "-", od_rc_str(rc), od_db_sqlstate(*res));
    return rc;
}

void
od_idem_settle(od_request *r)
{
    PGresult *res = NULL;
    od_rc rc;

    if (r->idem == NULL || !r->idem->ran || r->status < 200 || r->status >= 300 ||
        !r->in_transaction)
        return;
    rc = store(r, &res);
    if (rc != OD_OK) {
        /* Not stored, so not done: the transaction rolls back with the effects. */
        od_resp_reset(r);
        od_api_db_fail(r, rc, res);
    }
}

void
od_idem_end(od_request *r)
{
    PGresult *res = NULL;

    if (r->idem == NULL)
        return;
    if (r->idem->ran && r->status >= 400 && r->status < 500 &&
        od_context_begin(r->db, r->arena, r->user_id, r->vendor_id, false) == OD_OK) {
        /* A refusal changes nothing, so storing it after the rollback is safe. */
        od_context_end(r->db, store(r, &res) == OD_OK);
    }
    /* A lost connection took the lock with it. A live one that could not let go
     * (a timeout) would keep the key in flight for every other worker: all of this
     * session's advisory locks go instead, and failing that, the connection. */
    if (r->idem->locked && r->idem->epoch == od_db_epoch(r->db) &&
        od_idem_unlock(r->db, r->arena, r->idem->lock_id) != OD_OK &&
        od_db_command(r->db, "SELECT pg_advisory_unlock_all()") != OD_OK) {
        od_log_warn("request %s: the Idempotency-Key lock could not be released; closing "
                    "the connection", r->request_id ? r->request_id : "-");
        od_db_disconnect(r->db);
    }
    r->idem->locked = false;
}
