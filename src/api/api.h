/* api.h: the HTTP API: the route table and the dispatcher that runs a request
 * through routing, authentication and its handler. */
#ifndef OD_API_H
#define OD_API_H

#include "core/config.h"
#include "crypto/secrets.h"
#include "db/migrate.h"
#include "domain/customer.h"
#include "domain/vocab.h"
#include "http/request.h"

/* What handlers need beyond the request, fixed for the life of a worker. */
typedef struct od_api_env {
    const od_migration_set *migrations;  /* the files /readyz compares with */
} od_api_env;

/* Borrows env for the life of the process. */
void od_api_init(const od_api_env *env);

/* Sets up and tears down what a worker process keeps between requests: its
 * membership cache and the master keys that seal webhook secrets (cfg borrowed; a
 * key file that cannot be loaded is logged, and only those routes fail). */
void od_api_worker_start(const od_config *cfg);
void od_api_worker_stop(void);

/* The KMS of this worker (borrowed), or NULL when the master keys did not load. */
const od_kms *od_api_kms(void);

/* Returns the environment set by od_api_init (borrowed). */
const od_api_env *od_api_get_env(void);

/* Routes r, authenticates it when the route asks, and runs the handler. Always
 * leaves a response sent (r->status != 0). */
void od_api_handle(od_request *r);

/* Returns the route table (borrowed, static) and its length, for tests and docs. */
const od_route *od_api_routes(size_t *n);

/* Writes an audit row for r's caller, vendor, address, user agent, request id
 * and break-glass justification, in the request's transaction. */
od_rc od_api_audit(od_request *r, const char *action, const char *entity,
                   const char *entity_id, const char *before_json, const char *after_json);

/* As od_api_audit, but the row goes out with the request's next statement, in one
 * round trip (db/audit.h: od_audit_defer): that statement's failure may be the
 * row's, and fails the request the same way. */
od_rc od_api_audit_defer(od_request *r, const char *action, const char *entity,
                         const char *entity_id, const char *before_json,
                         const char *after_json);

/* Writes the audit row of an access (read, deny, break_glass) as od_api_audit; when
 * the request has not opened its transaction the row commits on its own at once
 * (db/audit.h), and a second run of the request (a stale statement) does not
 * write it again. */
od_rc od_api_audit_access(od_request *r, const char *action, const char *entity,
                          const char *entity_id);

/* As od_api_audit_access, but the row goes out with the request's next statement
 * (db/audit.h: od_audit_defer_access): in front of a plain read that opens no
 * transaction, both go in one of their own, in one round trip, and the row is
 * recorded only if that statement succeeds. od_api_audit_access_sent, after it, keeps
 * a second run of the request from writing the row again. */
od_rc od_api_audit_access_defer(od_request *r, const char *action, const char *entity,
                                const char *entity_id);
void od_api_audit_access_sent(od_request *r, const char *action);

/* Tells the request that its next statement is its last and decides its answer
 * (a success when it succeeds): the transaction's COMMIT then travels with it, in one
 * round trip (db/db.h: od_db_commit_with_next). Not when an Idempotency-Key's record
 * is still to be written after the handler, in the same transaction. */
void od_api_commit_with_next(od_request *r);

/* Ends a write handler: audits action on entity (before/after JSON text, NULL
 * for none) and answers 204 when after is NULL, else status with after as the
 * body and, for 201, a Location of collection/id. A failed audit answers the
 * failure instead (the transaction then rolls back). */
void od_api_write_answer(od_request *r, int status, const char *action, const char *entity,
                         const char *collection, const char *id, const char *before,
                         const char *after);

/* The vendor's words of the kinds in the set kinds (db/vocabulary.h): the worker's
 * copy when version (the vocabulary's version the request read, migration 029) names
 * it, else read now (api/vocabularies.h). Returns the vocabulary (borrowed for the
 * request), or NULL after answering the failure. */
const od_vocab *od_api_vocab(od_request *r, unsigned kinds, const char *version);

/* Today in UTC, against which dates of birth are checked and ages derived (the
 * documents derive them with the database's UTC date too). */
od_date od_api_today(void);

/* The :id of the route as a canonical uuid (arena-owned), or NULL after answering
 * 404 "no such <what>": an id that cannot exist is simply not found. */
const char *od_api_id(od_request *r, const char *what);

/* After a data-access call for one what ("product"): answers its failure, or 404
 * "no such <what>" when res has no row. Returns true when row 0 is there. */
bool od_api_found(od_request *r, od_rc rc, PGresult *res, const char *what);

/* Answers 200 with the document in column 0 of res's row 0 and, as ETag, the
 * text of its column 1. */
void od_api_send_doc(od_request *r, PGresult *res);

/* Answers a failed data-access call: 503 + Retry-After when the database is
 * unreachable, the SQLSTATE's status otherwise (500 without internals). */
void od_api_db_fail(od_request *r, od_rc rc, PGresult *res);

#endif
