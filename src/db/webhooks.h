/* webhooks.h: the SQL of the webhook API (vendor context): endpoints (whose secrets
 * live in the secrets table, referenced by secret_ref and, during a rotation,
 * previous_secret_ref), the deliveries listing, a replay and a test ping. Each
 * document is JSON text built by the database; no secret value ever passes here.
 * The daemon's side is db/deliveries.h. See docs/webhooks.md. */
#ifndef OD_DB_WEBHOOKS_H
#define OD_DB_WEBHOOKS_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"

/* The members of an endpoint as sent (text; NULL: not sent / keep). */
typedef struct od_endpoint_fields {
    const char *url;
    bool description_set;         /* description was sent (NULL then clears it) */
    const char *description;
    const char *events;           /* JSON array text of event types */
    const char *enabled;          /* "true" / "false" */
    const char *retries_max;      /* decimal */
    const char *tolerance_sec;    /* decimal */
} od_endpoint_fields;

/* Inserts endpoint id (a new uuid) of vendor_id with f (every member given) and the
 * secret row secret_ref. Column 0 of *res is the endpoint document. */
od_rc od_webhooks_insert(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                         const od_endpoint_fields *f, const char *secret_ref, PGresult **res);

/* A page of the vendor's endpoints by (created_at, id) after the keyset position
 * (NULLs: the first page): column 0 the document, 1 created_at text, 2 the id. */
od_rc od_webhooks_page(od_db *db, od_arena *a, const char *vendor_id, const char *after_created,
                       const char *after_id, int limit, PGresult **res);

/* The endpoint document in column 0 (no row: none). With lock, the row is locked
 * FOR UPDATE, column 1 says whether it is enabled and column 2 is its retries_max. */
od_rc od_webhooks_get(od_db *db, od_arena *a, const char *vendor_id, const char *id, bool lock,
                      PGresult **res);

/* Applies the members f sends (NULL keeps); enabling a disabled endpoint clears
 * its failure streak and reason. Column 0 is the new document (no row: none). */
od_rc od_webhooks_update(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                         const od_endpoint_fields *f, PGresult **res);

/* Makes new_ref the signing secret; the current one signs alongside until
 * overlap_sec from now (0: it is deleted at once); a previous secret still kept is
 * deleted. Column 0 is the new document (no row: none). */
od_rc od_webhooks_rotate(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                         const char *new_ref, int overlap_sec, PGresult **res);

/* Deletes the endpoint, its deliveries and its secrets. Column 0 is the document
 * it had (no row: none). */
od_rc od_webhooks_delete(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                         PGresult **res);

/* Queues a webhook.ping delivery to endpoint_id alone (a new event id) with a
 * webhook.deliver job of max_attempts. Column 0 is the delivery document. */
od_rc od_webhooks_ping(od_db *db, od_arena *a, const char *vendor_id, const char *endpoint_id,
                       int max_attempts, PGresult **res);

/* Filters of the deliveries listing; NULL members are not applied. */
typedef struct od_delivery_filter {
    const char *status;           /* pending, delivering, delivered, dead */
    const char *endpoint_id;
    const char *after_ts;         /* keyset: older than (after_ts, after_id) */
    const char *after_id;
    int limit;
} od_delivery_filter;

/* A page of the vendor's deliveries, newest first: column 0 the document, 1 the
 * created timestamp text, 2 the id. */
od_rc od_webhooks_deliveries(od_db *db, od_arena *a, const char *vendor_id,
                             const od_delivery_filter *f, PGresult **res);

/* Locks delivery id FOR UPDATE: column 0 its status, 1 whether its endpoint is
 * enabled, 2 the endpoint's retries_max, 3 the document (no row: none). */
od_rc od_webhooks_delivery_lock(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                                PGresult **res);

/* Queues delivery id again (same event_id and payload) with a new webhook.deliver
 * job of max_attempts: pending, attempts from 0. Column 0 is the document. */
od_rc od_webhooks_replay(od_db *db, od_arena *a, const char *vendor_id, const char *id,
                         int max_attempts, PGresult **res);

#endif
