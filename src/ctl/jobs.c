/* jobs.c: odysseyctl jobs list|show|retry|cancel|stats and odysseyctl dlq
 * list|replay: the queue seen and steered by an operator, as the owner role,
 * through the functions of sql/020_queue.sql (docs/queue.md). Changes are audited. */
#include "ctl/ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "db/queue.h"
#include "worker/job.h"

#define LIST_COLUMNS \
    "SELECT id, kind, coalesce(vendor_id::text, '-'), state, attempt || '/' || max_attempts, " \
    "to_char(run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
    "coalesce(left(regexp_replace(last_error, '\\s+', ' ', 'g'), 60), '') "
/* Filters shared by the lists: $1 state (NULL: any), $2 kind, $3 vendor, $4 limit. */
#define LIST_FILTER \
    "WHERE ($1::job_state IS NULL OR state = $1::job_state) AND ($2::text IS NULL OR kind = $2) " \
    "AND ($3::uuid IS NULL OR vendor_id = $3::uuid) "

static int
usage_jobs(int code)
{
    printf("usage: odysseyctl jobs list [--state S] [--kind K] [--vendor V] [--limit N]\n"
           "       odysseyctl jobs show ID\n"
           "       odysseyctl jobs retry ID\n"
           "       odysseyctl jobs cancel ID\n"
           "       odysseyctl jobs stats\n"
           "       odysseyctl jobs enqueue --kind K [--vendor V] [--payload JSON]\n"
           "                  [--delay SECONDS] [--key UNIQUE_KEY] [--max-attempts N]\n\n"
           "list: jobs, newest first (states: available, running, completed, dead,\n"
           "      canceled; finished ones come from the archive too).\n"
           "show: the job's document and payload.\n"
           "retry: a dead job runs again with its attempts reset; a job waiting for\n"
           "      its backoff runs now.\n"
           "cancel: a queued job is canceled; a running one is asked to stop.\n"
           "stats: jobs per kind and state, the age of the oldest due job, rescues,\n"
           "      dead tuples of the hot table.\n"
           "enqueue: a job (no --vendor: a global one), due now or after --delay on\n"
           "      the daemon's clock; prints its id, or says a pending job holds the key.\n");
    return code;
}

static int
usage_dlq(int code)
{
    printf("usage: odysseyctl dlq list [--kind K] [--vendor V] [--limit N]\n"
           "       odysseyctl dlq replay (ID... | --all [--kind K] [--vendor V])\n\n"
           "The dead-letter queue: jobs that failed for good. replay makes them\n"
           "available again with their attempts reset.\n");
    return code;
}

/* The daemon's clock as a timestamptz literal (the same ODYSSEY_CLOCK_OFFSET). */
static void
clock_now(const od_config *cfg, char ts[40])
{
    od_queue_timestamp(od_job_clock_ms(cfg), ts);
}

static void
print_rows(PGresult *res)
{
    for (int i = 0; i < PQntuples(res); i++) {
        for (int c = 0; c < PQnfields(res); c++)
            printf("%s%s", c ? "\t" : "", PQgetvalue(res, i, c));
        printf("\n");
    }
}

/* Lists jobs (dead_only: the DLQ) with the filters of argv. */
static int
list(PGconn *conn, int argc, char **argv, bool dead_only)
{
    const char *limit = od_ctl_opt(argc, argv, "--limit");
    const char *params[4] = {
        dead_only ? "dead" : od_ctl_opt(argc, argv, "--state"),
        od_ctl_opt(argc, argv, "--kind"), od_ctl_opt(argc, argv, "--vendor"),
        limit ? limit : "50",
    };
    PGresult *res = od_ctl_exec(conn,
        LIST_COLUMNS ", created_at FROM jobs " LIST_FILTER
        "UNION ALL " LIST_COLUMNS ", created_at FROM jobs_archive " LIST_FILTER
        "AND $1::job_state IS DISTINCT FROM 'available' "
        "AND $1::job_state IS DISTINCT FROM 'running' "
        "ORDER BY 8 DESC, 1 DESC LIMIT $4::int", 4, params);

    if (res == NULL)
        return 1;
    /* the sort key is not shown */
    for (int i = 0; i < PQntuples(res); i++) {
        for (int c = 0; c < 7; c++)
            printf("%s%s", c ? "\t" : "", PQgetvalue(res, i, c));
        printf("\n");
    }
    PQclear(res);
    return 0;
}

static int
show(PGconn *conn, const char *id)
{
    const char *params[1] = { id };
    PGresult *res = od_ctl_exec(conn,
        "SELECT jsonb_pretty(d || jsonb_build_object('payload', "
        "coalesce((SELECT payload FROM jobs WHERE id = $1::bigint), "
        "(SELECT payload FROM jobs_archive WHERE id = $1::bigint)))) "
        "FROM od_job_json($1::bigint) d WHERE d IS NOT NULL", 1, params);
    int code = 1;

    if (res == NULL)
        return 1;
    if (PQntuples(res) == 0) {
        fprintf(stderr, "odysseyctl: no job %s\n", id);
    } else {
        printf("%s\n", PQgetvalue(res, 0, 0));
        code = 0;
    }
    PQclear(res);
    return code;
}

