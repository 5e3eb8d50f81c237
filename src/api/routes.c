/* routes.c: the route table and the dispatcher. Every authenticated request goes
 * through the same steps, in one place: verify the token, load the caller's
 * memberships, resolve the vendor and role, check the route's permission, open the
 * transaction that carries the row-level-security context, run the handler, commit
 * (or roll back) before the answer leaves. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "api/idempotency.h"
#include "api/vocabularies.h"
#include "auth/authn.h"
#include "auth/mcache.h"
#include "auth/rbac.h"
#include "auth/tenancy.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/uuid.h"
#include "crypto/masterkey.h"
#include "db/audit.h"
#include "db/context.h"
#include "db/db.h"
#include "http/problem.h"

#define AUTH   OD_ROUTE_AUTH
#define VENDOR (OD_ROUTE_AUTH | OD_ROUTE_VENDOR)
/* In a vendor: the route's perm on the vendor's rows (and reads of global ones);
 * a platform admin outside any vendor: global rows, with OD_PERM_GLOBAL_TAXONOMY. */
#define PLATFORM (VENDOR | OD_ROUTE_PLATFORM)

static const od_route routes[] = {
    { "GET",   "/healthz",   od_h_healthz,  OD_ROUTE_PUBLIC, OD_PERM_NONE, NULL },
    { "GET",   "/readyz",    od_h_readyz,   OD_ROUTE_PUBLIC, OD_PERM_NONE, NULL },
    { "GET",   "/api/v1/me", od_h_me_get,   AUTH, OD_PERM_NONE, NULL },
    { "PATCH", "/api/v1/me", od_h_me_patch, AUTH, OD_PERM_NONE, NULL },
    { "GET",   "/api/v1/products", od_h_products_list, VENDOR, OD_PERM_CATALOG_READ,
      "products" },
    { "POST",  "/api/v1/products", od_h_products_upsert, VENDOR | OD_ROUTE_BULK,
      OD_PERM_CATALOG_WRITE, "products" },
    { "GET",   "/api/v1/products/:id", od_h_products_get, VENDOR, OD_PERM_CATALOG_READ,
      "products" },
    { "PATCH", "/api/v1/products/:id", od_h_products_patch, VENDOR, OD_PERM_CATALOG_WRITE,
      "products" },
    { "DELETE", "/api/v1/products/:id", od_h_products_delete, VENDOR, OD_PERM_CATALOG_WRITE,
      "products" },
    { "GET",   "/api/v1/search/products", od_h_products_search, VENDOR | OD_ROUTE_REPLICA,
      OD_PERM_CATALOG_READ, "products" },
    { "GET",   "/api/v1/customers", od_h_customers_list, VENDOR, OD_PERM_CUSTOMERS_READ,
      "customers" },
    { "POST",  "/api/v1/customers", od_h_customers_upsert, VENDOR | OD_ROUTE_BULK,
      OD_PERM_CUSTOMERS_WRITE, "customers" },
    { "GET",   "/api/v1/customers/:id", od_h_customers_get, VENDOR, OD_PERM_CUSTOMERS_READ,
      "customers" },
    { "PUT",   "/api/v1/customers/:id", od_h_customers_put, VENDOR, OD_PERM_CUSTOMERS_WRITE,
      "customers" },
    { "PATCH", "/api/v1/customers/:id", od_h_customers_patch, VENDOR, OD_PERM_CUSTOMERS_WRITE,
      "customers" },
    { "DELETE", "/api/v1/customers/:id", od_h_customers_delete, VENDOR,
      OD_PERM_CUSTOMERS_WRITE, "customers" },
    { "GET",   "/api/v1/vendor", od_h_vendor_get, VENDOR, OD_PERM_VENDOR_MANAGE, "vendors" },
    { "PATCH", "/api/v1/vendor", od_h_vendor_patch, VENDOR, OD_PERM_VENDOR_MANAGE, "vendors" },
    { "GET",   "/api/v1/users", od_h_members_list, VENDOR, OD_PERM_MEMBERS_MANAGE, "user_links" },
    { "POST",  "/api/v1/users", od_h_members_add, VENDOR, OD_PERM_MEMBERS_MANAGE, "user_links" },
    { "PUT",   "/api/v1/users/:userId/link", od_h_members_link_put, VENDOR,
      OD_PERM_MEMBERS_MANAGE, "user_links" },
    { "DELETE", "/api/v1/users/:userId/link", od_h_members_link_delete, VENDOR,
      OD_PERM_MEMBERS_MANAGE, "user_links" },
    /* The audit trail records who read health data: reading it is sensitive. */
    { "GET",   "/api/v1/audit", od_h_audit_list, VENDOR | OD_ROUTE_SENSITIVE, OD_PERM_AUDIT_READ,
      "audit_log" },
    /* Taxonomy and synonyms: global rows plus the vendor's own (docs/taxonomy.md). */
    { "GET",    "/api/v1/taxonomy/:kind", od_h_taxonomy_list, PLATFORM, OD_PERM_CATALOG_READ,
      NULL },
    { "POST",   "/api/v1/taxonomy/:kind", od_h_taxonomy_create, PLATFORM, OD_PERM_TAXONOMY_MANAGE,
      NULL },
    { "GET",    "/api/v1/taxonomy/:kind/:id", od_h_taxonomy_get, PLATFORM, OD_PERM_CATALOG_READ,
      NULL },
    { "PATCH",  "/api/v1/taxonomy/:kind/:id", od_h_taxonomy_patch, PLATFORM,
      OD_PERM_TAXONOMY_MANAGE, NULL },
    { "DELETE", "/api/v1/taxonomy/:kind/:id", od_h_taxonomy_delete, PLATFORM,
      OD_PERM_TAXONOMY_MANAGE, NULL },
    { "GET",    "/api/v1/synonyms/:set", od_h_synonyms_list, PLATFORM, OD_PERM_CATALOG_READ, NULL },
    { "POST",   "/api/v1/synonyms/:set", od_h_synonyms_create, PLATFORM, OD_PERM_TAXONOMY_MANAGE,
      NULL },
    { "GET",    "/api/v1/synonyms/:set/:id", od_h_synonyms_get, PLATFORM, OD_PERM_CATALOG_READ,
      NULL },
    { "PATCH",  "/api/v1/synonyms/:set/:id", od_h_synonyms_patch, PLATFORM,
      OD_PERM_TAXONOMY_MANAGE, NULL },
    { "DELETE", "/api/v1/synonyms/:set/:id", od_h_synonyms_delete, PLATFORM,
      OD_PERM_TAXONOMY_MANAGE, NULL },
    { "GET",    "/api/v1/customers/:id/health", od_h_health_get, VENDOR | OD_ROUTE_SENSITIVE,
      OD_PERM_HEALTH_READ, "customer_health_profiles" },
    { "PUT",    "/api/v1/customers/:id/health", od_h_health_put, VENDOR | OD_ROUTE_SENSITIVE,
      OD_PERM_HEALTH_WRITE, "customer_health_profiles" },
    { "PATCH",  "/api/v1/customers/:id/health", od_h_health_patch, VENDOR | OD_ROUTE_SENSITIVE,
      OD_PERM_HEALTH_WRITE, "customer_health_profiles" },
    { "GET",    "/api/v1/customers/:id/consents", od_h_consents_list, VENDOR,
      OD_PERM_CUSTOMERS_READ, NULL },
    { "POST",   "/api/v1/customers/:id/consents", od_h_consents_add, VENDOR,
      OD_PERM_CUSTOMERS_WRITE, NULL },
    { "GET",    "/api/v1/customers/:id/whitelist", od_h_whitelist_list, VENDOR,
      OD_PERM_CUSTOMERS_READ, NULL },
    { "POST",   "/api/v1/customers/:id/whitelist", od_h_whitelist_add, VENDOR,
      OD_PERM_CUSTOMERS_WRITE, NULL },
    { "DELETE", "/api/v1/customers/:id/whitelist/:productId", od_h_whitelist_remove, VENDOR,
      OD_PERM_CUSTOMERS_WRITE, NULL },
    { "GET",    "/api/v1/customers/:id/blacklist", od_h_blacklist_list, VENDOR,
      OD_PERM_CUSTOMERS_READ, NULL },
    { "POST",   "/api/v1/customers/:id/blacklist", od_h_blacklist_add, VENDOR,
      OD_PERM_CUSTOMERS_WRITE, NULL },
    { "DELETE", "/api/v1/customers/:id/blacklist/:productId", od_h_blacklist_remove, VENDOR,
      OD_PERM_CUSTOMERS_WRITE, NULL },
    /* Diet rules and scoring weights: the vendor's own over the global defaults
     * (docs/diet-rules.md); reading them is part of managing them. */
    { "GET",    "/api/v1/diet-rules", od_h_diet_rules_list, VENDOR, OD_PERM_DIET_RULES_MANAGE,
      "diet_rules" },
    { "GET",    "/api/v1/diet-rules/:conditionCode", od_h_diet_rules_get, VENDOR,
      OD_PERM_DIET_RULES_MANAGE, "diet_rules" },
    { "PUT",    "/api/v1/diet-rules/:conditionCode", od_h_diet_rules_put, VENDOR,
      OD_PERM_DIET_RULES_MANAGE, "diet_rules" },
    { "DELETE", "/api/v1/diet-rules/:conditionCode", od_h_diet_rules_delete, VENDOR,
      OD_PERM_DIET_RULES_MANAGE, "diet_rules" },
    { "GET",    "/api/v1/scoring-policy", od_h_scoring_get, VENDOR, OD_PERM_SCORING_MANAGE,
      "scoring_policies" },
    { "PUT",    "/api/v1/scoring-policy", od_h_scoring_put, VENDOR, OD_PERM_SCORING_MANAGE,
      "scoring_policies" },
    /* the queue (docs/queue.md): a job's status; cancelling is running jobs */
    { "GET",    "/api/v1/jobs/:id", od_h_jobs_get, VENDOR, OD_PERM_JOBS_READ, "jobs" },
    { "POST",   "/api/v1/jobs/:id/cancel", od_h_jobs_cancel, VENDOR, OD_PERM_INGEST_RUN,
      "jobs" },
    /* Webhooks (docs/webhooks.md): endpoints with their secrets, deliveries. */
    { "GET",    "/api/v1/webhooks/endpoints", od_h_webhooks_list, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "POST",   "/api/v1/webhooks/endpoints", od_h_webhooks_create, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "GET",    "/api/v1/webhooks/endpoints/:id", od_h_webhooks_get, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "PATCH",  "/api/v1/webhooks/endpoints/:id", od_h_webhooks_patch, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "DELETE", "/api/v1/webhooks/endpoints/:id", od_h_webhooks_delete, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "POST",   "/api/v1/webhooks/endpoints/:id/rotate-secret", od_h_webhooks_rotate, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "POST",   "/api/v1/webhooks/endpoints/:id/test", od_h_webhooks_test, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_endpoints" },
    { "GET",    "/api/v1/webhooks/deliveries", od_h_webhooks_deliveries, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_deliveries" },
    { "POST",   "/api/v1/webhooks/deliveries/:id/replay", od_h_webhooks_replay, VENDOR,
      OD_PERM_WEBHOOKS_MANAGE, "webhook_deliveries" },
    /* nginx's auth_request for the rate-limit keys; nginx never routes clients here. */
    { "GET",   "/internal/authz", od_h_authz, OD_ROUTE_PUBLIC, OD_PERM_NONE, NULL },
};

static const od_api_env *api_env;
static od_mcache *mcache;  /* this worker's memberships, at most OD_MCACHE_TTL_MS old */
static od_masterkeys *masterkeys;  /* this worker's master keys, or NULL */
static od_kms kms;         /* the local KMS over them */
static long replica_retry_at; /* after a replica failure: when to try it again (ms) */

#define OD_REPLICA_BACKOFF_MS 5000

void
od_api_init(const od_api_env *env)
{
    api_env = env;
}

void
od_api_worker_start(const od_config *cfg)
{
    char err[512], warn[256];

    mcache = od_mcache_create(256);
    if (od_masterkey_load(cfg->master_key_file, &masterkeys, err, sizeof(err), warn,
                          sizeof(warn)) != OD_OK) {
        od_log_warn("worker: master keys not loaded, webhook secrets unavailable: %s", err);
        masterkeys = NULL;
        return;
    }
    if (warn[0] != '\0')
        od_log_warn("worker: %s", warn);
    od_masterkey_kms(masterkeys, &kms);
}

void
od_api_worker_stop(void)
{
    od_mcache_destroy(mcache);
    mcache = NULL;
    od_masterkey_free(masterkeys);
    masterkeys = NULL;
}

const od_kms *
od_api_kms(void)
{
    return masterkeys != NULL ? &kms : NULL;
}

const od_api_env *
od_api_get_env(void)
{
    return api_env;
}

const od_route *
od_api_routes(size_t *n)
{
    *n = sizeof(routes) / sizeof(routes[0]);
    return routes;
}

/* The entry of an audit row for r's caller, vendor, address, user agent, request id
 * and break-glass justification (borrowed from r and the arguments). */
static od_audit_entry
entry_for(od_request *r, const char *action, const char *entity, const char *entity_id,
          const char *before_json, const char *after_json)
{
    const char *ua = od_req_env(r, "HTTP_USER_AGENT");

    return (od_audit_entry){
        .actor_user_id = r->user_id,
        .actor_role = r->role,
        .vendor_id = r->vendor_id,
        .action = action,
        .entity = entity,
        .entity_id = entity_id,
        .before_json = before_json,
        .after_json = after_json,
        .ip = od_req_env(r, "REMOTE_ADDR"),
        .user_agent = ua ? od_arena_strndup(r->arena, ua, strnlen(ua, 512)) : NULL,
        .request_id = r->request_id,
        .justification = r->break_glass ? r->justification : NULL,
    };
}

/* Logs a failed audit row once, by SQLSTATE; callers answer the failure. */
static void
audit_failed(od_request *r, const char *action, const char *entity, od_rc rc,
             const PGresult *res)
{
    od_log_error("request %s: audit row (%s %s) not written: %s SQLSTATE %s",
                 r->request_id ? r->request_id : "-", action, entity, od_rc_str(rc),
                 od_db_sqlstate(res));
}

/* Writes a change's audit row; on a failure *res is its result (or NULL). */
static od_rc
write_row(od_request *r, const char *action, const char *entity, const char *entity_id,
          const char *before_json, const char *after_json, PGresult **res)
{
    od_audit_entry e = entry_for(r, action, entity, entity_id, before_json, after_json);
    od_rc rc = od_audit_write(r->db, r->arena, &e, res);

    if (rc != OD_OK)
        audit_failed(r, action, entity, rc, *res);
    return rc;
}

od_rc
od_api_audit(od_request *r, const char *action, const char *entity, const char *entity_id,
             const char *before_json, const char *after_json)
{
    PGresult *res = NULL;

    return write_row(r, action, entity, entity_id, before_json, after_json, &res);
}

od_rc
od_api_audit_defer(od_request *r, const char *action, const char *entity,
                   const char *entity_id, const char *before_json, const char *after_json)
{
    od_audit_entry e = entry_for(r, action, entity, entity_id, before_json, after_json);
    od_rc rc = od_audit_defer(r->db, r->arena, &e);

    if (rc != OD_OK)
        audit_failed(r, action, entity, rc, NULL);
    return rc;
}

/* The bit of od_request.access_recorded for an access's action; 0 for none. A
 * request writes at most one row of each (a break-glass entry, then a read). */
static unsigned
access_bit(const char *action)
{
    static const char *const actions[] = { "read", "deny", "break_glass" };

    for (unsigned i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strcmp(action, actions[i]) == 0)
            return 1u << i;
    }
    return 0;
}

od_rc
od_api_audit_access(od_request *r, const char *action, const char *entity,
                    const char *entity_id)
{
    od_audit_entry e = entry_for(r, action, entity, entity_id, NULL, NULL);
    unsigned bit = access_bit(action);
    PGresult *res = NULL;
    od_rc rc;

    if ((r->access_recorded & bit) != 0)
        return OD_OK;
    if ((rc = od_audit_write_access(r->db, r->arena, &e, &res)) != OD_OK) {
        audit_failed(r, action, entity, rc, res);
        return rc;
    }
    /* Inside the request's transaction it goes with it, and again on a second run. */
    if (!od_db_in_transaction(r->db))
        r->access_recorded |= bit;
    return OD_OK;
}

od_rc
od_api_audit_access_defer(od_request *r, const char *action, const char *entity,
                          const char *entity_id)
{
    od_audit_entry e = entry_for(r, action, entity, entity_id, NULL, NULL);
    od_rc rc;

    if ((r->access_recorded & access_bit(action)) != 0)
        return OD_OK;
    if ((rc = od_audit_defer_access(r->db, r->arena, &e)) != OD_OK)
        audit_failed(r, action, entity, rc, NULL);
    return rc;
}

void
od_api_audit_access_sent(od_request *r, const char *action)
{
    /* Inside the request's transaction it goes with it, and again on a second run. */
    if (!od_db_in_transaction(r->db))
        r->access_recorded |= access_bit(action);
}

void
od_api_commit_with_next(od_request *r)
{
    if (r->in_transaction && r->idem == NULL)
        od_db_commit_with_next(r->db);
}

void
od_api_write_answer(od_request *r, int status, const char *action, const char *entity,
                    const char *collection, const char *id, const char *before,
                    const char *after)
{
    PGresult *res = NULL;
    od_rc rc;

    /* The row is the handler's last statement: the COMMIT goes with it, and a
     * failure of either is answered as its SQLSTATE says (a serialization failure
     * is a 503 to retry, a stale statement runs the request again). */
    od_api_commit_with_next(r);
    rc = write_row(r, action, entity, id, before, after, &res);
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return;
    }
    r->rows_written = 2;
    if (after == NULL) {
        od_resp_send(r, 204, "application/json", NULL, "", 0);
        return;
    }
    od_resp_send(r, status, "application/json", status == 201 ?
                 od_arena_printf(r->arena, "Location: %s/%s\r\n", collection, id) : NULL,
                 after, strlen(after));
}

