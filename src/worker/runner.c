/* runner.c: a job runner process. Each turn it claims a batch (fewer when its jobs
 * are slow), runs the jobs one after another, heart-beats every job it holds
 * (started or not) every third of the shortest lease, and records the outcomes in
 * batched, fenced statements. A runner never writes a job row any other way. */
#include "worker/runner.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/sigpipe.h"
#include "crypto/masterkey.h"
#include "db/db.h"
#include "db/queue.h"
#include "worker/job.h"
#include "worker/kinds.h"
#include "worker/webhook_http.h"

#define OD_RUNNER_MAX_BATCH     1000   /* the ODYSSEY_QUEUE_BATCH maximum */
#define OD_RUNNER_BATCH_MS      200    /* a batch should take about this long */
#define OD_RUNNER_HANDBACK_MS   1000   /* unstarted jobs go back after this long */
#define OD_RUNNER_FLUSH_MS      100    /* outcomes wait at most this for their batch */
#define OD_RUNNER_RELOOK_MS     200    /* a runner that just ran jobs and found no more
                                        * looks again this soon before it sleeps */
#define OD_RUNNER_BEAT_MIN_MS   1000   /* a kind's heartbeats reach the database at
                                        * most this often (progress aside) */

typedef enum phase { P_WAITING, P_RUNNING, P_DONE, P_RECORDED } phase;

/* One claimed job and what became of it. */
typedef struct held {
    od_job job;              /* strings borrowed from the claim's result */
    const od_job_kind *kind;
    int lease_sec;
    phase phase;
    bool lost;               /* a heartbeat found the lease gone */
    bool cancel;             /* a heartbeat saw a cancel request */
    const char *progress;    /* to store with the next heartbeat, or NULL */
    const char *outcome;     /* for od_queue_finish */
    const char *log_outcome; /* for the log line */
    long long run_at_ms;
    long delay_ms;
    const char *error;
    const char *result_progress;
    double duration_ms;
    long done_ms;            /* monotonic time the outcome was known */
} held;

typedef struct runner {
    od_config *cfg;          /* borrowed; reloaded in place on SIGHUP */
    char *const *envp;
    od_db *db;
    od_arena *batch;         /* the claimed batch and its outcomes */
    od_arena *run;           /* one job's run; reset after it */
    od_masterkeys *keys;     /* owned; NULL when the master key cannot be read */
    od_kms kms;
    int wake_fd;
    char name[96];           /* locked_by */
    od_queue_kind kinds[64]; /* what this runner claims, with caps and leases */
    size_t nkinds;
    held *h;                 /* the batch (batch arena) */
    size_t n;
    held *current;           /* the job being run, for ctx->heartbeat */
    long last_beat_ms;       /* monotonic */
    int beat_every_ms;       /* a third of the shortest lease held */
    double avg_ms;           /* moving average of a job's run time */
    unsigned short seed[3];  /* jitter */
    pid_t supervisor;        /* the parent at start */
    bool orphaned;           /* the supervisor is gone: stop */
    od_job_ctx ctx;
} runner;

static void
load_kinds(runner *r)
{
    size_t n = od_kinds_count(r->cfg);

    r->nkinds = 0;
    for (size_t i = 0; i < n && r->nkinds < sizeof(r->kinds) / sizeof(r->kinds[0]); i++) {
        const od_job_kind *k = od_kinds_at(r->cfg, i);

        r->kinds[r->nkinds++] = (od_queue_kind){
            .name = k->name,
            .cap = od_config_kind_cap(r->cfg, k->name),
            .lease_sec = od_kinds_lease(r->cfg, k),
        };
    }
}

