/* db.c: the process's libpq connections. */
#include "db/db.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"

#define OD_DB_GRACE_MS 2000  /* client wait beyond the server's statement_timeout */
#define OD_DB_QUEUED   2     /* statements od_db_defer may hold */
/* The longest pipeline: a deferred BEGIN and its settings, then each queued
 * statement and the next one, each after the plan mode it needs (or the next one
 * after a plan mode and the read-only guard), then a COMMIT. */
#define OD_DB_PIPELINE (2 + 2 * OD_DB_QUEUED + 3 + 1)

struct od_db {
    PGconn *conn;            /* NULL while disconnected */
    const od_config *cfg;    /* borrowed */
    char *url;               /* owned */
    char *app_name;          /* owned */
    int slot;                /* index into od_stmt.prepared_epoch */
    bool system;             /* a cross-vendor session (the queue daemon) */
    od_stmt *defer_st;       /* queued to follow BEGIN with the next statement, or NULL */
    const char *const *defer_params;  /* borrowed until sent */
    od_stmt *queued[OD_DB_QUEUED];    /* od_db_defer's, in order, to go out in front of
                                       * the next statement */
    const char *const *queued_params[OD_DB_QUEUED];  /* borrowed until sent */
    int n_queued;
    bool commit_next;        /* COMMIT follows the next statement (od_db_commit_with_next) */
    unsigned long epoch;     /* changes at every successful connect */
    bool tx_generic;         /* plan_cache_mode is force_generic_plan until the
                              * current transaction ends */
};

/* The plan mode of the current transaction (set_config local: it ends with the
 * transaction, committed or not). The session's own is force_custom_plan for the API
 * and "auto" for the daemon, see connect_now. */
static od_stmt st_plan_generic = OD_STMT("db_plan_generic",
    "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)", 0, true);
static od_stmt st_plan_custom = OD_STMT("db_plan_custom",
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)", 0, true);
static od_stmt st_plan_auto = OD_STMT("db_plan_auto",
    "SELECT set_config('plan_cache_mode', 'auto', true)", 0, true);

/* In front of a read_only statement that runs as a transaction of its own: the
 * transaction is made read-only, so a statement wrongly marked read_only fails
 * (25006) instead of committing at the sync what the request would roll back; the
 * plan mode, when the statement's is not the session's, goes in the same statement. */
static od_stmt st_read_only = OD_STMT("db_read_only",
    "SELECT set_config('transaction_read_only', 'on', true)", 0, true);
static od_stmt st_read_only_generic = OD_STMT("db_read_only_generic",
    "SELECT set_config('transaction_read_only', 'on', true), "
    "set_config('plan_cache_mode', 'force_generic_plan', true)", 0, true);

/* The end of a transaction, sent after its last statement in the same pipeline. */
static od_stmt st_commit = { .sql = "COMMIT" };

static unsigned long epoch_counter;
static bool slot_used[OD_DB_SLOTS];

/* Logs libpq's message for a connection failure. Quoted parts (host names,
 * file names) are blanked: with a malformed URL they can hold a piece of the
 * password, and the log must never. */
static void
log_conn_error(od_db *db, const char *what)
{
    char msg[512];
    size_t n;
    bool quoted = false;

    snprintf(msg, sizeof(msg), "%s", db->conn ? PQerrorMessage(db->conn) : "no connection");
    for (char *p = msg; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            *p = '*';
        else if (*p == '\n')
            *p = ' ';
    }
    n = strlen(msg);
    while (n > 0 && msg[n - 1] == ' ')
        msg[--n] = '\0';
    od_log_warn("database %s (%s): %s", what, db->app_name, msg);
}

/* Server notices (warnings, the FATAL of a terminated session) go to the JSON
 * log instead of libpq's plain stderr lines. */
static void
log_notice(void *arg, const PGresult *res)
{
    const od_db *db = arg;
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

    od_log_warn("database notice (%s): SQLSTATE %s %s", db->app_name, od_db_sqlstate(res),
                primary ? primary : "");
}