const od_vocab *
od_api_vocab(od_request *r, unsigned kinds, const char *version)
{
    const od_vocab *v = NULL;
    PGresult *res = NULL;
    od_rc rc = od_vocabularies_get(r->db, r->arena, r->vendor_id, kinds, version, &v, &res);

    if (rc != OD_OK)
        od_api_db_fail(r, rc, res);
    return v;
}

od_date
od_api_today(void)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    return (od_date){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
}

const char *
od_api_id(od_request *r, const char *what)
{
    char id[37];

    if (!od_uuid_canonical(od_route_param(&r->match, "id"), id)) {
        od_resp_problem(r, 404, NULL, od_arena_printf(r->arena, "no such %s", what));
        return NULL;
    }
    return od_arena_strdup(r->arena, id);
}

bool
od_api_found(od_request *r, od_rc rc, PGresult *res, const char *what)
{
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    if (PQntuples(res) == 0) {
        od_resp_problem(r, 404, NULL, od_arena_printf(r->arena, "no such %s", what));
        return false;
    }
    return true;
}

void
od_api_send_doc(od_request *r, PGresult *res)
{
    const char *doc = PQgetvalue(res, 0, 0);

    r->rows_read++;
    od_resp_send(r, 200, "application/json",
                 od_arena_printf(r->arena, "ETag: %s\r\n", PQgetvalue(res, 0, 1)), doc,
                 strlen(doc));
}