static void
load_keys(runner *r)
{
    char err[512], warn[512];

    od_masterkey_free(r->keys);
    r->keys = NULL;
    if (od_masterkey_load(r->cfg->master_key_file, &r->keys, err, sizeof(err), warn,
                          sizeof(warn)) != OD_OK) {
        od_log_warn("runner: no master key (%s); kinds that need vendor secrets will fail",
                    err);
        r->ctx.kms = NULL;
        return;
    }
    od_masterkey_kms(r->keys, &r->kms);
    r->ctx.kms = &r->kms;
}

static void
reload(runner *r)
{
    od_config fresh;
    char err[512];

    if (od_config_load(&fresh, r->envp, err, sizeof(err)) != OD_OK) {
        od_log_error("runner: reload refused, keeping the running settings: %s", err);
        return;
    }
    od_config_free(r->cfg);
    *r->cfg = fresh;
    od_log_init("odyssey-worker", r->cfg->log_level);
    load_kinds(r);
    load_keys(r);
    od_log_debug("runner: settings reloaded");
}

static bool
stopping(void)
{
    return od_sig_pending(SIGTERM) || od_sig_pending(SIGINT);
}

/* Heart-beats every job of the batch not yet done (with progress for those that
 * have some) and marks the ones lost or asked to cancel. */
static void
heartbeat_all(runner *r)
{
    od_queue_hold hold[OD_RUNNER_MAX_BATCH];
    PGresult *res;
    size_t n = 0;
    od_rc rc;

    for (size_t i = 0; i < r->n; i++) {
        held *h = &r->h[i];

        if (h->phase >= P_DONE || h->lost)
            continue;
        hold[n++] = (od_queue_hold){ .id = h->job.id, .token = h->job.lock_token,
                                     .lease_sec = h->lease_sec, .progress = h->progress };
    }
    r->last_beat_ms = od_now_ms();
    if (n == 0)
        return;
    rc = od_queue_heartbeat(r->db, r->batch, od_job_clock_ms(r->cfg), hold, n, &res);
    if (rc != OD_OK) {
        /* The lease runs on; the next heartbeat tries again. */
        od_log_warn("runner: heartbeat failed (%s)", rc == OD_EDB ? od_db_sqlstate(res) :
                    "database unavailable");
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        held *h = &r->h[i];
        bool found = false;

        if (h->phase >= P_DONE || h->lost)
            continue;
        h->progress = NULL;
        for (int row = 0; row < PQntuples(res); row++) {
            if (strcmp(PQgetvalue(res, row, 0), h->job.id) == 0) {
                found = true;
                h->cancel = PQgetvalue(res, row, 1)[0] != 't';
                break;
            }
        }
        if (!found) {
            h->lost = true;
            od_log_warn("runner: job %s lost its lease", h->job.id);
        }
    }
}

/* ctx->heartbeat: stores progress and extends the leases; reaches the database at
 * most every OD_RUNNER_BEAT_MIN_MS unless there is progress to store. */
static bool
ctx_heartbeat(od_job_ctx *ctx, const od_job *job, const char *progress)
{
    runner *r = ctx->runner;
    held *h = r->current;
    long since = od_now_ms() - r->last_beat_ms;

    if (h == NULL || &h->job != job)
        return false;
    if (progress != NULL)
        h->progress = od_arena_strdup(r->batch, progress);
    if (progress != NULL || since >= OD_RUNNER_BEAT_MIN_MS || since >= r->beat_every_ms)
        heartbeat_all(r);
    return !h->lost && !h->cancel;
}

