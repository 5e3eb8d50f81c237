/* kind_test.c: test.sleep, a kind for the test suite only (ODYSSEY_QUEUE_TEST_KINDS=1):
 * its payload says how long it sleeps, how often it heart-beats and how it ends, so
 * the tests can hold a runner busy, lose a lease, cancel it running, and see each
 * outcome. Its backoff is in minutes: the tests move the daemon's clock instead. */

/* Payload: {"sleep_ms": 500 or [per attempt, the last repeating],
 *           "heartbeat_ms": 100 (0: never), "outcome": "done" | "retry" | "snooze" |
 *           "fatal" or [per attempt], "delay_ms": retry (0: the kind's backoff) or
 *           snooze wait, "error": "text kept in last_error"} */
#include "worker/kinds.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/json.h"

/* The member name of o for this attempt: a number or string, or the element
 * attempt-1 of an array of them (the last one when the array is shorter). */
static json_object *
per_attempt(json_object *o, const char *name, int attempt)
{
    json_object *v = od_json_member(o, name);
    size_t n;

    if (v == NULL || !json_object_is_type(v, json_type_array))
        return v;
    n = json_object_array_length(v);
    if (n == 0)
        return NULL;
    return json_object_array_get_idx(v, (size_t)attempt - 1 < n ? (size_t)attempt - 1 : n - 1);
}

static long
number_of(json_object *o, const char *name, int attempt, long def)
{
    double d;

    if (!od_json_number(per_attempt(o, name, attempt), &d) || d < 0 || d > 3600000)
        return def;
    return (long)d;
}

static void
nap(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

    /* a signal (SIGHUP, SIGTERM) interrupts the sleep; the caller loops */
    if (nanosleep(&ts, NULL) != 0 && errno != EINTR)
        return;
}

static od_job_result
sleep_run(od_job_ctx *ctx, const od_job *job)
{
    json_object *p = NULL;
    size_t off;
    const char *why, *outcome, *error;
    long sleep_ms, beat_ms, end, next_beat;
    od_job_result r = { .outcome = OD_JOB_DONE };

    if (od_json_parse(job->payload, strlen(job->payload), &p, &off, &why) != OD_OK)
        return (od_job_result){ .outcome = OD_JOB_FATAL, .error = "payload is not JSON" };
    od_json_own(ctx->arena, p);
    sleep_ms = number_of(p, "sleep_ms", job->attempt, 0);
    beat_ms = number_of(p, "heartbeat_ms", job->attempt, 0);
    end = od_now_ms() + sleep_ms;
    next_beat = beat_ms > 0 ? od_now_ms() + beat_ms : end + 1;
    for (long now = od_now_ms(); now < end; now = od_now_ms()) {
        if (now >= next_beat) {
            char *progress = od_arena_printf(ctx->arena, "{\"slept_ms\": %ld}",
                                             sleep_ms - (end - now));

            if (!ctx->heartbeat(ctx, job, progress))
                return (od_job_result){ .outcome = OD_JOB_CANCELED,
                                        .error = "stopped: cancel requested or lease lost" };
            next_beat = now + beat_ms;
        }
        nap((next_beat < end ? next_beat : end) - now);
    }
    outcome = od_json_string(per_attempt(p, "outcome", job->attempt));
    error = od_json_string(od_json_member(p, "error"));
    r.delay_ms = number_of(p, "delay_ms", job->attempt, 0);
    r.error = error ? od_arena_strdup(ctx->arena, error) : NULL;
    if (outcome == NULL || strcmp(outcome, "done") == 0)
        r = (od_job_result){ .outcome = OD_JOB_DONE, .progress = "{\"done\": true}" };
    else if (strcmp(outcome, "retry") == 0)
        r.outcome = OD_JOB_RETRY;
    else if (strcmp(outcome, "snooze") == 0)
        r.outcome = OD_JOB_SNOOZE;
    else
        r.outcome = OD_JOB_FATAL;
    return r;
}

const od_job_kind od_kind_test_sleep = {
    .name = "test.sleep",
    .run = sleep_run,
    .backoff_base_ms = 60000,      /* retry n: 2^(n-1) minutes, halved by jitter at most */
    .backoff_cap_ms = 21600000,
    .lease_sec = 0,
};