/* Records a refusal by the permission check of a sensitive route, in a
 * transaction of its own (the request itself does nothing). */
static void
audit_denial(od_request *r)
{
    const char *id = r->match.nparams > 0 ? r->match.values[0] : NULL;

    if (od_context_begin(r->db, r->arena, r->user_id, r->vendor_id, false) != OD_OK)
        return;
    if (od_api_audit_access(r, "deny", r->match.route->entity, id) == OD_OK)
        od_context_end(r->db, true);
    else
        od_context_end(r->db, false);
}

/* Loads the caller's memberships into ms, from this worker's cache when fresh. */
static od_rc
load_memberships(od_request *r, const char *target, od_membership_set *ms, PGresult **res)
{
    od_rc rc = od_db_ready(r->db);

    if (rc != OD_OK || od_mcache_get(mcache, r->user_id, target, od_now_ms(), r->arena, ms))
        return rc;
    rc = od_context_memberships(r->db, r->arena, r->user_id, target, ms, res);
    if (rc == OD_OK)
        od_mcache_put(mcache, r->user_id, target, od_now_ms(), ms);
    return rc;
}

/* GET /internal/authz: who is calling, for nginx's rate-limit keys. Always 204:
 * X-Odyssey-User is the verified user id and X-Odyssey-Vendor the resolved vendor,
 * each empty when there is none (a bad token, an ambiguous or refused vendor); the
 * real answer to such a request comes from the API itself. */