/* Records the outcomes known so far in one statement and logs a line per job. */
static void
flush(runner *r)
{
    od_queue_done done[OD_RUNNER_MAX_BATCH];
    size_t idx[OD_RUNNER_MAX_BATCH];
    PGresult *res = NULL;
    size_t n = 0;
    od_rc rc;

    for (size_t i = 0; i < r->n; i++) {
        held *h = &r->h[i];

        if (h->phase != P_DONE)
            continue;
        idx[n] = i;
        done[n++] = (od_queue_done){ .id = h->job.id, .token = h->job.lock_token,
                                     .outcome = h->outcome, .run_at_ms = h->run_at_ms,
                                     .error = h->error, .progress = h->result_progress };
    }
    if (n == 0)
        return;
    rc = od_queue_finish(r->db, r->batch, od_job_clock_ms(r->cfg), done, n, &res);
    if (rc != OD_OK)
        od_log_error("runner: outcomes of %zu jobs not recorded (%s); their leases will "
                     "expire and they run again", n,
                     rc == OD_EDB ? od_db_sqlstate(res) : "database unavailable");
    for (size_t k = 0; k < n; k++) {
        held *h = &r->h[idx[k]];
        bool recorded = false;

        for (int row = 0; rc == OD_OK && row < PQntuples(res) && !recorded; row++)
            recorded = strcmp(PQgetvalue(res, row, 0), h->job.id) == 0;
        od_log_job(&(od_log_job_attempt){
            .job_id = h->job.id, .kind = h->job.kind, .vendor_id = h->job.vendor_id,
            .attempt = h->job.attempt, .outcome = recorded ? h->log_outcome : "lost",
            .duration_ms = h->duration_ms, .delay_ms = recorded ? h->delay_ms : 0 });
        h->phase = P_RECORDED;
    }
}

/* Sets h's outcome from a kind's result. */
static void
settle(runner *r, held *h, od_job_result res)
{
    long long now = od_job_clock_ms(r->cfg);

    h->phase = P_DONE;
    h->done_ms = od_now_ms();
    h->error = res.error ? od_arena_strdup(r->batch, res.error) : NULL;
    h->result_progress = res.progress ? od_arena_strdup(r->batch, res.progress) : NULL;
    h->delay_ms = 0;
    h->run_at_ms = 0;
    switch (res.outcome) {
    case OD_JOB_DONE:
        h->outcome = h->log_outcome = "completed";
        break;
    case OD_JOB_RETRY:
        h->outcome = "retry";
        if (h->job.attempt >= h->job.max_attempts) {
            h->log_outcome = "dead";
            break;
        }
        h->log_outcome = "retry";
        h->delay_ms = res.delay_ms > 0 ? res.delay_ms :
                      od_job_backoff_ms(h->kind, h->job.attempt, erand48(r->seed));
        h->run_at_ms = now + h->delay_ms;
        break;
    case OD_JOB_SNOOZE:
        h->outcome = h->log_outcome = "snooze";
        h->delay_ms = res.delay_ms > 0 ? res.delay_ms : 0;
        h->run_at_ms = now + h->delay_ms;
        break;
    case OD_JOB_FATAL:
        h->outcome = h->log_outcome = "dead";
        break;
    case OD_JOB_CANCELED:
        h->outcome = h->log_outcome = "canceled";
        break;
    }
}

static void
run_one(runner *r, held *h)
{
    struct timespec start;
    od_job_result res;

    if (h->lost) {
        h->phase = P_RECORDED;  /* someone else owns it now: record nothing */
        od_log_job(&(od_log_job_attempt){ .job_id = h->job.id, .kind = h->job.kind,
                   .vendor_id = h->job.vendor_id, .attempt = h->job.attempt,
                   .outcome = "lost" });
        return;
    }
    if (h->cancel) {
        settle(r, h, (od_job_result){ .outcome = OD_JOB_CANCELED,
                                      .error = "canceled before it started" });
        return;
    }
    h->phase = P_RUNNING;
    r->current = h;
    r->ctx.now = od_job_clock(r->cfg);
    clock_gettime(CLOCK_MONOTONIC, &start);
    res = h->kind->run(&r->ctx, &h->job);
    h->duration_ms = od_elapsed_ms(&start);
    r->current = NULL;
    r->avg_ms = r->avg_ms * 0.8 + h->duration_ms * 0.2;
    settle(r, h, res);
    od_arena_reset(r->run);
}