static void
drop(od_db *db)
{
    if (db->conn != NULL) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
}

static od_rc
connect_now(od_db *db)
{
    char timeout[16], options[192];
    const char *keys[] = { "dbname", "application_name", "connect_timeout", "options",
                           "keepalives_idle", NULL };
    const char *vals[] = { db->url, db->app_name, timeout, options, "30", NULL };

    drop(db);
    snprintf(timeout, sizeof(timeout), "%d", db->cfg->db_connect_timeout);
    /* plan_cache_mode: an API session plans every statement with its values
     * (force_custom_plan). Under "auto" PostgreSQL builds a statement's generic plan
     * at its sixth run, to compare costs: over the partitioned parents that plan
     * covers every vendor's leaves and took 0.5-1 s, once per session and statement
     * (the statements inside functions and triggers included), a stall after every
     * worker's start. Lists and searches must be planned with their values anyway
     * (a generic plan walked 500k rows for a rare word). A generic statement sets
     * force_generic_plan for its transaction (exec_once). The queue daemon's
     * sessions keep "auto": their functions read unpartitioned tables.
     * constraint_exclusion off: partitions are pruned by their bounds, and under the
     * default ("partition") the planner read and tested every CHECK of each
     * remaining leaf on every plan, a tenth of a get by id's database time. */
    snprintf(options, sizeof(options), "-c statement_timeout=%d -c constraint_exclusion=off "
             "-c plan_cache_mode=%s", db->cfg->statement_timeout,
             db->system ? "auto -c odyssey.system=on" : "force_custom_plan");
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        log_conn_error(db, "connect failed");
        drop(db);
        return OD_EUNAVAIL;
    }
    /* Sends never block either: wait_result flushes under the same deadline. */
    PQsetnonblocking(db->conn, 1);
    PQsetNoticeReceiver(db->conn, log_notice, db);
    db->epoch = ++epoch_counter;
    return OD_OK;
}

od_db *
od_db_open(const char *url, const char *app_name, const od_config *cfg, bool system)
{
    od_db *db;
    int slot = -1;

    for (int i = 0; i < OD_DB_SLOTS; i++) {
        if (!slot_used[i]) {
            slot = i;
            break;
        }
    }
    if (slot < 0)
        return NULL;
    db = calloc(1, sizeof(*db));
    if (db == NULL)
        return NULL;
    db->url = strdup(url);
    db->app_name = strdup(app_name);
    if (db->url == NULL || db->app_name == NULL) {
        free(db->url);
        free(db->app_name);
        free(db);
        return NULL;
    }
    db->cfg = cfg;
    db->system = system;
    db->slot = slot;
    slot_used[slot] = true;
    connect_now(db);
    return db;
}

void
od_db_close(od_db *db)
{
    if (db == NULL)
        return;
    drop(db);
    slot_used[db->slot] = false;
    free(db->url);
    free(db->app_name);
    free(db);
}

od_rc
od_db_ready(od_db *db)
{
    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
        /* Inside a transaction the connection was just used: leave it alone. */
        if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
            return OD_OK;
        /* Read whatever the server sent while we were idle: a server that shut
         * down sent an error and closed, which turns the status bad here. */
        if (PQconsumeInput(db->conn) == 1 && PQstatus(db->conn) == CONNECTION_OK)
            return OD_OK;
        log_conn_error(db, "connection lost");
    }
    return connect_now(db);
}

void
od_db_defer_begin(od_db *db, od_stmt *st, const char *const *params)
{
    db->defer_st = st;
    db->defer_params = params;
}

od_rc
od_db_defer(od_db *db, od_stmt *st, const char *const *params)
{
    if (db->n_queued == OD_DB_QUEUED)
        return OD_EINVAL;
    db->queued[db->n_queued] = st;
    db->queued_params[db->n_queued++] = params;
    return OD_OK;
}

void
od_db_commit_with_next(od_db *db)
{
    db->commit_next = true;
}