void
od_h_authz(od_request *r)
{
    const char *xv = od_req_env(r, "HTTP_X_VENDOR_ID");
    char vendor[37];
    od_membership_set ms;
    od_tenancy t;
    PGresult *res = NULL;
    const char *user = "", *vid = "";
    bool has_xv = xv != NULL && od_uuid_canonical(xv, vendor);

    if (od_authn_check(r) == OD_JWT_OK) {
        user = r->user_id;
        if ((xv == NULL || *xv == '\0' || has_xv) &&
            load_memberships(r, has_xv ? vendor : NULL, &ms, &res) == OD_OK) {
            t = od_tenancy_resolve(&ms, has_xv ? vendor : NULL,
                                   od_req_env(r, "HTTP_X_BREAK_GLASS_JUSTIFICATION"), true);
            if (t.outcome == OD_TENANCY_OK)
                vid = t.vendor_id;
        }
    }
    od_resp_send(r, 204, "text/plain", od_arena_printf(r->arena, "X-Odyssey-User: %s\r\n"
                 "X-Odyssey-Vendor: %s\r\n", user, vid), "", 0);
}

/* Resolves who the caller is here and opens the request's transaction. Returns
 * false after answering when the request must stop. */
static bool
enter_scope(od_request *r, const od_route *route)
{
    const char *xv = od_req_env(r, "HTTP_X_VENDOR_ID");
    const char *just = od_req_env(r, "HTTP_X_BREAK_GLASS_JUSTIFICATION");
    const char *detail;
    char vendor[37];
    od_membership_set *ms = od_arena_alloc(r->arena, sizeof(*ms));
    od_tenancy t;
    PGresult *res = NULL;
    od_rc rc;
    od_perms need;
    int status;
    bool vendor_required;

    if (xv != NULL && *xv != '\0' && !od_uuid_canonical(xv, vendor)) {
        status = od_tenancy_refusal(OD_TENANCY_BAD_VENDOR_HEADER, &detail);
        od_resp_problem(r, status, NULL, detail);
        return false;
    }
    if (xv != NULL && *xv == '\0')
        xv = NULL;
    rc = ms != NULL ? load_memberships(r, xv ? vendor : NULL, ms, &res) : OD_ENOMEM;
    if (rc != OD_OK) {
        od_api_db_fail(r, rc, res);
        return false;
    }
    /* A platform route works without a vendor for a platform admin who is no
     * vendor's member (a member acts in its vendor; several: X-Vendor-Id). */
    vendor_required = (route->flags & OD_ROUTE_VENDOR) != 0 &&
                      !((route->flags & OD_ROUTE_PLATFORM) && ms->platform_admin && ms->n == 0);
    t = od_tenancy_resolve(ms, xv ? vendor : NULL, just, vendor_required);
    status = od_tenancy_refusal(t.outcome, &detail);
    if (status != 0) {
        od_resp_problem(r, status, NULL, detail);
        return false;
    }
    r->memberships = ms;
    r->vendor_id = t.vendor_id;
    r->vendor_name = t.vendor_name;
    r->role = od_rbac_role_name(t.role);
    r->perms = t.perms;
    r->break_glass = t.break_glass;
    r->justification = t.break_glass ? just : NULL;
    need = route->perm;
    if ((route->flags & OD_ROUTE_PLATFORM) && r->vendor_id == NULL)
        need = OD_PERM_GLOBAL_TAXONOMY;
    if (need != OD_PERM_NONE && (t.perms & need) == 0) {
        if (route->flags & OD_ROUTE_SENSITIVE)
            audit_denial(r);
        od_resp_problem(r, 403, NULL, od_arena_printf(r->arena, "your role (%s) does not "
                        "allow %s", r->role ? r->role : "none", od_rbac_perm_name(need)));
        return false;
    }
    /* Read-only routes go to the replica when it answers; break-glass access is
     * audited on the primary, so it stays there. */
    if ((route->flags & OD_ROUTE_REPLICA) && r->replica != NULL && !t.break_glass &&
        !r->replica_failed && od_now_ms() >= replica_retry_at) {
        if (od_db_ready(r->replica) == OD_OK) {
            r->primary = r->db;
            r->db = r->replica;
            r->on_replica = true;
        } else {
            replica_retry_at = od_now_ms() + OD_REPLICA_BACKOFF_MS;
        }
    }
    rc = od_context_begin(r->db, r->arena, r->user_id, r->vendor_id,
                          t.role == OD_ROLE_SUPERADMIN);
    if (rc == OD_OK && t.break_glass)
        rc = od_api_audit_access(r, "break_glass", "vendors", r->vendor_id);
    if (rc != OD_OK) {
        if (r->db != NULL)
            od_context_end(r->db, false);
        od_api_db_fail(r, rc, res);
        return false;
    }
    r->in_transaction = true;
    return true;
}