/* How many jobs to claim: the configured batch while jobs are quick, fewer as
 * they get slower, so claimed jobs do not wait long behind each other. */
static int
batch_size(const runner *r)
{
    double n = r->avg_ms > 0.0 ? OD_RUNNER_BATCH_MS / r->avg_ms : r->cfg->queue_batch;
    int max = r->cfg->queue_batch < OD_RUNNER_MAX_BATCH ? r->cfg->queue_batch
                                                         : OD_RUNNER_MAX_BATCH;

    if (n < 1.0)
        return 1;
    return n > max ? max : (int)n;
}

/* Claims and runs one batch. Returns the number of jobs claimed, or -1 when the
 * database could not be asked. */
static int
turn(runner *r)
{
    PGresult *res;
    long started;
    int shortest = 0;
    od_rc rc;

    od_arena_reset(r->batch);
    r->n = 0;
    if (od_db_ready(r->db) != OD_OK)
        return -1;
    rc = od_queue_claim(r->db, r->batch, od_job_clock_ms(r->cfg), batch_size(r), r->name,
                        r->kinds, r->nkinds, &res);
    if (rc != OD_OK) {
        od_log_warn("runner: claim failed (%s)", rc == OD_EDB ? od_db_sqlstate(res) :
                    "database unavailable");
        return -1;
    }
    r->n = (size_t)PQntuples(res);
    if (r->n == 0)
        return 0;
    r->h = od_arena_alloc(r->batch, r->n * sizeof(held));
    if (r->h == NULL) {
        r->n = 0;
        return -1;
    }
    for (size_t i = 0; i < r->n; i++) {
        held *h = &r->h[i];
        int row = (int)i;

        memset(h, 0, sizeof(*h));
        h->job = (od_job){
            .id = PQgetvalue(res, row, 0),
            .kind = PQgetvalue(res, row, 1),
            .vendor_id = PQgetisnull(res, row, 2) ? NULL : PQgetvalue(res, row, 2),
            .payload = PQgetvalue(res, row, 3),
            .lock_token = PQgetvalue(res, row, 4),
            .attempt = (int)strtol(PQgetvalue(res, row, 5), NULL, 10),
            .max_attempts = (int)strtol(PQgetvalue(res, row, 6), NULL, 10),
        };
        h->kind = od_kinds_find(r->cfg, h->job.kind);
        h->lease_sec = h->kind ? od_kinds_lease(r->cfg, h->kind) : r->cfg->queue_lease;
        if (shortest == 0 || h->lease_sec < shortest)
            shortest = h->lease_sec;
    }
    r->beat_every_ms = shortest * 1000 / 3;
    r->last_beat_ms = od_now_ms();
    started = od_now_ms();
    for (size_t i = 0; i < r->n; i++) {
        held *h = &r->h[i];
        long now = od_now_ms();

        if (stopping() || (i > 0 && now - started > OD_RUNNER_HANDBACK_MS))
            break;
        if (now - r->last_beat_ms >= r->beat_every_ms)
            heartbeat_all(r);
        if (h->kind == NULL) {
            /* a reload dropped the kind between claim and run */
            settle(r, h, (od_job_result){ .outcome = OD_JOB_SNOOZE, .delay_ms = 60000,
                                          .error = "no runner for this kind" });
            continue;
        }
        run_one(r, h);
        for (size_t k = 0; k < i; k++) {
            if (r->h[k].phase == P_DONE && od_now_ms() - r->h[k].done_ms > OD_RUNNER_FLUSH_MS) {
                flush(r);
                break;
            }
        }
    }
    for (size_t i = 0; i < r->n; i++) {
        held *h = &r->h[i];

        if (h->phase == P_WAITING && !h->lost) {
            h->phase = P_DONE;
            h->outcome = "release";
            h->log_outcome = "released";
        }
    }
    flush(r);
    return (int)r->n;
}

