/* kind_sweep.c: events.sweep, scheduled every minute (job_schedules): a vendor
 * with an event still unpublished a minute after it occurred gets an events.fanout
 * job again, so an outbox whose fanout job went dead (or was never enqueued) heals
 * by itself instead of waiting for the vendor's next event. */
#include "worker/kinds.h"

#include "db/retention.h"

static od_job_result
sweep_run(od_job_ctx *ctx, const od_job *job)
{
    long queued = 0;

    (void)job;
    if (od_events_sweep(ctx->db, ctx->arena, ctx->now, &queued) != OD_OK)
        return (od_job_result){ .outcome = OD_JOB_RETRY, .error = "the outbox sweep failed" };
    return (od_job_result){
        .outcome = OD_JOB_DONE,
        .progress = od_arena_printf(ctx->arena, "{\"fanouts_enqueued\": %ld}", queued) };
}

const od_job_kind od_kind_events_sweep = {
    .name = "events.sweep",
    .run = sweep_run,
    .backoff_base_ms = 5000,
    .backoff_cap_ms = 60000,
    .lease_sec = 60,
};
