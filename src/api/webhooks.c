/* webhooks.c: /api/v1/webhooks (vendor_admin, webhooks.manage): endpoints (create,
 * list, read, change, delete, rotate-secret, test) and deliveries (list, replay).
 * A signing secret is made here from the CSPRNG, sealed under the vendor's
 * context "vendor:<uuid>/webhook:<endpoint id>" (docs/secrets.md), shown in the
 * one answer that made it, and never logged, audited or kept for an
 * Idempotency-Key replay. Every write is audited without secret values. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/api.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/pagination.h"
#include "core/json.h"
#include "core/log.h"
#include "core/uuid.h"
#include "crypto/signature.h"
#include "db/secrets_store.h"
#include "db/webhooks.h"
#include "domain/check.h"
#include "domain/webhook.h"
#include "domain/webhook_url.h"
#include "http/problem.h"
#include "http/query.h"

#define ENDPOINTS_PATH "/api/v1/webhooks/endpoints"
#define ENDPOINTS_SORT "created_at"
#define DELIVERIES_SORT "-created_at"
#define DESCRIPTION_MAX 500
#define RETRIES_MAX 50
#define TOLERANCE_MAX 86400

/* The operator's policy for URLs (ODYSSEY_WEBHOOK_ALLOW_HTTP, _ALLOW_NETS), read
 * per request (a few blocks): an invalid list is logged and allows nothing. */
static od_webhook_policy
policy_of(od_request *r, od_netlist *nets)
{
    char err[160];

    if (!od_netlist_parse(r->cfg->webhook_allow_nets, nets, err, sizeof(err))) {
        od_log_error("request %s: ODYSSEY_WEBHOOK_ALLOW_NETS ignored: %s",
                     r->request_id ? r->request_id : "-", err);
        nets->n = 0;
    }
    return (od_webhook_policy){ .allow_http = strcmp(r->cfg->webhook_allow_http, "on") == 0,
                                .allow = nets };
}

/* An integer member in [min, max]: returns its text (arena-owned), NULL when
 * absent or after adding an error. */
static const char *
int_member(od_request *r, json_object *body, const char *name, long min, long max,
           json_object *problem)
{
    json_object *v;
    long long n;

    if (!od_fields_has(body, name, &v))
        return NULL;
    if (v != NULL && json_object_is_type(v, json_type_int) &&
        (n = json_object_get_int64(v)) >= min && n <= max)
        return od_arena_printf(r->arena, "%lld", n);
    od_problem_add_error(problem, od_arena_printf(r->arena, "#/%s", name),
                         od_arena_printf(r->arena, "must be an integer from %ld to %ld", min,
                                         max));
    return NULL;
}

/* events[]: 1 to OD_WEBHOOK_EVENTS_MAX known types or "*" (which stands alone);
 * repeats are dropped. Returns the JSON array text, NULL when absent or bad. */
static const char *
events_member(od_request *r, json_object *body, json_object *problem)
{
    json_object *v, *out;
    size_t n;
    bool all = false, bad = false;

    if (!od_fields_has(body, "events", &v))
        return NULL;
    n = v != NULL && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (n == 0 || n > OD_WEBHOOK_EVENTS_MAX) {
        od_problem_add_error(problem, "#/events", od_arena_printf(r->arena,
                             "must be an array of 1 to %d event types, or [\"*\"] for all",
                             OD_WEBHOOK_EVENTS_MAX));
        return NULL;
    }
    out = od_json_own(r->arena, json_object_new_array());
    for (size_t i = 0; i < n; i++) {
        const char *e = od_json_string(json_object_array_get_idx(v, i));
        bool repeat = false;

        if (!od_webhook_event_known(e)) {
            od_problem_add_error(problem, od_arena_printf(r->arena, "#/events/%zu", i),
                                 "is not an event type: product.updated, customer.updated, "
                                 "job.completed, job.failed or *");
            bad = true;
            continue;
        }
        all = all || strcmp(e, "*") == 0;
        for (size_t j = 0; j < json_object_array_length(out) && !repeat; j++)
            repeat = strcmp(json_object_get_string(json_object_array_get_idx(out, j)), e) == 0;
        if (!repeat)
            json_object_array_add(out, json_object_new_string(e));
    }
    if (bad)
        return NULL;
    return all ? "[\"*\"]" : od_arena_strdup(r->arena, od_json_text(out, NULL));
}

/* Reads the members of a create (create: url required, defaults filled) or PATCH
 * body into f, adding errors to problem. */