/* Sleeps until a wake-up byte, a signal, or the polling interval (with up to a
 * fifth of it as jitter, so runners do not poll in step); briefly when the turn
 * before the empty one ran jobs. A claim skips the lanes another runner holds at
 * that moment (SKIP LOCKED): the runner that was draining a lane can find it
 * "empty" because a woken runner was looking at it, while that runner found
 * nothing for the same reason. Neither is woken again: the wake-up they shared is
 * spent, so one of them looks again at once rather than at the next poll. */
static void
idle(runner *r, bool ran)
{
    struct pollfd fds[2] = {
        { .fd = od_sig_fd(), .events = POLLIN },
        { .fd = r->wake_fd, .events = POLLIN },
    };
    int wait = ran && r->cfg->poll_interval > OD_RUNNER_RELOOK_MS ? OD_RUNNER_RELOOK_MS :
               r->cfg->poll_interval + (int)(erand48(r->seed) * r->cfg->poll_interval / 5);
    char drain[64];

    if (poll(fds, 2, wait) > 0 && (fds[1].revents & POLLIN)) {
        while (read(r->wake_fd, drain, sizeof(drain)) > 0)
            ;
    }
    /* The supervisor died (its end of the wake pipe closed, or this process was
     * handed to another parent): stop rather than claim on alone, or spin on the
     * hung-up pipe. Jobs in hand were finished by the turn; nothing is lost. */
    if ((fds[1].revents & (POLLHUP | POLLERR)) || getppid() != r->supervisor) {
        od_log_error("runner: the supervisor is gone; stopping");
        r->orphaned = true;
    }
    od_sig_drain();
}

int
od_runner_main(od_config *cfg, char *const *envp, int wake_fd, int index,
               const sigset_t *parent_mask)
{
    static runner r;  /* large (the batch's outcome arrays live on the stack) */
    char host[64] = "localhost";
    int code = 0;
    bool ran = false;  /* the last turn claimed jobs */

    od_sig_close();
    if (od_sig_open() != 0) {
        od_log_error("runner: cannot set up signals: %s", strerror(errno));
        return 1;
    }
    od_sig_catch(SIGTERM);
    od_sig_catch(SIGINT);
    od_sig_catch(SIGHUP);
    od_sig_ignore(SIGPIPE);
    od_sig_unblock(parent_mask);
    r.cfg = cfg;
    r.envp = envp;
    r.wake_fd = wake_fd;
    gethostname(host, sizeof(host) - 1);
    snprintf(r.name, sizeof(r.name), "%s:%ld/%d", host, (long)getpid(), index);
    r.seed[0] = (unsigned short)getpid();
    r.seed[1] = (unsigned short)time(NULL);
    r.seed[2] = (unsigned short)index;
    r.batch = od_arena_create(0);
    r.run = od_arena_create(0);
    r.db = od_db_open(cfg->database_url, "odyssey-worker-runner", cfg, true);
    if (r.batch == NULL || r.run == NULL || r.db == NULL) {
        od_log_error("runner: out of memory");
        code = 1;
        goto cleanup;
    }
    load_kinds(&r);
    load_keys(&r);
    r.ctx = (od_job_ctx){ .db = r.db, .arena = r.run, .cfg = cfg,
                          .kms = r.ctx.kms, .heartbeat = ctx_heartbeat, .runner = &r };
    od_log_debug("runner %d: started as %s", index, r.name);
    r.supervisor = getppid();
    while (!stopping() && !r.orphaned) {
        int got;

        if (od_sig_take(SIGHUP))
            reload(&r);
        got = turn(&r);
        if (got <= 0 && !stopping())
            idle(&r, ran);
        ran = got > 0;
    }
    od_log_debug("runner %d: stopping", index);
cleanup:
    od_webhook_http_close();
    od_db_close(r.db);
    od_arena_destroy(r.run);
    od_arena_destroy(r.batch);
    od_masterkey_free(r.keys);
    od_sig_close();
    return code;
}
