/* queue.c: the job queue's statements (sql/020_queue.sql). Batches travel as
 * PostgreSQL array literals built here, one parameter per column. */
#include "db/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"

#define OD_QUEUE_LITERAL_MAX (16 * 1024 * 1024)  /* bytes of one array parameter */

static od_stmt st_enqueue = OD_STMT("queue_enqueue",
    "SELECT od_job_enqueue($1, $2::uuid, coalesce($3, '{}')::jsonb, $4::timestamptz, "
    "$5::smallint, $6::int, $7)", 7, false);
static od_stmt st_claim = OD_STMT("queue_claim",
    "SELECT id, kind, vendor_id, payload, lock_token, attempt, max_attempts "
    "FROM od_job_claim($1::timestamptz, $2::int, $3, $4::text[], $5::int[], $6::int[])",
    6, false);
static od_stmt st_heartbeat = OD_STMT("queue_heartbeat",
    "SELECT id, go_on FROM od_job_heartbeat($1::timestamptz, $2::bigint[], $3::uuid[], "
    "$4::int[], $5::jsonb[])", 5, true);
static od_stmt st_finish = OD_STMT("queue_finish",
    "SELECT od_job_finish FROM od_job_finish($1::timestamptz, $2::bigint[], $3::uuid[], "
    "$4::text[], $5::timestamptz[], $6::text[], $7::jsonb[])", 7, true);
static od_stmt st_rescue = OD_STMT("queue_rescue",
    "SELECT rescued, requeued FROM od_job_rescue($1::timestamptz, $2::int)", 2, true);
static od_stmt st_archive = OD_STMT("queue_archive",
    "SELECT od_job_archive($1::int)", 1, true);
static od_stmt st_purge = OD_STMT("queue_purge",
    "SELECT od_job_purge($1::timestamptz, $2::int)", 2, true);
static od_stmt st_schedule = OD_STMT("queue_schedule",
    "SELECT od_jobs_schedule($1::timestamptz)", 1, false);
static od_stmt st_get = OD_STMT("queue_get",
    "SELECT d, d ->> 'kind' FROM od_job_json($1::bigint) d WHERE d IS NOT NULL", 1, true);
static od_stmt st_cancel = OD_STMT("queue_cancel",
    "SELECT od_job_cancel($1::bigint, NULL)", 1, false);

bool
od_queue_id_ok(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return false;
    for (; s[n] != '\0'; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 18)
            return false;
    }
    return n > 0;
}

void
od_queue_timestamp(long long ms, char out[40])
{
    time_t sec = (time_t)(ms / 1000);
    long frac = (long)(ms % 1000);
    struct tm tm;
    char day[32];

    if (frac < 0) {
        frac += 1000;
        sec -= 1;
    }
    gmtime_r(&sec, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, 40, "%s.%03ld+00", day, frac);
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when s does not start
 * one. */
static size_t
utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF */
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return n;
}