/* Commits what the handler did when it answered below 400, else rolls back. A
 * commit that fails turns the answer into a problem: nothing was kept. */
static void
leave_scope(od_request *r)
{
    bool commit = r->status > 0 && r->status < 400;
    od_rc rc;

    if (!r->in_transaction)
        return;
    r->in_transaction = false;
    rc = od_context_end(r->db, commit);
    if (commit && rc != OD_OK) {
        od_resp_reset(r);
        od_api_db_fail(r, rc, NULL);
    }
}

void
od_api_handle(od_request *r)
{
    char allow[128];
    char header[160];
    const od_route *route;

    switch (od_router_match(routes, sizeof(routes) / sizeof(routes[0]), r->method, r->path,
                            r->arena, &r->match, allow, sizeof(allow))) {
    case OD_ROUTE_NOT_FOUND:
        od_resp_problem(r, 404, NULL, "no such endpoint");
        return;
    case OD_ROUTE_METHOD_NOT_ALLOWED:
        snprintf(header, sizeof(header), "Allow: %s\r\n", allow);
        od_resp_problem_doc(r, od_problem_for(r, 405, NULL,
                                              od_arena_printf(r->arena, "%s is not allowed here",
                                                              r->method)),
                            header);
        return;
    case OD_ROUTE_FOUND:
        break;
    }
    route = r->match.route;
    if ((route->flags & OD_ROUTE_AUTH) && !od_authn(r))
        return;
    /* At most one run again for a stale statement and one on the primary after a
     * replica failure: three runs in all. */
    for (bool stale_rerun = false;;) {
        if ((route->flags & OD_ROUTE_AUTH) && !enter_scope(r, route))
            break;
        if (od_idem_begin(r))
            route->handler(r);
        if (r->status == 0) {
            od_log_error("handler for %s %s set no response", r->method, route->pattern);
            od_resp_problem(r, 500, NULL, "the server failed to answer");
        }
        od_idem_settle(r);
        leave_scope(r);
        if (r->on_replica && r->replica_failed) {
            /* The replica is down or not ready: the primary answers instead. */
            r->db = r->primary;
            r->on_replica = false;
            r->stale_statement = false;
            od_resp_reset(r);
            continue;
        }
        if (!r->stale_statement || stale_rerun)
            break;
        /* A migration invalidated a prepared statement inside the transaction,
         * which is lost; the statement is prepared afresh, so run once more. */
        stale_rerun = true;
        r->stale_statement = false;
        od_resp_reset(r);
    }
    if (r->status == 0)
        od_resp_problem(r, 500, NULL, "the server failed to answer");
    od_idem_end(r);
}

