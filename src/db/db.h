/* db.h: one libpq connection held by a process, with lazily prepared statements
 * (prepared again after a reconnect or when a migration invalidates them: SQLSTATE
 * 0A000/26000), bounded waits (a stalled server gives OD_EUNAVAIL, not a hang) and
 * reconnection without dying. Results are handed to the caller's arena. */
#ifndef OD_DB_H
#define OD_DB_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/status.h"

#define OD_DB_SLOTS 4  /* connections one process may hold at once */

typedef struct od_db od_db;

/* A statement of the data-access layer: declared once (static), prepared on each
 * connection at first use. */
typedef struct od_stmt {
    const char *name;       /* prepared statement name, unique in the program; NULL: a
                             * one-shot statement (built per request, planned with its
                             * values every time, never prepared) */
    const char *sql;        /* parameterised text ($1, $2, ...) */
    int nparams;
    bool idempotent;        /* safe to run again on a fresh connection after a loss */
    bool generic;           /* run with its generic plan (planned once, at the first
                             * use): only for statements whose best plan does not
                             * depend on their values and that name no partitioned
                             * parent (its generic plan covers every vendor) */
    bool read_only;         /* a plain read: it writes nothing and locks no row, so
                             * when it would open the request's transaction it runs in
                             * one of its own instead, made read-only (see
                             * od_db_exec) */
    bool stands_alone;      /* a write that is a record of its own, not part of the
                             * request's change (the audit row of an access): when it
                             * would open the request's transaction it runs and commits
                             * in one of its own instead (see od_db_exec) */
    unsigned long prepared_epoch[OD_DB_SLOTS];  /* connection epoch it was prepared on */
} od_stmt;

#define OD_STMT(n, text, np, idem) { .name = (n), .sql = (text), .nparams = (np), .idempotent = (idem) }
/* A plain read (read_only): no writes, no row locks, in the functions it calls too. */
#define OD_READ_STMT(n, text, np) \
    { .name = (n), .sql = (text), .nparams = (np), .idempotent = true, .read_only = true }
/* A statement with a generic plan: it names no partitioned parent, and neither do
 * the functions and triggers it runs (they plan in the same mode). */
#define OD_GENERIC_STMT(n, text, np, idem) \
    { .name = (n), .sql = (text), .nparams = (np), .idempotent = (idem), .generic = true }
/* Both: a plain read with a generic plan. */
#define OD_READ_GENERIC_STMT(n, text, np) \
    { .name = (n), .sql = (text), .nparams = (np), .idempotent = true, .generic = true, \
      .read_only = true }

/* Opens a connection to url, named app_name in pg_stat_activity, with the
 * connect and statement timeouts of cfg (borrowed; must outlive db). With system
 * true the session works across vendors (odyssey.system=on, which the row-level
 * security policies of the queue tables honour): the queue daemon's connections.
 * A failure to connect now is logged and retried by od_db_ready. Returns NULL only
 * when out of memory or all slots are taken; caller frees with od_db_close. */
od_db *od_db_open(const char *url, const char *app_name, const od_config *cfg, bool system);

/* Closes the connection and frees db. Accepts NULL. */
void od_db_close(od_db *db);

/* Makes sure the connection is usable: notices a server that went away and
 * reconnects. Returns OD_OK or OD_EUNAVAIL. */
od_rc od_db_ready(od_db *db);

/* Runs st with params (NULL entries are SQL NULLs). Returns OD_OK with *out a
 * tuples or command result; OD_EDB with *out the error result (use
 * od_db_sqlstate); OD_EUNAVAIL when the database cannot be reached in time (*out
 * NULL). *out is arena-owned.
 * A read_only statement that would open the request's transaction (its BEGIN still
 * deferred, see od_db_defer_begin) goes out with the deferred settings but without
 * BEGIN: one implicit transaction, ended by the pipeline's sync, so neither BEGIN
 * nor COMMIT costs anything; that transaction is read-only, so a write there fails
 * (25006). The BEGIN stays deferred for the next statement. At read committed that
 * loses nothing: every statement takes its own snapshot, and a plain read takes no
 * row lock a later statement could rely on (its table locks end with it, so a
 * migration may come in between: a stale statement then reruns the request).
 * A stands_alone statement in that place goes out the same way without the
 * read-only guard, so it commits at the sync whatever the request does next; one
 * that comes after the transaction was opened is simply one of its statements. */
