/* job.h: the contract between the queue daemon and a job kind. The daemon claims a
 * job, hands it to its kind's run function with a context, and records the result
 * it returns (fenced by the job's lock token). A kind never updates the jobs row
 * itself, so a runner that lost its lease cannot change anything by finishing. */
#ifndef OD_JOB_H
#define OD_JOB_H

#include <stdbool.h>
#include <time.h>

#include "core/arena.h"
#include "core/config.h"
#include "crypto/secrets.h"
#include "db/db.h"

typedef enum od_job_outcome {
    OD_JOB_DONE,      /* completed */
    OD_JOB_RETRY,     /* failed: available again after delay_ms (0: the kind's backoff),
                       * or dead when its attempts are spent */
    OD_JOB_SNOOZE,    /* not now (429, Retry-After): available again after delay_ms
                       * without spending an attempt */
    OD_JOB_FATAL,     /* failed for good (non-retryable): straight to dead */
    OD_JOB_CANCELED   /* saw a cancel request and stopped */
} od_job_outcome;

/* One claimed job. Strings are borrowed from the daemon's arena for the run. */
typedef struct od_job {
    const char *id;          /* jobs.id, decimal */
    const char *kind;
    const char *vendor_id;   /* NULL for a global job */
    const char *payload;     /* JSON object text */
    const char *lock_token;  /* the fencing token of this claim */
    int attempt;             /* 1 on the first run */
    int max_attempts;
} od_job;

typedef struct od_job_result {
    od_job_outcome outcome;
    long delay_ms;           /* RETRY: 0 = the kind's backoff; SNOOZE: required */
    const char *error;       /* kept in jobs.last_error (first 4 KB); arena or static */
    const char *progress;    /* JSON object text kept in jobs.progress, or NULL */
} od_job_result;

typedef struct od_job_ctx od_job_ctx;

struct od_job_ctx {
    od_db *db;               /* the runner's connection (system context), no
                              * transaction open; the kind opens and ends its own */
    od_arena *arena;         /* reset by the daemon after each job */
    const od_config *cfg;
    const od_kms *kms;       /* unwraps vendor secrets (webhook signing keys) */
    time_t now;              /* the daemon's clock at claim time (unix seconds);
                              * kinds use od_job_clock for a fresh reading */
    /* Extends the lease and stores progress (JSON object text or NULL). Returns
     * false when the lease is lost or a cancel was requested: the kind stops and
     * returns OD_JOB_CANCELED (or anything: the daemon records nothing for a lost
     * lease). */
    bool (*heartbeat)(od_job_ctx *ctx, const od_job *job, const char *progress);
    void *runner;            /* the daemon's state behind heartbeat */
};

/* The daemon's clock: CLOCK_REALTIME plus ODYSSEY_CLOCK_OFFSET seconds. Every
 * scheduling time (run_at, lease_until, X-Timestamp) comes from it, passed to SQL
 * as a parameter, so tests move time forward without sleeping. */
time_t od_job_clock(const od_config *cfg);

/* The same clock in milliseconds: the scheduling statements take it (a job
 * enqueued "now" by the database must be due for the daemon within the same
 * second, not the next one). */
long long od_job_clock_ms(const od_config *cfg);

typedef struct od_job_kind {
    const char *name;                  /* e.g. "webhook.deliver" */
    od_job_result (*run)(od_job_ctx *ctx, const od_job *job);
    long backoff_base_ms;              /* retry n waits min(cap, base * 2^(n-1)) with jitter */
    long backoff_cap_ms;
    int lease_sec;                     /* heartbeat every lease_sec / 3; 0: the
                                        * ODYSSEY_QUEUE_LEASE setting */
} od_job_kind;

/* The delay before retry number attempt (1 after the first failure) of kind k:
 * min(cap, base * 2^(attempt-1)) * (0.5 + r/2), with r from [0, 1) drawn by the
 * caller (the jitter). Pure. */
long od_job_backoff_ms(const od_job_kind *k, int attempt, double r);

#endif
