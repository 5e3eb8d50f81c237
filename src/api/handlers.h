/* handlers.h: the handlers of the route table, one file per resource. The contract
 * of every handler is the same: it runs inside the request's transaction (for
 * authenticated routes), borrows r, and always leaves a response set (JSON or a
 * problem); docs/openapi.yaml describes each route. */
#ifndef OD_HANDLERS_H
#define OD_HANDLERS_H

#include "http/request.h"

/* health.c */
void od_h_healthz(od_request *r);
void od_h_readyz(od_request *r);

/* vendor.c */
void od_h_vendor_get(od_request *r);
void od_h_vendor_patch(od_request *r);

/* members.c */
void od_h_members_list(od_request *r);
void od_h_members_add(od_request *r);
void od_h_members_link_put(od_request *r);
void od_h_members_link_delete(od_request *r);

/* audit.c */
void od_h_audit_list(od_request *r);

/* products.c: /api/v1/products[/:id] and /api/v1/search/products (docs/catalog.md) */
void od_h_products_list(od_request *r);
void od_h_products_upsert(od_request *r);
void od_h_products_get(od_request *r);
void od_h_products_patch(od_request *r);
void od_h_products_delete(od_request *r);
void od_h_products_search(od_request *r);

/* customers.c: /api/v1/customers[/:id] (docs/customers.md) */
void od_h_customers_list(od_request *r);
void od_h_customers_upsert(od_request *r);
void od_h_customers_get(od_request *r);
void od_h_customers_put(od_request *r);
void od_h_customers_patch(od_request *r);
void od_h_customers_delete(od_request *r);

/* taxonomy.c: /api/v1/taxonomy/:kind[/:id] */
void od_h_taxonomy_list(od_request *r);
void od_h_taxonomy_create(od_request *r);
void od_h_taxonomy_get(od_request *r);
void od_h_taxonomy_patch(od_request *r);
void od_h_taxonomy_delete(od_request *r);

/* synonyms.c: /api/v1/synonyms/:set[/:id] (set: header, value) */
void od_h_synonyms_list(od_request *r);
void od_h_synonyms_create(od_request *r);
void od_h_synonyms_get(od_request *r);
void od_h_synonyms_patch(od_request *r);
void od_h_synonyms_delete(od_request *r);

/* jobs.c: /api/v1/jobs/:id[/cancel] (docs/queue.md) */
void od_h_jobs_get(od_request *r);
void od_h_jobs_cancel(od_request *r);

/* consents.c: /api/v1/customers/:id/consents (docs/customers.md) */
void od_h_consents_list(od_request *r);
void od_h_consents_add(od_request *r);

/* customer_lists.c: /api/v1/customers/:id/whitelist and /blacklist[/:productId] */
void od_h_whitelist_list(od_request *r);
void od_h_whitelist_add(od_request *r);
void od_h_whitelist_remove(od_request *r);
void od_h_blacklist_list(od_request *r);
void od_h_blacklist_add(od_request *r);
void od_h_blacklist_remove(od_request *r);

/* health_profiles.c: /api/v1/customers/:id/health (docs/health.md) */
void od_h_health_get(od_request *r);
void od_h_health_put(od_request *r);
void od_h_health_patch(od_request *r);
/* diet_rules.c: /api/v1/diet-rules[/:conditionCode] (docs/diet-rules.md) */
void od_h_diet_rules_list(od_request *r);
void od_h_diet_rules_get(od_request *r);
void od_h_diet_rules_put(od_request *r);
void od_h_diet_rules_delete(od_request *r);

/* scoring_policy.c: /api/v1/scoring-policy (docs/diet-rules.md) */
void od_h_scoring_get(od_request *r);
void od_h_scoring_put(od_request *r);

/* webhooks.c: /api/v1/webhooks/endpoints[/:id[/rotate-secret|/test]] and
 * /api/v1/webhooks/deliveries[/:id/replay] (docs/webhooks.md) */
void od_h_webhooks_create(od_request *r);
void od_h_webhooks_list(od_request *r);
void od_h_webhooks_get(od_request *r);
void od_h_webhooks_patch(od_request *r);
void od_h_webhooks_delete(od_request *r);
void od_h_webhooks_rotate(od_request *r);
void od_h_webhooks_test(od_request *r);
void od_h_webhooks_deliveries(od_request *r);
void od_h_webhooks_replay(od_request *r);

/* routes.c: nginx's identity check for the rate-limit keys */
void od_h_authz(od_request *r);

/* me.c */
void od_h_me_get(od_request *r);
void od_h_me_patch(od_request *r);

#endif