od_rc od_db_exec(od_db *db, od_arena *a, od_stmt *st, const char *const *params,
                 PGresult **out);

/* Queues BEGIN followed by st(params) to go out together with the next
 * od_db_exec on db, in one round trip (libpq pipeline mode): a transaction and its
 * settings cost no wait of their own. params are borrowed until then. */
void od_db_defer_begin(od_db *db, od_stmt *st, const char *const *params);

/* Queues st(params) to go out in front of the next od_db_exec on db, in its
 * pipeline and its transaction: a statement whose answer the caller does not need
 * (a lock, an audit row) costs no round trip of its own. Statements run in the
 * order queued, each in its own plan mode. Its answer is dropped unless it fails;
 * then the next od_db_exec reports that failure (OD_EDB with its result) and the
 * statements after it did not run. params are borrowed until sent (the request's
 * arena). What is still queued at the end goes before the COMMIT of
 * od_context_end (od_db_flush), or is dropped with a rollback; a connection lost
 * before loses it with the transaction. Statements that stand alone, queued in front
 * of one that runs in a transaction of its own (see od_db_exec), go in that
 * transaction, before its read-only guard. Returns OD_EINVAL when two already wait. */
od_rc od_db_defer(od_db *db, od_stmt *st, const char *const *params);

/* Makes the next od_db_exec on db the last statement of the open (or deferred)
 * transaction: COMMIT goes out right after it, in its pipeline, so the commit costs
 * no round trip of its own. When both succeed the transaction has ended and
 * od_context_end has nothing left to do. When the statement fails the COMMIT does
 * not run and the transaction waits for its rollback, as before. When the COMMIT
 * itself fails (a check deferred to it, a serialization failure) od_db_exec answers
 * with its error and nothing was kept. A connection lost, or given up on, during
 * that round trip leaves the outcome unknown (OD_EUNAVAIL), as one lost during a
 * COMMIT of its own does. A statement that runs alone (see od_db_exec), or one with
 * no transaction to end, ignores it; od_db_cancel_deferred drops it. */
void od_db_commit_with_next(od_db *db);

/* Runs the statements od_db_defer queued, if any. Returns as od_db_exec;
 * OD_EUNAVAIL, dropping them, when the connection of their transaction was lost. */
od_rc od_db_flush(od_db *db);

/* Drops a queued BEGIN that was never sent, the statements od_db_defer queued and
 * a pending od_db_commit_with_next.
 * Returns whether there was a BEGIN (then there is no transaction to end:
 * read_only statements may have run, each in a transaction of its own). */
bool od_db_cancel_deferred(od_db *db);

/* True when res failed because a prepared statement went stale (a migration
 * changed a result type, or the server forgot it); the statement is prepared
 * again at its next use, so running the request again succeeds. */
bool od_db_stale_statement(const PGresult *res);

/* Runs a parameterless utility command (BEGIN, COMMIT, ROLLBACK, LISTEN x).
 * Returns OD_OK, OD_EDB or OD_EUNAVAIL; OD_EINVAL while statements are queued
 * (od_db_defer: send them first with od_db_flush, or drop them). */
od_rc od_db_command(od_db *db, const char *sql);

/* Closes the connection now (the next use reconnects): session state that could
 * not be undone, such as an advisory lock, goes with it. */
void od_db_disconnect(od_db *db);

/* Returns the connection (borrowed), for LISTEN/NOTIFY loops; NULL when down. */
PGconn *od_db_conn(od_db *db);

/* Returns a number that changes at every (re)connection, 0 while disconnected:
 * session state such as LISTEN must be set up again when it changes. */
unsigned long od_db_epoch(const od_db *db);

/* True while a transaction is open on db's connection (after a statement that ran
 * alone, it is not). */
bool od_db_in_transaction(const od_db *db);

/* Returns the configuration db was opened with (borrowed). */
const od_config *od_db_config(const od_db *db);

/* Returns the SQLSTATE of an error result ("" when none); borrowed. */
const char *od_db_sqlstate(const PGresult *res);

/* Maps a SQLSTATE to the HTTP status the API answers with (the one table). */
int od_db_http_status(const char *sqlstate);

#endif