bool
od_db_cancel_deferred(od_db *db)
{
    bool was = db->defer_st != NULL;

    db->defer_st = NULL;
    db->n_queued = 0;
    db->commit_next = false;
    return was;
}

bool
od_db_stale_statement(const PGresult *res)
{
    const char *state = od_db_sqlstate(res);

    return strcmp(state, "0A000") == 0 || strcmp(state, "26000") == 0;
}

void
od_db_disconnect(od_db *db)
{
    drop(db);
}

PGconn *
od_db_conn(od_db *db)
{
    return db->conn;
}

unsigned long
od_db_epoch(const od_db *db)
{
    return db->conn != NULL ? db->epoch : 0;
}

/* Waits for the results of the query just sent. Keeps the last result (the
 * first error wins). Returns OD_OK with *out set, or OD_EUNAVAIL after dropping
 * the connection (lost, or no answer within the statement timeout plus grace). */
static od_rc
wait_result(od_db *db, PGresult **out)
{
    long deadline = od_now_ms() + db->cfg->statement_timeout + OD_DB_GRACE_MS;
    PGresult *keep = NULL;

    *out = NULL;
    for (;;) {
        struct pollfd pfd;
        int flushing, n;
        long left;

        flushing = PQflush(db->conn);
        if (flushing < 0)
            goto lost;
        while (!flushing && !PQisBusy(db->conn)) {
            PGresult *res = PQgetResult(db->conn);

            if (res == NULL) {
                if (keep == NULL)
                    goto lost;
                *out = keep;
                return OD_OK;
            }
            if (PQresultStatus(res) == PGRES_PIPELINE_SYNC && keep == NULL) {
                *out = res;  /* the end of a pipeline: no NULL follows it */
                return OD_OK;
            }
            if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
                PQclear(res);
            } else {
                PQclear(keep);
                keep = res;
            }
        }
        left = deadline - od_now_ms();
        if (left <= 0) {
            od_log_warn("database (%s): no answer within %d ms; dropping the connection",
                        db->app_name, db->cfg->statement_timeout + OD_DB_GRACE_MS);
            goto drop_it;
        }
        pfd.fd = PQsocket(db->conn);
        pfd.events = POLLIN | (flushing ? POLLOUT : 0);
        n = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (n < 0 && errno != EINTR)
            goto lost;
        if (n > 0 && (pfd.revents & (POLLIN | POLLERR | POLLHUP)) &&
            PQconsumeInput(db->conn) == 0)
            goto lost;
    }
lost:
    log_conn_error(db, "connection lost");
drop_it:
    PQclear(keep);
    drop(db);
    return OD_EUNAVAIL;
}

static od_rc
result_rc(PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);

    return (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) ? OD_OK : OD_EDB;
}

/* Prepares st on the current connection. On OD_EDB *err is the error result
 * (caller clears); otherwise *err is NULL. */
static od_rc
prepare(od_db *db, od_stmt *st, PGresult **err)
{
    PGresult *res;
    od_rc rc;

    *err = NULL;
    if (!PQsendPrepare(db->conn, st->name, st->sql, st->nparams, NULL)) {
        log_conn_error(db, "prepare could not be sent");
        drop(db);
        return OD_EUNAVAIL;
    }
    rc = wait_result(db, &res);
    if (rc != OD_OK)
        return rc;
    rc = result_rc(res);
    if (rc == OD_EDB && strcmp(od_db_sqlstate(res), "42P05") == 0 &&
        PQtransactionStatus(db->conn) == PQTRANS_IDLE) {
        char dealloc[128];

        /* A stale copy under the same name (a plan a migration invalidated). */
        PQclear(res);
        snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", st->name);
        if (od_db_command(db, dealloc) != OD_OK)
            return db->conn ? OD_EDB : OD_EUNAVAIL;
        return prepare(db, st, err);
    }
    if (rc == OD_OK) {
        st->prepared_epoch[db->slot] = db->epoch;
        PQclear(res);
    } else {
        od_log_error("database: prepare %s failed: SQLSTATE %s", st->name,
                     od_db_sqlstate(res));
        *err = res;
    }
    return rc;
}

