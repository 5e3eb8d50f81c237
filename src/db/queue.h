/* queue.h: the job queue's data access, the one module the API (enqueue, status,
 * cancel) and the daemon (claim, heartbeat, finish, rescue, housekeeping) share.
 * Every statement calls a function of sql/020_queue.sql; scheduling times are the
 * daemon's clock in milliseconds since the epoch (od_job_clock_ms), passed as
 * parameters, never the database's now(). See docs/queue.md. */
#ifndef OD_DB_QUEUE_H
#define OD_DB_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "db/db.h"

#define OD_QUEUE_PRIORITY_DEFAULT 100  /* lower runs first */
#define OD_QUEUE_ERROR_MAX        4096 /* bytes of an error kept in last_error */

/* A job to enqueue. Strings are borrowed. */
typedef struct od_queue_new {
    const char *kind;          /* e.g. "webhook.deliver" */
    const char *vendor_id;     /* NULL: a global job (no vendor cap) */
    const char *payload;       /* JSON object text; NULL: {} */
    long long run_at_ms;       /* when it becomes due; 0: now (the database's clock) */
    int priority;              /* lower runs first; 0: OD_QUEUE_PRIORITY_DEFAULT */
    int max_attempts;          /* 0: 25 */
    const char *unique_key;    /* NULL: none; else one pending job per kind, vendor, key */
} od_queue_new;

/* Enqueues j in the caller's transaction (or its own, outside one). *id is the new
 * job's id (arena-owned), or NULL when a pending job with the same unique_key
 * exists. Returns od_db_exec codes. */
od_rc od_queue_enqueue(od_db *db, od_arena *a, const od_queue_new *j, const char **id);

/* A kind the daemon claims, with its cap per vendor and lease. Borrowed. */
typedef struct od_queue_kind {
    const char *name;
    int cap;                   /* running jobs per vendor (global jobs: no cap) */
    int lease_sec;
} od_queue_kind;

/* Claims up to limit due jobs (run_at <= now_ms) of kinds[0..n) for worker (a name
 * kept in locked_by), least recently served lanes first, within each lane's cap.
 * *res (arena-owned) has one row per job: id, kind, vendor_id (NULL for a global
 * job), payload, lock_token, attempt, max_attempts. Returns od_db_exec codes. */
od_rc od_queue_claim(od_db *db, od_arena *a, long long now_ms, int limit, const char *worker,
                     const od_queue_kind *kinds, size_t n, PGresult **res);

/* One held job in a heartbeat. Borrowed. */
typedef struct od_queue_hold {
    const char *id;
    const char *token;         /* the claim's lock_token */
    int lease_sec;
    const char *progress;      /* JSON object text to store, or NULL to keep it */
} od_queue_hold;

/* Extends the leases of h[0..n) to now_ms + lease. *res (arena-owned) has a row
 * (id, go_on 't'/'f') per job whose lease is still held; go_on is false when a
 * cancel was requested. A job without a row was lost. */
od_rc od_queue_heartbeat(od_db *db, od_arena *a, long long now_ms, const od_queue_hold *h,
                         size_t n, PGresult **res);

/* The outcome of one attempt. Borrowed. */
typedef struct od_queue_done {
    const char *id;
    const char *token;
    const char *outcome;       /* completed, retry, snooze, dead, canceled, release */
    long long run_at_ms;       /* retry and snooze: when it is due again */
    const char *error;         /* kept in last_error (the first OD_QUEUE_ERROR_MAX bytes,
                                * made valid UTF-8), or NULL */
    const char *progress;      /* JSON object text, or NULL */
} od_queue_done;

/* Records d[0..n) in one statement, fenced by each lock_token and state running.
 * *res (arena-owned) has one row (the id) per job recorded; a job missing from it
 * was lost by this runner, and nothing changed. */
od_rc od_queue_finish(od_db *db, od_arena *a, long long now_ms, const od_queue_done *d,
                      size_t n, PGresult **res);

/* Returns expired leases (lease_until < now_ms) to available, dead or canceled, at
 * most limit; *rescued counts them and *requeued those available again. */
od_rc od_queue_rescue(od_db *db, od_arena *a, long long now_ms, int limit, long *rescued,
                      long *requeued);

/* Moves up to limit finished rows left in jobs (canceled while queued, superseded)
 * to jobs_archive; *moved counts them. */
od_rc od_queue_archive(od_db *db, od_arena *a, int limit, long *moved);

/* Deletes up to limit archived jobs and up to limit dead jobs that finished before
 * before_ms; *deleted counts them. */
od_rc od_queue_purge(od_db *db, od_arena *a, long long before_ms, int limit, long *deleted);

/* Enqueues the scheduled kinds due at now_ms (job_schedules, sql/022_retention.sql):
 * one pending job per kind; *queued counts the jobs enqueued. */
od_rc od_queue_schedule(od_db *db, od_arena *a, long long now_ms, long *queued);

/* The job id (decimal digits) as the caller may see it (RLS): *res (arena-owned)
 * has no row when there is none, else column 0 the job's document (docs/queue.md:
 * state, status, progress, attempt, max_attempts, timestamps, last_error) and
 * column 1 its kind. */
od_rc od_queue_get(od_db *db, od_arena *a, const char *id, PGresult **res);

/* Cancels job id: *state is "canceled" (it was queued), "cancel_requested" (it is
 * running), the state of a finished job (unchanged), or NULL when there is no such
 * job for the caller; arena-owned. */
od_rc od_queue_cancel(od_db *db, od_arena *a, const char *id, const char **state);

/* True when s is a job id: 1 to 18 decimal digits. Pure. */
bool od_queue_id_ok(const char *s);

/* Writes ms since the epoch as a timestamptz literal ("2024-01-02 03:04:05.678+00")
 * into out. Pure. */
void od_queue_timestamp(long long ms, char out[40]);

/* Returns an arena-owned copy of s cut to at most max bytes on a character
 * boundary, with invalid UTF-8 bytes and control characters other than tab and
 * newline replaced by '?'; NULL when s is NULL or out of memory. Pure. */
char *od_queue_clean_text(od_arena *a, const char *s, size_t max);

#endif
