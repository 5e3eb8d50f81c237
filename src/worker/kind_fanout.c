/* kind_fanout.c: events.fanout, one vendor's outbox into deliveries
 * (docs/webhooks.md, "Exactly once"). The outbox trigger enqueues it (one pending
 * job per vendor) under a shared lock of the vendor; this job first waits until
 * the holders of that lock have ended (the barrier), so every transaction whose
 * events it was enqueued for has committed, then publishes the unpublished events
 * in batches: each batch makes its deliveries and jobs and sets published_at in
 * one statement. Events
 * committed after the barrier enqueued a job of their own (a running job does not
 * hold the unique key). */
#include "worker/kinds.h"

#include <stdio.h>

#include "core/clock.h"
#include "db/context.h"
#include "db/deliveries.h"

#define FANOUT_BATCH 500       /* events per statement */
#define FANOUT_LEASE_SEC 60

static od_job_result
fanout_run(od_job_ctx *ctx, const od_job *job)
{
    long events = 0, deliveries = 0, ev, dl;
    long beat = od_now_ms();
    const char *progress = NULL;
    od_rc rc;

    if (job->vendor_id == NULL)
        return (od_job_result){ .outcome = OD_JOB_FATAL, .error = "events.fanout needs a vendor" };
    rc = od_deliveries_barrier(ctx->db, ctx->arena, job->vendor_id);
    if (rc != OD_OK)
        return (od_job_result){ .outcome = OD_JOB_RETRY, .error = od_arena_printf(ctx->arena,
                                "the outbox barrier failed: %s", od_rc_str(rc)) };
    do {
        od_context_begin(ctx->db, ctx->arena, NULL, job->vendor_id, false);
        rc = od_deliveries_fanout(ctx->db, ctx->arena, job->vendor_id, FANOUT_BATCH,
                                  od_job_clock(ctx->cfg), &ev, &dl);
        if (od_context_end(ctx->db, rc == OD_OK) != OD_OK && rc == OD_OK)
            rc = OD_EUNAVAIL;
        progress = od_arena_printf(ctx->arena, "{\"events\": %ld, \"deliveries\": %ld}",
                                   events, deliveries);
        if (rc != OD_OK)
            return (od_job_result){ .outcome = OD_JOB_RETRY, .progress = progress,
                                    .error = od_arena_printf(ctx->arena,
                                             "a fanout batch failed: %s", od_rc_str(rc)) };
        events += ev;
        deliveries += dl;
        progress = od_arena_printf(ctx->arena, "{\"events\": %ld, \"deliveries\": %ld}",
                                   events, deliveries);
        /* A big backlog (a 10,000-product upsert) takes several batches. */
        if (ev == FANOUT_BATCH && od_now_ms() - beat >= FANOUT_LEASE_SEC * 1000L / 3) {
            beat = od_now_ms();
            if (ctx->heartbeat != NULL && !ctx->heartbeat(ctx, job, progress))
                return (od_job_result){ .outcome = OD_JOB_CANCELED, .progress = progress };
        }
    } while (ev == FANOUT_BATCH);
    return (od_job_result){ .outcome = OD_JOB_DONE, .progress = progress };
}

const od_job_kind od_kind_events_fanout = {
    .name = "events.fanout",
    .run = fanout_run,
    .backoff_base_ms = 1000,
    .backoff_cap_ms = 60000,
    .lease_sec = FANOUT_LEASE_SEC,
};
