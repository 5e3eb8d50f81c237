/* deliveries.h: the daemon's SQL for webhooks (docs/webhooks.md): the fanout of the
 * events outbox into deliveries and their webhook.deliver jobs, and the two steps
 * of one delivery attempt (take it, record what happened). Each statement is
 * fenced by the job's lock token, so a runner that lost its lease changes nothing.
 * The caller opens the vendor's context (db/context.h) around each call except
 * od_deliveries_barrier; times are the daemon's clock in unix seconds. */
#ifndef OD_DB_DELIVERIES_H
#define OD_DB_DELIVERIES_H

#include <stdbool.h>
#include <time.h>

#include "core/arena.h"
#include "crypto/secrets.h"
#include "db/db.h"

/* Waits until every transaction of vendor_id that held the outbox trigger's lock
 * when it looked has ended (it watches pg_locks; it never queues for the lock),
 * then returns: the events they wrote are visible to the next statement. Runs on
 * its own (no transaction). */
od_rc od_deliveries_barrier(od_db *db, od_arena *a, const char *vendor_id);

/* Publishes up to limit unpublished events of vendor_id (oldest first, skipping
 * rows another fanout holds): one delivery and one webhook.deliver job per enabled
 * endpoint subscribed to the event's type, published_at set, all in the caller's
 * transaction. *events and *deliveries count what it did. */
od_rc od_deliveries_fanout(od_db *db, od_arena *a, const char *vendor_id, int limit,
                           time_t now, long *events, long *deliveries);

/* One delivery taken for an attempt. Strings are arena-owned. */
typedef struct od_delivery {
    const char *event_id;
    const char *event_type;
    const char *body;            /* the raw JSON sent, the same on every attempt */
    const char *endpoint_id;
    const char *url;
    bool enabled;
    int retries_max;
    od_envelope secret;          /* the signing secret, sealed */
    bool has_previous;           /* a rotated-out secret still signs */
    od_envelope previous;
} od_delivery;

/* Marks delivery_id as being delivered by job (job_id, lock_token) in its attempt
 * and loads it into *out, if the job is still the delivery's: made for its current
 * replay count (replays). Returns OD_OK, OD_ENOTFOUND (deleted with its endpoint,
 * delivered already, replayed since the job was made, or the lease is lost:
 * nothing to do), OD_EINVAL (a stored secret of impossible shape) or od_db_exec
 * codes. */
od_rc od_deliveries_take(od_db *db, od_arena *a, const char *vendor_id,
                         const char *delivery_id, int replays, const char *job_id,
                         const char *lock_token, int attempt, time_t now, od_delivery *out);

/* How an attempt ended, for od_deliveries_record. */
typedef enum od_attempt_end {
    OD_ATTEMPT_OK,        /* 2xx */
    OD_ATTEMPT_FAILED,    /* any other answer or none */
    OD_ATTEMPT_GONE,      /* 410: the endpoint is disabled at once */
    OD_ATTEMPT_SKIPPED    /* not attempted (endpoint disabled): no streak change */
} od_attempt_end;

/* What to record on the delivery row. */
typedef struct od_attempt {
    od_attempt_end end;
    const char *status;          /* delivered, pending (a retry or snooze), dead */
    int attempt;                 /* the attempts spent so far */
    const char *last_error;      /* NULL clears */
    int response_status;         /* 0: none */
    const char *signature;       /* X-Signature sent, or NULL */
    long long now_ms;            /* the daemon's clock, milliseconds */
    time_t next_attempt_at;      /* for pending (unix seconds); 0: unchanged */
    int disable_after;           /* seconds of failing before the endpoint is disabled */
} od_attempt;

/* Records the attempt on the delivery (fenced by the job's token) and on its
 * endpoint: a success ends its failure streak; a failure starts one or, past
 * disable_after (or on 410), disables the endpoint with a
 * webhook.endpoint_disabled audit row. *disabled says whether this attempt
 * disabled it. Returns OD_OK, OD_ENOTFOUND (the lease is lost, or the row gone)
 * or od_db_exec codes. */
od_rc od_deliveries_record(od_db *db, od_arena *a, const char *vendor_id,
                           const char *delivery_id, const char *job_id, const char *lock_token,
                           const od_attempt *at, bool *disabled);

#endif