/* Runs fn (od_job_retry or od_job_cancel) on job id and audits a change. Prints
 * the job's state afterwards. Returns the exit code. */
static int
steer(PGconn *conn, const od_config *cfg, const char *fn, const char *action, const char *id)
{
    char now[40], sql[160];
    const char *params[2] = { id, now };
    PGresult *res;
    const char *state;
    int code = 1;

    if (strcmp(action, "retry") == 0) {
        /* A delivery's job only carries out its delivery row: replaying the job of a
         * dead delivery would find nothing to send and "complete". */
        res = od_ctl_exec(conn, "SELECT 1 FROM jobs WHERE id = $1::bigint "
                          "AND kind = 'webhook.deliver'", 1, params);
        if (res == NULL)
            return 1;
        if (PQntuples(res) > 0) {
            fprintf(stderr, "odysseyctl: job %s delivers a webhook: replay its delivery "
                    "(POST /api/v1/webhooks/deliveries/:id/replay), not the job\n", id);
            PQclear(res);
            return 2;
        }
        PQclear(res);
    }
    clock_now(cfg, now);
    snprintf(sql, sizeof(sql), "SELECT %s($1::bigint, $2::timestamptz), "
             "(SELECT vendor_id FROM jobs WHERE id = $1::bigint)", fn);
    res = od_ctl_exec(conn, sql, 2, params);
    if (res == NULL)
        return 1;
    state = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
    if (state == NULL) {
        fprintf(stderr, "odysseyctl: no job %s\n", id);
    } else if ((strcmp(action, "retry") == 0 && strcmp(state, "available") == 0) ||
               (strcmp(action, "cancel") == 0 && (strcmp(state, "canceled") == 0 ||
                                                  strcmp(state, "cancel_requested") == 0))) {
        char after[96];

        snprintf(after, sizeof(after), "{\"state\": \"%s\"}", state);
        printf("job %s: %s\n", id, state);
        code = od_ctl_audit(conn, action, "jobs", id,
                            PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1), after)
               ? 0 : 1;
    } else {
        fprintf(stderr, "odysseyctl: job %s is %s: nothing to %s\n", id, state, action);
        code = 2;
    }
    PQclear(res);
    return code;
}

static int
stats(PGconn *conn)
{
    PGresult *res = od_ctl_exec(conn,
        "SELECT kind, state, count(*), sum(rescues) FROM jobs GROUP BY 1, 2 "
        "UNION ALL SELECT kind, state, count(*), sum(rescues) FROM jobs_archive "
        "GROUP BY 1, 2 ORDER BY 1, 2", 0, NULL);

    if (res == NULL)
        return 1;
    printf("kind\tstate\tjobs\trescues\n");
    print_rows(res);
    PQclear(res);
    res = od_ctl_exec(conn,
        "SELECT coalesce(extract(epoch FROM now() - min(run_at))::bigint, 0), "
        "(SELECT coalesce(n_dead_tup, 0) FROM pg_stat_user_tables WHERE relname = 'jobs') "
        "FROM jobs WHERE state = 'available' AND run_at <= now()", 0, NULL);
    if (res == NULL)
        return 1;
    printf("oldest due job waits: %s s\nhot table dead tuples: %s\n", PQgetvalue(res, 0, 0),
           PQgetvalue(res, 0, 1));
    PQclear(res);
    return 0;
}

/* Parses the decimal option name of argv into *out (absent: def). Returns false after
 * printing why when it is not an integer from min to max. */
static bool
int_opt(int argc, char **argv, const char *name, long def, long min, long max, long *out)
{
    const char *v = od_ctl_opt(argc, argv, name);
    char *end;

    *out = def;
    if (v == NULL)
        return true;
    *out = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || *out < min || *out > max) {
        fprintf(stderr, "odysseyctl: %s: expected an integer from %ld to %ld\n", name, min,
                max);
        return false;
    }
    return true;
}

/* Enqueues through the queue module (the same path as the API), as the owner. */
static int
enqueue(const od_config *cfg, int argc, char **argv)
{
    od_queue_new j = { .kind = od_ctl_opt(argc, argv, "--kind"),
                       .vendor_id = od_ctl_opt(argc, argv, "--vendor"),
                       .payload = od_ctl_opt(argc, argv, "--payload"),
                       .unique_key = od_ctl_opt(argc, argv, "--key") };
    long delay, attempts;
    od_arena *a;
    od_db *db;
    const char *id;
    od_rc rc;
    int code = 1;

    if (j.kind == NULL) {
        fprintf(stderr, "odysseyctl: jobs enqueue needs --kind\n");
        return 2;
    }
    if (!int_opt(argc, argv, "--delay", 0, 0, 315360000L, &delay) ||
        !int_opt(argc, argv, "--max-attempts", 25, 1, 1000, &attempts))
        return 2;
    j.max_attempts = (int)attempts;
    if (delay > 0)
        j.run_at_ms = od_job_clock_ms(cfg) + delay * 1000LL;
    a = od_arena_create(0);
    db = od_db_open(cfg->admin_database_url, "odysseyctl", cfg, false);
    if (a == NULL || db == NULL || od_db_ready(db) != OD_OK) {
        fprintf(stderr, "odysseyctl: cannot connect to ODYSSEY_ADMIN_DATABASE_URL\n");
        goto done;
    }
    rc = od_queue_enqueue(db, a, &j, &id);
    if (rc != OD_OK) {
        fprintf(stderr, "odysseyctl: enqueue failed (%s)\n",
                rc == OD_EDB ? "the database refused it: check kind, vendor and payload" :
                "database unavailable");
    } else if (id == NULL) {
        printf("a pending %s job holds the key \"%s\": nothing enqueued\n", j.kind,
               j.unique_key);
        code = 0;
    } else {
        printf("%s\n", id);
        code = 0;
    }
done:
    od_db_close(db);
    od_arena_destroy(a);
    return code;
}