/* Queues st for execution: by name when prepared, as a one-shot parameterised
 * query when it has no name. Returns 0 when libpq refused to queue it. */
static int
send_stmt(od_db *db, od_stmt *st, const char *const *params)
{
    if (st->name == NULL)
        return PQsendQueryParams(db->conn, st->sql, st->nparams, NULL, params, NULL, NULL, 0);
    return PQsendQueryPrepared(db->conn, st->name, st->nparams, params, NULL, NULL, 0);
}

/* Sends the n statements sts (with params), after BEGIN when begin is true, in one
 * pipeline and reads every answer: a transaction, its settings and its plan mode
 * cost no round trip of their own. *out is the first failure, or else the result of
 * the statement that has tail ones after it (a COMMIT). */
static od_rc
exec_pipelined(od_db *db, bool begin, od_stmt *const *sts, const char *const *const *params,
               int n, int tail, PGresult **out)
{
    PGresult *res[OD_DB_PIPELINE + 1] = { NULL }, *sync = NULL;
    int total = n + (begin ? 1 : 0), i;
    bool sent = PQenterPipelineMode(db->conn) &&
                (!begin || PQsendQueryParams(db->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0));
    od_rc rc = OD_OK;

    for (i = 0; sent && i < n; i++)
        sent = send_stmt(db, sts[i], params[i]);
    if (!sent || !PQpipelineSync(db->conn)) {
        log_conn_error(db, "pipeline could not be sent");
        drop(db);
        return OD_EUNAVAIL;
    }
    for (i = 0; i < total && rc == OD_OK; i++)
        rc = wait_result(db, &res[i]);
    if (rc == OD_OK)
        rc = wait_result(db, &sync);
    if (rc != OD_OK) {
        for (int j = 0; j < total; j++)
            PQclear(res[j]);
        return rc;  /* the connection is gone, and the pipeline with it */
    }
    PQclear(sync);
    PQexitPipelineMode(db->conn);
    /* The first failure is the one to report; the others were aborted by it. */
    for (i = 0; i < total && result_rc(res[i]) == OD_OK; i++)
        ;
    if (i == total)
        i = total - 1 - tail;
    *out = res[i];
    for (int j = 0; j < total; j++) {
        if (j != i)
            PQclear(res[j]);
    }
    return result_rc(*out);
}

/* True when st runs as a transaction of its own (od_db_exec): a plain read or a
 * write that stands alone, in front of a deferred BEGIN, after queued statements
 * that all stand alone. */
static bool
runs_alone(const od_db *db, const od_stmt *st)
{
    for (int i = 0; i < db->n_queued; i++) {
        if (!db->queued[i]->stands_alone)
            return false;
    }
    return db->defer_st != NULL && (st->read_only || st->stands_alone) &&
           (db->conn == NULL || PQtransactionStatus(db->conn) == PQTRANS_IDLE);
}

/* Adds st to the pipeline sts (n so far), after the plan mode it needs when the
 * pipeline's is another (*generic, updated). */
static void
add_in_mode(od_db *db, od_stmt *st, const char *const *params, od_stmt **sts,
            const char *const **sparams, int *n, bool *generic)
{
    if (st->generic != *generic) {
        sts[*n] = st->generic ? &st_plan_generic : db->system ? &st_plan_auto : &st_plan_custom;
        sparams[(*n)++] = NULL;
        *generic = st->generic;
    }
    sts[*n] = st;
    sparams[(*n)++] = params;
}

/* Runs st once on the current connection, after a deferred BEGIN (if any), the
 * statements od_db_defer queued, and the plan mode each needs (when the
 * transaction's is another). A read_only or stands_alone st that finds the BEGIN
 * deferred and nothing queued runs with its settings in an implicit transaction and
 * leaves them deferred (od_db_exec). */