static void
read_fields(od_request *r, json_object *body, bool create, od_endpoint_fields *f,
            json_object *problem)
{
    static const char *const known[] = { "url", "description", "events", "enabled",
                                         "retries_max", "tolerance_sec" };
    json_object *v;
    od_netlist nets;
    od_webhook_policy pol = policy_of(r, &nets);
    int enabled;

    memset(f, 0, sizeof(*f));
    od_fields_unknown(r, body, known, sizeof(known) / sizeof(known[0]), problem);
    if (od_fields_has(body, "url", &v)) {
        const char *url = od_json_string(v), *why = NULL;

        if (url == NULL)
            od_problem_add_error(problem, "#/url", "must be a string");
        else if (!od_webhook_url_check(url, &pol, NULL, &why))
            od_problem_add_error(problem, "#/url", od_arena_printf(r->arena, "the URL %s", why));
        else
            f->url = url;
    } else if (create) {
        od_problem_add_error(problem, "#/url", "is required");
    }
    if (od_fields_has(body, "description", &v)) {
        f->description_set = true;
        if (v != NULL)
            f->description = od_fields_text(r, body, "description", DESCRIPTION_MAX, false,
                                            problem);
    }
    f->events = events_member(r, body, problem);
    enabled = od_fields_bool(r, body, "enabled", problem);
    f->enabled = enabled == 1 ? "true" : enabled == 0 ? "false" : NULL;
    f->retries_max = int_member(r, body, "retries_max", 0, RETRIES_MAX, problem);
    f->tolerance_sec = int_member(r, body, "tolerance_sec", 1, TOLERANCE_MAX, problem);
    if (create) {
        f->events = f->events ? f->events : "[\"*\"]";
        f->enabled = f->enabled ? f->enabled : "true";
        f->retries_max = f->retries_max ? f->retries_max : "10";
        f->tolerance_sec = f->tolerance_sec ? f->tolerance_sec : "300";
    }
}

/* Wipes a secret held in the arena when the arena is reset. */
static void
wipe(void *p)
{
    OPENSSL_cleanse(p, OD_SIGNATURE_SECRET_LEN);
}

/* Makes a new secret for endpoint id and stores it sealed. On success returns the
 * secret (arena-owned, wiped at the reset) and *ref is the secrets row; otherwise
 * answers and returns NULL. */
static const char *
new_secret(od_request *r, const char *id, const char **ref)
{
    const od_kms *kms = od_api_kms();
    char *secret = od_arena_alloc(r->arena, OD_SIGNATURE_SECRET_LEN + 1);
    const char *aad = od_arena_printf(r->arena, "vendor:%s/webhook:%s", r->vendor_id, id);
    const char *why = NULL;
    od_envelope env;
    PGresult *res = NULL;
    od_rc rc;

    if (kms == NULL) {
        od_resp_problem(r, 503, NULL, "webhook secrets cannot be sealed: the master keys are "
                        "not loaded");
        return NULL;
    }
    if (secret == NULL || aad == NULL || od_arena_on_reset(r->arena, wipe, secret) != 0) {
        od_resp_problem(r, 500, NULL, "out of memory");
        return NULL;
    }
    if (od_signature_secret(secret) != OD_OK ||
        (rc = od_secret_seal(kms, r->arena, aad, strlen(aad), secret, OD_SIGNATURE_SECRET_LEN,
                             &env, &why)) != OD_OK) {
        od_log_error("request %s: cannot seal a webhook secret: %s",
                     r->request_id ? r->request_id : "-", why ? why : "no randomness");
        od_resp_problem(r, 503, NULL, "webhook secrets cannot be sealed now");
        return NULL;
    }
    rc = od_secrets_store_insert(r->db, r->arena, r->vendor_id, "webhook", &env, ref, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return NULL;
    }
    return secret;
}

/* Answers status with doc (an endpoint document) plus "secret"; an Idempotency-Key
 * replay answers doc with "secret": null (it is shown once). Audits action with
 * before and doc (no secret). */
static void
answer_with_secret(od_request *r, int status, const char *action, const char *id,
                   const char *before, const char *doc, const char *secret)
{
    size_t n = strlen(doc);
    char *body, *kept;

    if (n < 2 || doc[n - 1] != '}' ||
        (body = od_arena_printf(r->arena, "%.*s, \"secret\" : \"%s\"}", (int)(n - 1), doc,
                                secret)) == NULL ||
        (kept = od_arena_printf(r->arena, "%.*s, \"secret\" : null}", (int)(n - 1), doc)) ==
            NULL ||
        od_arena_on_reset(r->arena, wipe, body + n - 1 + strlen(", \"secret\" : \"")) != 0) {
        od_resp_problem(r, 500, NULL, "out of memory");
        return;
    }
    if (od_api_audit(r, action, "webhook_endpoints", id, before, doc) != OD_OK) {
        od_api_db_fail(r, OD_EDB, NULL);
        return;
    }
    r->rows_written = 2;
    od_resp_send(r, status, "application/json", status == 201 ?
                 od_arena_printf(r->arena, "Location: %s/%s\r\n", ENDPOINTS_PATH, id) : NULL,
                 body, strlen(body));
    r->resp_kept = kept;
}