char *
od_queue_clean_text(od_arena *a, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len, o = 0;
    char *out;

    if (s == NULL)
        return NULL;
    len = strlen(s);
    out = od_arena_alloc(a, (len < max ? len : max) + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(p + i);

        if (n == 0 || (n == 1 && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') ||
            p[i] == 0x7F) {
            if (o + 1 > max)
                break;
            out[o++] = '?';
            i++;
            continue;
        }
        if (o + n > max)
            break;
        memcpy(out + o, p + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    return out;
}

/* Appends one element of an array literal: NULL bare, anything else quoted with
 * its quotes and backslashes escaped. */
static void
literal_item(od_buf *b, const char *v, bool first)
{
    if (!first)
        od_buf_puts(b, ",");
    if (v == NULL) {
        od_buf_puts(b, "NULL");
        return;
    }
    od_buf_puts(b, "\"");
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            od_buf_append(b, "\\", 1);
        od_buf_append(b, p, 1);
    }
    od_buf_puts(b, "\"");
}

/* An array literal under construction, one per column of a batch. */
typedef struct literal {
    od_buf b;
    size_t n;  /* elements so far */
} literal;

static void
literal_begin(literal *l)
{
    od_buf_init(&l->b, OD_QUEUE_LITERAL_MAX);
    od_buf_puts(&l->b, "{");
    l->n = 0;
}

static void
literal_add(literal *l, const char *v)
{
    literal_item(&l->b, v, l->n++ == 0);
}

static void
literal_add_int(literal *l, long long v)
{
    char num[24];

    snprintf(num, sizeof(num), "%lld", v);
    literal_add(l, num);
}

static void
literal_add_time(literal *l, long long ms)
{
    char ts[40];

    od_queue_timestamp(ms, ts);
    literal_add(l, ts);
}

/* Ends l: returns the literal (arena-owned), or NULL when it failed (too big, no
 * memory). Frees the buffer either way. */
static const char *
literal_end(literal *l, od_arena *a)
{
    char *out = NULL;

    if (od_buf_puts(&l->b, "}") == OD_OK)
        out = od_arena_strdup(a, od_buf_str(&l->b));
    od_buf_free(&l->b);
    return out;
}

/* Ends the literals l[0..n) into params[first..first+n). Returns OD_OK or
 * OD_ENOMEM. */
static od_rc
literals_end(literal *l, size_t n, od_arena *a, const char **params)
{
    od_rc rc = OD_OK;

    for (size_t i = 0; i < n; i++) {
        params[i] = literal_end(&l[i], a);
        if (params[i] == NULL)
            rc = OD_ENOMEM;
    }
    return rc;
}

/* Runs a statement whose first row's columns are integers into out[0..n). */
static od_rc
exec_counts(od_db *db, od_arena *a, od_stmt *st, const char *const *params, long *out,
            int n)
{
    PGresult *res;
    od_rc rc = od_db_exec(db, a, st, params, &res);

    if (rc != OD_OK)
        return rc;
    for (int i = 0; i < n; i++)
        out[i] = PQntuples(res) > 0 ? strtol(PQgetvalue(res, 0, i), NULL, 10) : 0;
    return OD_OK;
}

od_rc
od_queue_enqueue(od_db *db, od_arena *a, const od_queue_new *j, const char **id)
{
    char run_at[40], priority[16], attempts[16];
    const char *params[7];
    PGresult *res;
    od_rc rc;

    *id = NULL;
    snprintf(priority, sizeof(priority), "%d",
             j->priority > 0 ? j->priority : OD_QUEUE_PRIORITY_DEFAULT);
    snprintf(attempts, sizeof(attempts), "%d", j->max_attempts > 0 ? j->max_attempts : 25);
    if (j->run_at_ms > 0)
        od_queue_timestamp(j->run_at_ms, run_at);
    params[0] = j->kind;
    params[1] = j->vendor_id;
    params[2] = j->payload;
    params[3] = j->run_at_ms > 0 ? run_at : NULL;
    params[4] = priority;
    params[5] = attempts;
    params[6] = j->unique_key;
    rc = od_db_exec(db, a, &st_enqueue, params, &res);
    if (rc == OD_OK && !PQgetisnull(res, 0, 0))
        *id = PQgetvalue(res, 0, 0);
    return rc;
}

od_rc
od_queue_claim(od_db *db, od_arena *a, long long now_ms, int limit, const char *worker,
               const od_queue_kind *kinds, size_t n, PGresult **res)
{
    char now[40], lim[16];
    const char *params[6];
    literal l[3];

    *res = NULL;
    od_queue_timestamp(now_ms, now);
    snprintf(lim, sizeof(lim), "%d", limit);
    for (int c = 0; c < 3; c++)
        literal_begin(&l[c]);
    for (size_t i = 0; i < n; i++) {
        literal_add(&l[0], kinds[i].name);
        literal_add_int(&l[1], kinds[i].cap);
        literal_add_int(&l[2], kinds[i].lease_sec);
    }
    params[0] = now;
    params[1] = lim;
    params[2] = worker;
    if (literals_end(l, 3, a, params + 3) != OD_OK)
        return OD_ENOMEM;
    return od_db_exec(db, a, &st_claim, params, res);
}

od_rc
od_queue_heartbeat(od_db *db, od_arena *a, long long now_ms, const od_queue_hold *h,
                   size_t n, PGresult **res)
{
    char now[40];
    const char *params[5];
    literal l[4];

    *res = NULL;
    od_queue_timestamp(now_ms, now);
    for (int c = 0; c < 4; c++)
        literal_begin(&l[c]);
    for (size_t i = 0; i < n; i++) {
        literal_add(&l[0], h[i].id);
        literal_add(&l[1], h[i].token);
        literal_add_int(&l[2], h[i].lease_sec);
        literal_add(&l[3], h[i].progress);
    }
    params[0] = now;
    if (literals_end(l, 4, a, params + 1) != OD_OK)
        return OD_ENOMEM;
    return od_db_exec(db, a, &st_heartbeat, params, res);
}

od_rc
od_queue_finish(od_db *db, od_arena *a, long long now_ms, const od_queue_done *d, size_t n,
                PGresult **res)
{
    char now[40];
    const char *params[7];
    literal l[6];

    *res = NULL;
    od_queue_timestamp(now_ms, now);
    for (int c = 0; c < 6; c++)
        literal_begin(&l[c]);
    for (size_t i = 0; i < n; i++) {
        literal_add(&l[0], d[i].id);
        literal_add(&l[1], d[i].token);
        literal_add(&l[2], d[i].outcome);
        literal_add_time(&l[3], d[i].run_at_ms > 0 ? d[i].run_at_ms : now_ms);
        literal_add(&l[4], od_queue_clean_text(a, d[i].error, OD_QUEUE_ERROR_MAX));
        literal_add(&l[5], d[i].progress);
    }
    params[0] = now;
    if (literals_end(l, 6, a, params + 1) != OD_OK)
        return OD_ENOMEM;
    return od_db_exec(db, a, &st_finish, params, res);
}

od_rc
od_queue_rescue(od_db *db, od_arena *a, long long now_ms, int limit, long *rescued,
                long *requeued)
{
    char now[40], lim[16];
    const char *params[2] = { now, lim };
    long out[2] = { 0, 0 };
    od_rc rc;

    od_queue_timestamp(now_ms, now);
    snprintf(lim, sizeof(lim), "%d", limit);
    rc = exec_counts(db, a, &st_rescue, params, out, 2);
    *rescued = out[0];
    *requeued = out[1];
    return rc;
}

od_rc
od_queue_archive(od_db *db, od_arena *a, int limit, long *moved)
{
    char lim[16];
    const char *params[1] = { lim };

    snprintf(lim, sizeof(lim), "%d", limit);
    *moved = 0;
    return exec_counts(db, a, &st_archive, params, moved, 1);
}

od_rc
od_queue_purge(od_db *db, od_arena *a, long long before_ms, int limit, long *deleted)
{
    char before[40], lim[16];
    const char *params[2] = { before, lim };

    od_queue_timestamp(before_ms, before);
    snprintf(lim, sizeof(lim), "%d", limit);
    *deleted = 0;
    return exec_counts(db, a, &st_purge, params, deleted, 1);
}

od_rc
od_queue_schedule(od_db *db, od_arena *a, long long now_ms, long *queued)
{
    char now[40];
    const char *params[1] = { now };

    od_queue_timestamp(now_ms, now);
    *queued = 0;
    return exec_counts(db, a, &st_schedule, params, queued, 1);
}

od_rc
od_queue_get(od_db *db, od_arena *a, const char *id, PGresult **res)
{
    const char *params[1] = { id };

    return od_db_exec(db, a, &st_get, params, res);
}

od_rc
od_queue_cancel(od_db *db, od_arena *a, const char *id, const char **state)
{
    const char *params[1] = { id };
    PGresult *res;
    od_rc rc = od_db_exec(db, a, &st_cancel, params, &res);

    *state = NULL;
    if (rc == OD_OK && !PQgetisnull(res, 0, 0))
        *state = PQgetvalue(res, 0, 0);
    return rc;
}