static od_rc
exec_once(od_db *db, od_stmt *st, const char *const *params, PGresult **out)
{
    od_stmt *pre = db->defer_st, *sts[OD_DB_PIPELINE];
    const char *const *pre_params = db->defer_params;
    const char *const *sparams[OD_DB_PIPELINE];
    bool alone = runs_alone(db, st), generic, commit = db->commit_next && !alone;
    int n = 0, queued = db->n_queued;
    od_rc rc;

    *out = NULL;
    db->n_queued = 0;  /* sent now, or lost with the connection */
    db->commit_next = false;
    if (!alone)
        db->defer_st = NULL;  /* BEGIN goes out now; alone, it waits for what follows */
    if (db->conn == NULL && connect_now(db) != OD_OK)
        return OD_EUNAVAIL;
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        db->tx_generic = false;  /* a new transaction starts in the session's mode */
    generic = db->tx_generic;
    /* Only a transaction, open or about to be, has a COMMIT to go with st. */
    commit = commit && (pre != NULL || PQtransactionStatus(db->conn) != PQTRANS_IDLE);
    if (pre != NULL) {
        sts[n] = pre;
        sparams[n++] = pre_params;
    }
    for (int i = 0; i < queued; i++)  /* alone: the session's mode until now */
        add_in_mode(db, db->queued[i], db->queued_params[i], sts, sparams, &n, &generic);
    if (alone && st->read_only) {
        /* Made read-only after what stands alone in front of it (PostgreSQL allows
         * that switch at any point), in its plan mode. */
        if (st->generic && !generic) {
            sts[n] = &st_read_only_generic;
        } else {
            if (st->generic != generic) {
                sts[n] = db->system ? &st_plan_auto : &st_plan_custom;
                sparams[n++] = NULL;
            }
            sts[n] = &st_read_only;
        }
        sparams[n++] = NULL;
        sts[n] = st;
        sparams[n++] = params;
    } else {
        add_in_mode(db, st, params, sts, sparams, &n, &generic);
    }
    if (commit) {
        sts[n] = &st_commit;
        sparams[n++] = NULL;
    }
    for (int i = 0; i < n; i++) {
        if (sts[i]->name != NULL && sts[i]->prepared_epoch[db->slot] != db->epoch) {
            rc = prepare(db, sts[i], out);
            if (rc != OD_OK)
                return rc;
        }
    }
    if (n > 1) {
        rc = exec_pipelined(db, pre != NULL && !alone, sts, sparams, n, commit ? 1 : 0, out);
    } else if (!send_stmt(db, st, params)) {
        log_conn_error(db, "query could not be sent");
        drop(db);
        return OD_EUNAVAIL;
    } else {
        rc = wait_result(db, out);
        if (rc == OD_OK)
            rc = result_rc(*out);
    }
    /* Outside a transaction (an implicit one ended at the pipeline's end) the mode
     * is the session's again. */
    db->tx_generic = db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE &&
                     st->generic;
    /* Whichever statement of the pipeline went stale is prepared again next time. */
    if (rc == OD_EDB && od_db_stale_statement(*out)) {
        for (int i = 0; i < n; i++)
            sts[i]->prepared_epoch[db->slot] = 0;
    }
    return rc;
}

static void
clear_cleanup(void *res)
{
    PQclear(res);
}