void
od_h_webhooks_create(od_request *r)
{
    json_object *body = od_req_json_object(r), *problem;
    od_endpoint_fields f;
    const char *secret, *ref = NULL;
    char id[37];
    PGresult *res = NULL;
    od_rc rc;

    if (body == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the webhook endpoint has invalid fields");
    read_fields(r, body, true, &f, problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (od_secret_uuid(id) != OD_OK) {
        od_resp_problem(r, 503, NULL, "no randomness available");
        return;
    }
    if ((secret = new_secret(r, id, &ref)) == NULL)
        return;
    rc = od_webhooks_insert(r->db, r->arena, r->vendor_id, id, &f, ref, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    answer_with_secret(r, 201, "create", id, NULL, PQgetvalue(res, 0, 0), secret);
}

void
od_h_webhooks_list(od_request *r)
{
    static const int keys[] = { 1, 2 };
    json_object *position;
    PGresult *res = NULL;
    int limit;
    od_rc rc;

    if (!od_page_begin(r, ENDPOINTS_SORT, "", 2, &limit, &position))
        return;
    rc = od_webhooks_page(r->db, r->arena, r->vendor_id, od_page_key(r, position, 0),
                          od_page_key(r, position, 1), limit + 1, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, ENDPOINTS_SORT, "", keys, 2, NULL);
}

/* Sends column 0 of res's row 0 as a 200 JSON answer. */
static void
send_row(od_request *r, PGresult *res)
{
    const char *doc = PQgetvalue(res, 0, 0);

    r->rows_read++;
    od_resp_send(r, 200, "application/json", NULL, doc, strlen(doc));
}

void
od_h_webhooks_get(od_request *r)
{
    const char *id = od_api_id(r, "webhook endpoint");
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_webhooks_get(r->db, r->arena, r->vendor_id, id, false, &res);
    if (od_api_found(r, rc, res, "webhook endpoint"))
        send_row(r, res);
}

/* Locks the endpoint of the route. Returns its row (column 0 the document, 1
 * enabled, 2 retries_max), or NULL after answering (404, database failure). */
static PGresult *
lock_endpoint(od_request *r, const char *id)
{
    PGresult *res = NULL;
    od_rc rc = od_webhooks_get(r->db, r->arena, r->vendor_id, id, true, &res);

    return od_api_found(r, rc, res, "webhook endpoint") ? res : NULL;
}

void
od_h_webhooks_patch(od_request *r)
{
    const char *id = od_api_id(r, "webhook endpoint"), *before;
    json_object *body, *problem;
    od_endpoint_fields f;
    PGresult *res;
    od_rc rc;

    if (id == NULL || (body = od_req_json_object(r)) == NULL)
        return;
    problem = od_problem_for(r, 422, OD_PT_VALIDATION, "the webhook endpoint has invalid fields");
    read_fields(r, body, false, &f, problem);
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if ((res = lock_endpoint(r, id)) == NULL)
        return;
    before = PQgetvalue(res, 0, 0);
    rc = od_webhooks_update(r->db, r->arena, r->vendor_id, id, &f, &res);
    if (od_api_found(r, rc, res, "webhook endpoint"))
        od_api_write_answer(r, 200, "update", "webhook_endpoints", NULL, id, before,
                            PQgetvalue(res, 0, 0));
}

void
od_h_webhooks_delete(od_request *r)
{
    const char *id = od_api_id(r, "webhook endpoint");
    PGresult *res = NULL;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_webhooks_delete(r->db, r->arena, r->vendor_id, id, &res);
    if (od_api_found(r, rc, res, "webhook endpoint"))
        od_api_write_answer(r, 204, "delete", "webhook_endpoints", NULL, id,
                            PQgetvalue(res, 0, 0), NULL);
}

void
od_h_webhooks_rotate(od_request *r)
{
    const char *id = od_api_id(r, "webhook endpoint"), *before, *secret, *ref = NULL;
    PGresult *res;
    od_rc rc;

    if (id == NULL || (res = lock_endpoint(r, id)) == NULL)
        return;
    before = PQgetvalue(res, 0, 0);
    if ((secret = new_secret(r, id, &ref)) == NULL)
        return;
    rc = od_webhooks_rotate(r->db, r->arena, r->vendor_id, id, ref,
                            r->cfg->webhook_rotation_overlap, &res);
    if (od_api_found(r, rc, res, "webhook endpoint"))
        answer_with_secret(r, 200, "rotate", id, before, PQgetvalue(res, 0, 0), secret);
}

void
od_h_webhooks_test(od_request *r)
{
    const char *id = od_api_id(r, "webhook endpoint"), *doc;
    PGresult *res;
    od_rc rc;

    if (id == NULL || (res = lock_endpoint(r, id)) == NULL)
        return;
    if (PQgetvalue(res, 0, 1)[0] != 't') {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "the webhook endpoint is disabled: enable it "
                        "(PATCH enabled: true) before testing it");
        return;
    }
    rc = od_webhooks_ping(r->db, r->arena, r->vendor_id, id,
                          od_webhook_max_attempts((int)strtol(PQgetvalue(res, 0, 2), NULL, 10)),
                          &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    doc = PQgetvalue(res, 0, 0);
    od_api_write_answer(r, 202, "test", "webhook_endpoints", NULL, id, NULL, doc);
}

static const char *const delivery_states[] = { "pending", "delivering", "delivered", "dead" };

void
od_h_webhooks_deliveries(od_request *r)
{
    static const int keys[] = { 1, 2 };
    const char *status, *endpoint, *filters;
    char canon[37];
    json_object *position, *problem;
    od_delivery_filter f;
    PGresult *res = NULL;
    bool bad_s, bad_e;
    int limit;
    od_rc rc;

    status = od_query_get(r->arena, r->query, "status", &bad_s);
    endpoint = od_query_get(r->arena, r->query, "endpoint_id", &bad_e);
    status = status && *status ? status : NULL;
    endpoint = endpoint && *endpoint ? endpoint : NULL;
    problem = od_problem_for(r, 400, NULL, "a filter is malformed");
    if (bad_s || (status && !od_check_in(status, delivery_states, 4)))
        od_problem_add_error(problem, "#/status", "must be pending, delivering, delivered or dead");
    if (bad_e || (endpoint && !od_uuid_canonical(endpoint, canon)))
        od_problem_add_error(problem, "#/endpoint_id", "must be a uuid");
    if (od_problem_error_count(problem) > 0) {
        od_resp_problem_doc(r, problem, NULL);
        return;
    }
    if (endpoint != NULL)
        endpoint = od_arena_strdup(r->arena, canon);
    filters = od_arena_printf(r->arena, "status=%s&endpoint_id=%s", status ? status : "",
                              endpoint ? endpoint : "");
    if (!od_page_begin(r, DELIVERIES_SORT, filters, 2, &limit, &position))
        return;
    f = (od_delivery_filter){ .status = status, .endpoint_id = endpoint,
                              .after_ts = od_page_key(r, position, 0),
                              .after_id = od_page_key(r, position, 1), .limit = limit + 1 };
    rc = od_webhooks_deliveries(r->db, r->arena, r->vendor_id, &f, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    od_page_send(r, res, limit, DELIVERIES_SORT, filters, keys, 2, NULL);
}

void
od_h_webhooks_replay(od_request *r)
{
    const char *id = od_api_id(r, "webhook delivery"), *status, *before;
    PGresult *res = NULL;
    int retries;
    od_rc rc;

    if (id == NULL)
        return;
    rc = od_webhooks_delivery_lock(r->db, r->arena, r->vendor_id, id, &res);
    if (!od_api_found(r, rc, res, "webhook delivery"))
        return;
    status = PQgetvalue(res, 0, 0);
    if (strcmp(status, "pending") == 0 || strcmp(status, "delivering") == 0) {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "the delivery is queued already: replay a "
                        "delivered or dead one");
        return;
    }
    if (PQgetvalue(res, 0, 1)[0] != 't') {
        od_resp_problem(r, 409, OD_PT_CONFLICT, "the delivery's endpoint is disabled: enable "
                        "it (PATCH enabled: true) before replaying");
        return;
    }
    retries = (int)strtol(PQgetvalue(res, 0, 2), NULL, 10);
    before = PQgetvalue(res, 0, 3);
    rc = od_webhooks_replay(r->db, r->arena, r->vendor_id, id, od_webhook_max_attempts(retries),
                            &res);
    if (od_api_found(r, rc, res, "webhook delivery"))
        od_api_write_answer(r, 202, "replay", "webhook_deliveries", NULL, id, before,
                            PQgetvalue(res, 0, 0));
}