void
od_api_db_fail(od_request *r, od_rc rc, PGresult *res)
{
    const char *state;
    int status;

    state = od_db_sqlstate(res);
    /* The replica's own failures (gone, starting, shutting down, a conflict with
     * recovery), not a statement that is merely slow. */
    if (r->on_replica && !r->replica_failed &&
        (rc == OD_EUNAVAIL || (rc == OD_EDB && (strncmp(state, "08", 2) == 0 ||
                                                strncmp(state, "57P", 3) == 0 ||
                                                strcmp(state, "40001") == 0)))) {
        od_log_warn("request %s: the replica failed (%s SQLSTATE %s); the primary answers",
                    r->request_id ? r->request_id : "-", od_rc_str(rc), state);
        r->replica_failed = true;
        replica_retry_at = od_now_ms() + OD_REPLICA_BACKOFF_MS;
        od_resp_unavailable(r, NULL, "the replica is unavailable; retry");
        return;
    }
    if (rc == OD_EUNAVAIL) {
        od_resp_unavailable(r, OD_PT_DB_UNAVAILABLE, "the database is unreachable; retry later");
        return;
    }
    if (rc == OD_EDB && od_db_stale_statement(res) && !r->stale_statement) {
        /* od_api_handle runs the request again with the statement prepared afresh. */
        od_log_info("request %s: a prepared statement went stale (SQLSTATE %s); running "
                    "the request again", r->request_id ? r->request_id : "-", state);
        r->stale_statement = true;
        od_resp_unavailable(r, NULL, "the schema changed; retry");
        return;
    }
    status = rc == OD_EDB ? od_db_http_status(state) : 500;
    if (status == 503) {
        od_resp_unavailable(r, NULL, "the database is busy; retry later");
        return;
    }
    /* The log names the SQLSTATE and constraint, never values or SQL text. */
    od_log_error("request %s: %s failed: %s SQLSTATE %s constraint %s",
                 r->request_id ? r->request_id : "-",
                 r->match.route ? r->match.route->pattern : r->path, od_rc_str(rc), state,
                 res && PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)
                     ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : "-");
    if (status == 500) {
        od_resp_problem(r, 500, NULL, "the server failed to complete the request");
    } else if (status == 422) {
        /* A value the handler's checks let through but a constraint refused. */
        json_object *p = od_problem_for(r, 422, OD_PT_VALIDATION, "the database refused a value");

        if (p != NULL)
            od_problem_add_error(p, "#", "a value breaks a rule of the data model");
        od_resp_problem_doc(r, p, NULL);
    } else {
        od_resp_problem(r, status, status == 409 ? OD_PT_CONFLICT : NULL,
                        "the change conflicts with existing data");
    }
}