int
od_ctl_jobs(const od_config *cfg, int argc, char **argv)
{
    PGconn *conn;
    const char *sub = argc > 1 ? argv[1] : "";
    bool needs_id = strcmp(sub, "show") == 0 || strcmp(sub, "retry") == 0 ||
                    strcmp(sub, "cancel") == 0;
    int code;

    if (od_ctl_wants_help(argc, argv))
        return usage_jobs(0);
    if (strcmp(sub, "enqueue") == 0)
        return enqueue(cfg, argc - 1, argv + 1);
    if (strcmp(sub, "list") != 0 && strcmp(sub, "stats") != 0 && !needs_id)
        return usage_jobs(2);
    if (needs_id && (argc < 3 || !od_queue_id_ok(argv[2]))) {
        fprintf(stderr, "odysseyctl: jobs %s needs a job id (digits)\n", sub);
        return 2;
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    if (strcmp(sub, "list") == 0)
        code = list(conn, argc - 1, argv + 1, false);
    else if (strcmp(sub, "stats") == 0)
        code = stats(conn);
    else if (strcmp(sub, "show") == 0)
        code = show(conn, argv[2]);
    else if (strcmp(sub, "retry") == 0)
        code = steer(conn, cfg, "od_job_retry", "retry", argv[2]);
    else
        code = steer(conn, cfg, "od_job_cancel", "cancel", argv[2]);
    PQfinish(conn);
    return code;
}

/* Replays the dead jobs chosen by the filters of argv (--all). */
static int
replay_all(PGconn *conn, const od_config *cfg, int argc, char **argv)
{
    char now[40];
    const char *params[3] = { od_ctl_opt(argc, argv, "--kind"),
                              od_ctl_opt(argc, argv, "--vendor"), now };
    PGresult *res;
    long n = 0, skipped = 0;
    int code = 0;

    clock_now(cfg, now);
    res = od_ctl_exec(conn,
        "SELECT id, od_job_retry(id, $3::timestamptz), vendor_id FROM jobs "
        "WHERE state = 'dead' AND ($1::text IS NULL OR kind = $1) "
        "AND ($2::uuid IS NULL OR vendor_id = $2::uuid) ORDER BY id", 3, params);
    if (res == NULL)
        return 1;
    for (int i = 0; i < PQntuples(res); i++) {
        if (strcmp(PQgetvalue(res, i, 1), "available") != 0) {
            skipped++;
            continue;
        }
        n++;
        if (!od_ctl_audit(conn, "replay", "jobs", PQgetvalue(res, i, 0),
                          PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2), NULL))
            code = 1;
    }
    printf("replayed %ld dead jobs", n);
    if (skipped > 0)
        printf(" (%ld left dead: a pending job holds their unique key)", skipped);
    printf("\n");
    PQclear(res);
    return code;
}

int
od_ctl_dlq(const od_config *cfg, int argc, char **argv)
{
    PGconn *conn;
    const char *sub = argc > 1 ? argv[1] : "";
    bool all = false;
    int code = 0;

    if (od_ctl_wants_help(argc, argv))
        return usage_dlq(0);
    if (strcmp(sub, "list") != 0 && strcmp(sub, "replay") != 0)
        return usage_dlq(2);
    for (int i = 2; i < argc; i++)
        all = all || strcmp(argv[i], "--all") == 0;
    if (strcmp(sub, "replay") == 0 && !all) {
        if (argc < 3)
            return usage_dlq(2);
        for (int i = 2; i < argc; i++) {
            if (!od_queue_id_ok(argv[i])) {
                fprintf(stderr, "odysseyctl: not a job id: %s\n", argv[i]);
                return 2;
            }
        }
    }
    conn = od_ctl_connect_admin(cfg);
    if (conn == NULL)
        return 1;
    if (strcmp(sub, "list") == 0)
        code = list(conn, argc - 1, argv + 1, true);
    else if (all)
        code = replay_all(conn, cfg, argc - 1, argv + 1);
    else
        for (int i = 2; i < argc; i++) {
            int c = steer(conn, cfg, "od_job_retry", "retry", argv[i]);

            code = c > code ? c : code;
        }
    PQfinish(conn);
    return code;
}
