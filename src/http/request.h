/* request.h: one FastCGI request and its response. The request borrows the
 * worker's arena, settings and database connections; handlers read parameters,
 * headers and a capped body from it and answer with JSON or a problem document. */
#ifndef OD_REQUEST_H
#define OD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/status.h"
#include "http/router.h"

struct od_db;
struct od_idem;
struct od_membership_set;

typedef struct od_request {
    od_arena *arena;          /* per-request memory; reset at the top of the accept loop */
    const od_config *cfg;     /* borrowed: the worker's settings */
    struct od_db *db;         /* borrowed: the worker's primary connection */
    struct od_db *replica;    /* borrowed: the read replica, or NULL */
    bool on_replica;          /* db is the replica for this request (OD_ROUTE_REPLICA) */
    struct od_db *primary;    /* borrowed: the primary while db is the replica */
    bool replica_failed;      /* the replica failed this request: run it on the primary */
    FCGX_Request *fcgx;       /* borrowed: the FastCGI exchange */
    const char *method;       /* REQUEST_METHOD */
    const char *path;         /* DOCUMENT_URI: nginx's normalised path, no query */
    const char *query;        /* QUERY_STRING, "" when absent */
    const char *request_id;   /* nginx's $request_id (ODYSSEY_REQUEST_ID) */
    od_route_match match;     /* the route and its parameters */
    const char *user_id;      /* the verified caller, or NULL */
    const char *vendor_id;    /* the resolved tenant, or NULL */
    const char *vendor_name;  /* its name, or NULL */
    const char *role;         /* the caller's role there, or NULL */
    unsigned perms;           /* what the caller may do there (auth/rbac.h) */
    bool break_glass;         /* a platform admin acting inside a vendor */
    const char *justification;  /* X-Break-Glass-Justification, when break_glass */
    const struct od_membership_set *memberships;  /* the caller's, for GET /me */
    bool in_transaction;      /* the request's transaction (with its RLS context) is open */
    bool stale_statement;     /* a prepared statement went stale: run the request again */
    unsigned access_recorded; /* access audit rows committed on their own, a bit per
                               * action (api/routes.c): a second run of the request
                               * does not write them again */
    struct od_idem *idem;     /* the Idempotency-Key in use (arena-owned), or NULL */
    const char *body;         /* the body once read (arena-owned), for a second run */
    size_t body_len;
    bool body_read;
    long rows_read;           /* accounting for the request log line */
    long rows_written;
    int status;               /* 0 until a response has been set */
    const char *resp_type;    /* the response, held until od_resp_flush: content type */
    const char *resp_headers; /* extra header lines (arena-owned), or NULL */
    const char *resp_body;    /* body, valid until the arena is reset */
    size_t resp_len;
    const char *resp_kept;    /* what an Idempotency-Key replay answers instead of
                               * resp_body (NULL: resp_body): a body that shows a
                               * secret once is stored without it */
    struct timespec started;  /* CLOCK_MONOTONIC at accept */
} od_request;

/* Binds r to an accepted FastCGI request: reads the CGI parameters it needs.
 * Everything r points to lives until the arena is reset. */
void od_req_init(od_request *r, FCGX_Request *fcgx, od_arena *arena, const od_config *cfg);

/* Returns the CGI parameter name (e.g. "HTTP_AUTHORIZATION"), or NULL; borrowed. */
const char *od_req_env(const od_request *r, const char *name);

/* True when r has no If-Match header, or it is "*" or lists etag (a quoted strong
 * ETag): a write may go ahead. */
bool od_req_if_match(const od_request *r, const char *etag);

/* Returns the body limit of r's route: BULK_BODY_MAX for batch endpoints, else
 * BODY_MAX (bytes). */
long od_req_body_cap(const od_request *r);

/* Reads the whole body, at most od_req_body_cap bytes, into arena memory. Returns
 * OD_OK, OD_ETOOBIG (the rest of the body is drained and discarded) or OD_EIO. */
od_rc od_req_body(od_request *r, const char **data, size_t *len);

/* Reads the body as one JSON value. On failure it has already answered with the
 * right problem (415 wrong media type, 413 too large, 400 malformed with the byte
 * offset) and returns NULL. The object is arena-owned. */
json_object *od_req_json(od_request *r);

/* Reads the body as a JSON object: like od_req_json, and a body that is valid JSON
 * but not an object is answered with a 422 whose error points at "#". */
json_object *od_req_json_object(od_request *r);

/* Sets the response: status, content type, extra header lines (each ending in
 * CRLF, or NULL; copied) and body (borrowed until the arena is reset). A second
 * call does nothing. Nothing is written until od_resp_flush, so the request's
 * transaction can commit first and a failed commit can still change the answer. */
void od_resp_send(od_request *r, int status, const char *content_type,
                  const char *headers, const char *body, size_t len);

/* Replaces the response set so far (a failed commit turns a 200 into a 503). */
void od_resp_reset(od_request *r);

/* Writes the response to the web server (body omitted for HEAD). */
void od_resp_flush(od_request *r);

/* Sends o as application/json. */
void od_resp_json(od_request *r, int status, json_object *o);

/* Returns a new arena-owned problem for this request (instance and request_id
 * filled in), for callers that add errors[] before sending it. */
json_object *od_problem_for(od_request *r, int status, const char *type, const char *detail);

/* Sends a problem document built with od_problem_for, plus extra header lines. */
void od_resp_problem_doc(od_request *r, json_object *problem, const char *headers);

/* Builds and sends a problem document in one call. */
void od_resp_problem(od_request *r, int status, const char *type, const char *detail);

/* Sends a 503 problem of type (NULL: about:blank) with Retry-After set to
 * ODYSSEY_RETRY_AFTER. */
void od_resp_unavailable(od_request *r, const char *type, const char *detail);

#endif