od_rc
od_db_exec(od_db *db, od_arena *a, od_stmt *st, const char *const *params, PGresult **out)
{
    unsigned long epoch = db->epoch;
    /* Queued statements go out once, with this one: never part of a retry. */
    bool idle = db->conn != NULL && PQtransactionStatus(db->conn) == PQTRANS_IDLE &&
                db->n_queued == 0;
    /* Only a statement outside a transaction may be retried on a new connection:
     * inside one, the new session would lack BEGIN and the request's context. A
     * request's first statement is not either: the request has its own way out (the
     * replica's is the primary, at once). */
    bool outside_tx = idle && db->defer_st == NULL;
    /* A statement that is a transaction of its own loses nothing when run again
     * after a stale statement: that transaction was rolled back. */
    bool alone = idle && runs_alone(db, st);
    od_rc rc = exec_once(db, st, params, out);

    if (rc == OD_EDB && od_db_stale_statement(*out)) {
        /* A migration changed what the statement refers to (0A000: cached plan
         * must not change result type), or the server forgot it (26000): it is
         * prepared again at its next use (prepare replaces a stale copy). Outside
         * a transaction it is safe to retry at once; inside one the transaction
         * is lost, and the caller retries the request (od_db_stale_statement). */
        st->prepared_epoch[db->slot] = 0;
        if (outside_tx || alone) {
            PQclear(*out);
            rc = exec_once(db, st, params, out);
        }
    } else if (rc == OD_EUNAVAIL && st->idempotent && outside_tx && epoch != 0 &&
               db->conn == NULL) {
        /* The connection died under an idempotent statement: one fresh try. */
        rc = exec_once(db, st, params, out);
    }
    if (*out != NULL && od_arena_on_reset(a, clear_cleanup, *out) != 0) {
        *out = NULL;
        return OD_ENOMEM;
    }
    return rc;
}

bool
od_db_in_transaction(const od_db *db)
{
    return db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE;
}

const od_config *
od_db_config(const od_db *db)
{
    return db->cfg;
}

od_rc
od_db_flush(od_db *db)
{
    PGresult *res = NULL;
    od_rc rc;

    if (db->n_queued == 0)
        return OD_OK;
    if (db->conn == NULL && db->defer_st == NULL) {
        /* The transaction they belong to went with its connection: a new session
         * must not run them on their own. */
        db->n_queued = 0;
        return OD_EUNAVAIL;
    }
    /* The last one goes as the statement, the others in front of it. */
    db->n_queued--;
    rc = exec_once(db, db->queued[db->n_queued], db->queued_params[db->n_queued], &res);
    PQclear(res);
    return rc;
}

od_rc
od_db_command(od_db *db, const char *sql)
{
    PGresult *res;
    od_rc rc;

    if (db->n_queued > 0) {
        od_log_error("database (%s): %s with statements still queued", db->app_name, sql);
        return OD_EINVAL;  /* a caller's mistake: od_context_end sends them first */
    }
    if (db->conn == NULL)
        return OD_EUNAVAIL;
    /* A BEGIN sent here starts in the session's plan mode. */
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        db->tx_generic = false;
    if (!PQsendQuery(db->conn, sql)) {
        log_conn_error(db, "command could not be sent");
        drop(db);
        return OD_EUNAVAIL;
    }
    rc = wait_result(db, &res);
    if (rc != OD_OK)
        return rc;
    rc = result_rc(res);
    PQclear(res);
    /* ... and a COMMIT or ROLLBACK ends the transaction's. */
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        db->tx_generic = false;
    return rc;
}

const char *
od_db_sqlstate(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    return s ? s : "";
}

typedef struct state_map {
    const char *prefix;  /* a full SQLSTATE, or a two-character class */
    int status;
} state_map;

/* The one SQLSTATE -> HTTP table. Full codes first, then classes. */
static const state_map state_maps[] = {
    { "23505", 409 },  /* unique_violation */
    { "23503", 409 },  /* foreign_key_violation */
    { "40001", 503 },  /* serialization_failure: retry */
    { "40P01", 503 },  /* deadlock_detected: retry */
    { "55P03", 503 },  /* lock_not_available */
    { "57014", 503 },  /* query_canceled (statement_timeout) */
    { "57P01", 503 },  /* admin_shutdown */
    { "23", 422 },     /* other integrity violations: check, not null */
    { "22", 422 },     /* data exceptions: bad values */
    { "08", 503 },     /* connection exceptions */
    { "53", 503 },     /* insufficient resources */
    { "57", 503 },     /* operator intervention */
};

int
od_db_http_status(const char *sqlstate)
{
    for (size_t i = 0; i < sizeof(state_maps) / sizeof(state_maps[0]); i++) {
        size_t n = strlen(state_maps[i].prefix);

        if (strncmp(sqlstate, state_maps[i].prefix, n) == 0)
            return state_maps[i].status;
    }
    return 500;
}
