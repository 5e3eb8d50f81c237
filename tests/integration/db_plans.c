/* db_plans.c: plan modes and vendor statements (db/db.c, db/vendor_stmt.c) against
 * the test stack's PostgreSQL, as the API's role. Run by test_database.py with
 * DATABASE_URL, PLANS_VENDOR_A and PLANS_VENDOR_B (two vendors with products);
 * not a unit test: it needs the server.
 *
 * - a generic statement runs under force_generic_plan and leaves the transaction
 *   in it only until a statement that wants the API session's force_custom_plan
 *   (a one-shot list, a statement over a partitioned parent), and a session never
 *   builds the generic plan of any other statement (at its sixth run, under "auto");
 * - outside a transaction the mode is the session's again after each statement;
 * - a vendor statement reads its vendor's partition through the vendor's view,
 *   shows nothing of another vendor's view, keeps one generic plan per vendor
 *   (pg_prepared_statements: generic plans only); beyond ODYSSEY_VENDOR_PLANS (4
 *   here) instances run one-shot and nothing more is prepared;
 * - a read_only statement that would open the request's transaction runs in an
 *   implicit, read-only one with the deferred settings (nothing open afterwards, and
 *   nothing of the settings left in the session), a failure included, and the BEGIN
 *   stays deferred for the next statement, which opens the transaction with them;
 * - a stands_alone write there runs likewise, with its plan mode, and commits at its
 *   sync (a later rollback of the request keeps it); inside the transaction it is one
 *   of its statements; one that fails writes nothing and leaves the BEGIN deferred;
 *   one the server forgot is prepared again and runs once;
 * - a statement with od_db_commit_with_next commits in its own round trip: its
 *   answer is the statement's, nothing is open afterwards and the row is kept; a
 *   statement that fails leaves the transaction to its rollback; a COMMIT that fails
 *   (a deferred unique check) answers with its error and keeps nothing; a statement
 *   that runs alone, or one outside any transaction, ignores it;
 * - od_context_end sends the statements still queued with the COMMIT (a failure of
 *   either keeps nothing), and has nothing left to do after a statement that went
 *   with it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "db/context.h"
#include "db/db.h"
#include "db/vendor_stmt.h"
#include "../unit/unit.h"

static od_config cfg;
static od_db *db;
static od_arena *arena;

static od_stmt st_mode = OD_STMT("plans_mode", "SELECT current_setting('plan_cache_mode')",
                                 0, true);
static od_stmt st_mode_generic = OD_GENERIC_STMT("plans_mode_generic",
    "SELECT current_setting('plan_cache_mode')", 0, true);
static od_stmt st_mode_oneshot = OD_STMT(NULL, "SELECT current_setting('plan_cache_mode')",
                                         0, true);
static od_stmt st_context = OD_STMT("plans_context",
    "SELECT set_config('odyssey.vendor_id', $1, true)", 1, false);
static od_stmt st_context_plans = OD_STMT(NULL,
    "SELECT generic_plans::text FROM pg_prepared_statements WHERE name = 'plans_context'",
    0, true);
static od_stmt st_count_parent = OD_STMT(NULL,
    "SELECT count(*)::text FROM products_scoped WHERE vendor_id = $1::uuid", 1, true);
static od_stmt st_plans = OD_STMT(NULL,
    "SELECT coalesce(sum(generic_plans), 0)::text, coalesce(sum(custom_plans), 0)::text, "
    "count(*)::text FROM pg_prepared_statements WHERE name LIKE 'vs\\_%'", 0, true);

static od_stmt st_vendor = OD_STMT("plans_vendor",
    "SELECT current_setting('odyssey.vendor_id', true)", 0, true);
static od_stmt st_ro_vendor = OD_READ_STMT("plans_ro_vendor",
    "SELECT current_setting('odyssey.vendor_id', true)", 0);
static od_stmt st_ro_mode_generic = { .name = "plans_ro_mode_generic",
    .sql = "SELECT current_setting('plan_cache_mode')", .idempotent = true, .generic = true,
    .read_only = true };
static od_stmt st_ro_fail = OD_READ_STMT("plans_ro_fail", "SELECT (1 / 0)::text", 0);
static od_stmt st_ro_oneshot = { .name = NULL, .read_only = true, .idempotent = true,
    .sql = "SELECT current_setting('odyssey.vendor_id', true) || ' ' || "
           "current_setting('transaction_read_only')" };
static od_stmt st_ro_write = OD_READ_STMT("plans_ro_write",
    "UPDATE vendors SET name = name WHERE false", 0);
static od_stmt st_pid = OD_STMT(NULL, "SELECT pg_backend_pid()::text", 0, true);
static od_stmt st_terminate = OD_STMT(NULL,
    "SELECT pg_terminate_backend($1::int, 5000)::text", 1, false);
static od_stmt st_read_only_now = OD_STMT("plans_read_only_now",
    "SELECT current_setting('transaction_read_only')", 0, true);

/* An access's record, as the audit row of a read: $1 the vendor, $2 a marker. */
static od_stmt st_alone_write = { .name = "plans_alone_write", .nparams = 2,
    .stands_alone = true, .generic = true,
    .sql = "INSERT INTO audit_log (actor_role, vendor_id, action, entity, entity_id) "
           "VALUES ('system', $1::uuid, 'read', 'db_plans', $2) "
           "RETURNING current_setting('odyssey.vendor_id', true) || ' ' || "
           "current_setting('plan_cache_mode')" };
/* Fails at execution, after its first row is inserted. */
static od_stmt st_alone_fail = { .name = "plans_alone_fail", .nparams = 2, .stands_alone = true,
    .sql = "INSERT INTO audit_log (actor_role, vendor_id, action, entity, entity_id) "
           "VALUES ('system', $1::uuid, 'read', 'db_plans', $2), "
           "('system', $1::uuid, 'read', 'db_plans', (1 / floor(random() * 0)::int)::text)" };
static od_stmt st_alone_count = OD_READ_STMT("plans_alone_count",
    "SELECT count(*)::text FROM audit_log WHERE entity = 'db_plans' AND entity_id = $1", 1);

/* A change's row, in the request's transaction: $1 the vendor, $2 a marker. */
static od_stmt st_tx_write = OD_STMT("plans_tx_write",
    "INSERT INTO audit_log (actor_role, vendor_id, action, entity, entity_id) "
    "VALUES ('system', $1::uuid, 'update', 'db_plans', $2) "
    "RETURNING current_setting('odyssey.vendor_id', true)", 2, false);
static od_stmt st_tx_fail = OD_STMT("plans_tx_fail",
    "INSERT INTO audit_log (actor_role, vendor_id, action, entity, entity_id) "
    "VALUES ('system', $1::uuid, 'update', 'db_plans', $2), "
    "('system', $1::uuid, 'update', 'db_plans', (1 / floor(random() * 0)::int)::text)", 2, false);
/* Its unique check waits for the COMMIT. */
static od_stmt st_deferred_table = OD_STMT(NULL,
    "CREATE TEMP TABLE IF NOT EXISTS plans_deferred "
    "(x int UNIQUE DEFERRABLE INITIALLY DEFERRED)", 0, false);
static od_stmt st_deferred_twice = OD_STMT(NULL,
    "INSERT INTO plans_deferred VALUES (1), (1) RETURNING 'inserted'", 0, false);
static od_stmt st_deferred_count = OD_STMT(NULL,
    "SELECT count(*)::text FROM plans_deferred", 0, true);

static const od_vstmt vs_count = OD_VSTMT("plans_count",
    "SELECT count(*)::text FROM {v:products} p WHERE p.vendor_id = $1::uuid", 1, true);

static const od_vstmt vs_bad_marker = OD_VSTMT("plans_bad_marker",
    "SELECT count(*)::text FROM {v:Products} p WHERE p.vendor_id = $1::uuid", 1, true);

#define PLANS 4          /* ODYSSEY_VENDOR_PLANS of this test */
#define MANY_STMTS 20    /* x 2 vendors: more instances than are kept */
static od_vstmt vs_many[MANY_STMTS];

static const char *
value(od_stmt *st, const char *const *params)
{
    PGresult *res = NULL;

    if (od_db_exec(db, arena, st, params, &res) != OD_OK || PQntuples(res) != 1)
        return "(error)";
    return PQgetvalue(res, 0, 0);
}

static const char *
vendor_value(const od_vstmt *vs, const char *vendor, const char *const *params)
{
    PGresult *res = NULL;

    if (od_vendor_stmt_exec(db, arena, vs, vendor, params, &res) != OD_OK ||
        PQntuples(res) != 1)
        return "(error)";
    return PQgetvalue(res, 0, 0);
}

static void
begin(const char *vendor)
{
    CU_ASSERT_EQUAL_FATAL(od_db_command(db, "BEGIN"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_context, (const char *const[]){ vendor }), vendor);
}

static void
test_plan_modes(void)
{
    /* outside a transaction: each statement in its own mode, the session's after */
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode_oneshot, NULL), "force_custom_plan");

    /* inside one: switched where needed, and the transaction's end resets it */
    begin(getenv("PLANS_VENDOR_A"));
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode_oneshot, NULL), "force_custom_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");

    /* a plan-mode statement the server forgot is prepared again (the statement that
     * needed it is run again outside a transaction) */
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_EQUAL(od_db_command(db, "DEALLOCATE db_plan_generic"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");

    /* a failed transaction rolls the mode back with it */
    begin(getenv("PLANS_VENDOR_A"));
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_EQUAL(od_db_command(db, "SELECT 1/0"), OD_EDB);
    CU_ASSERT_EQUAL(od_db_command(db, "ROLLBACK"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_mode_oneshot, NULL), "force_custom_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");

    /* transactions begun and ended by commands, back to back */
    begin(getenv("PLANS_VENDOR_A"));
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
    begin(getenv("PLANS_VENDOR_A"));
    CU_ASSERT_STRING_EQUAL(value(&st_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
    begin(getenv("PLANS_VENDOR_A"));
    CU_ASSERT_STRING_EQUAL(value(&st_mode_oneshot, NULL), "force_custom_plan");
    for (int i = 0; i < 8; i++)
        value(&st_context, (const char *const[]){ getenv("PLANS_VENDOR_A") });
    CU_ASSERT_STRING_EQUAL(value(&st_context_plans, NULL), "0");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
}

static void
test_vendor_views(void)
{
    const char *a = getenv("PLANS_VENDOR_A"), *b = getenv("PLANS_VENDOR_B");
    char expect_a[32], expect_b[32];

    begin(a);
    snprintf(expect_a, sizeof(expect_a), "%s", value(&st_count_parent, (const char *const[]){ a }));
    CU_ASSERT_STRING_NOT_EQUAL(expect_a, "0");
    for (int i = 0; i < 3; i++)
        CU_ASSERT_STRING_EQUAL(vendor_value(&vs_count, a, (const char *const[]){ a }), expect_a);
    /* vendor B's view in vendor A's context: nothing */
    CU_ASSERT_STRING_EQUAL(vendor_value(&vs_count, b, (const char *const[]){ b }), "0");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);

    begin(b);
    snprintf(expect_b, sizeof(expect_b), "%s", value(&st_count_parent, (const char *const[]){ b }));
    CU_ASSERT_STRING_EQUAL(vendor_value(&vs_count, b, (const char *const[]){ b }), expect_b);
    /* and vendor A's statement, asked for vendor A's rows in B's context: nothing */
    CU_ASSERT_STRING_EQUAL(vendor_value(&vs_count, a, (const char *const[]){ a }), "0");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);

    /* one generic plan per instance, never a custom one */
    {
        PGresult *res = NULL;

        CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &st_plans, NULL, &res), OD_OK);
        CU_ASSERT_EQUAL(atoi(PQgetvalue(res, 0, 0)), 6);
        CU_ASSERT_STRING_EQUAL(PQgetvalue(res, 0, 1), "0");
        CU_ASSERT_STRING_EQUAL(PQgetvalue(res, 0, 2), "2");
    }
    {
        PGresult *res = (PGresult *)1;

        CU_ASSERT_EQUAL(od_vendor_stmt_exec(db, arena, &vs_count, "not-a-uuid",
                                          (const char *const[]){ a }, &res), OD_EINVAL);
        CU_ASSERT_PTR_NULL(res);
        /* a marker that names no table is refused, not sent */
        CU_ASSERT_EQUAL(od_vendor_stmt_exec(db, arena, &vs_bad_marker, a,
                                          (const char *const[]){ a }, &res), OD_EINVAL);
        CU_ASSERT_PTR_NULL(res);
    }
}

static void
test_beyond_the_cap(void)
{
    const char *a = getenv("PLANS_VENDOR_A"), *b = getenv("PLANS_VENDOR_B");
    const char *vendors[] = { a, b };
    PGresult *res = NULL;

    /* two kept already (test_vendor_views); the others run one-shot, as often as
     * asked, with the same answers */
    for (int round = 0; round < 2; round++) {
        begin(a);
        for (int i = 0; i < MANY_STMTS; i++) {
            for (int v = 0; v < 2; v++) {
                const char *want = v == 0 ? "1" : "0";  /* B's view shows nothing to A */
                const char *got = vendor_value(&vs_many[i], vendors[v],
                                               (const char *const[]){ vendors[v] });

                CU_ASSERT_STRING_EQUAL(got, want);
            }
        }
        CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
        od_arena_reset(arena);
    }
    CU_ASSERT_EQUAL_FATAL(od_db_exec(db, arena, &st_plans, NULL, &res), OD_OK);
    CU_ASSERT_EQUAL(atoi(PQgetvalue(res, 0, 2)), PLANS);
    CU_ASSERT_STRING_EQUAL(PQgetvalue(res, 0, 1), "0");
    /* 6 runs of test_vendor_views, then vs_many[0] for A and B twice each */
    CU_ASSERT_EQUAL(atoi(PQgetvalue(res, 0, 0)), 10);
}

static PGTransactionStatusType
tx_status(void)
{
    return PQtransactionStatus(od_db_conn(db));
}

static void
test_reads_alone(void)
{
    const char *a = getenv("PLANS_VENDOR_A"), *b = getenv("PLANS_VENDOR_B");
    const char *const ctx_a[] = { a }, *const ctx_b[] = { b };
    PGresult *res = NULL;
    char expect_a[32];

    begin(a);
    snprintf(expect_a, sizeof(expect_a), "%s", value(&st_count_parent, (const char *const[]){ a }));
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);

    /* reads in front of the deferred BEGIN: each a transaction of its own, with the
     * settings, and nothing left open or set afterwards */
    od_db_defer_begin(db, &st_context, ctx_a);
    CU_ASSERT_STRING_EQUAL(value(&st_ro_vendor, NULL), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_ro_mode_generic, NULL), "force_generic_plan");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(vendor_value(&vs_count, a, (const char *const[]){ a }), expect_a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_TRUE(od_db_cancel_deferred(db));  /* nothing to commit */
    CU_ASSERT_STRING_EQUAL(value(&st_vendor, NULL), "");
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    CU_ASSERT_STRING_EQUAL(value(&st_read_only_now, NULL), "off");

    /* a one-shot read (a list) likewise, in a read-only transaction; then a statement
     * that is not a plain read opens the request's transaction with the settings */
    od_db_defer_begin(db, &st_context, ctx_b);
    {
        char want[64];

        snprintf(want, sizeof(want), "%s on", b);
        CU_ASSERT_STRING_EQUAL(value(&st_ro_oneshot, NULL), want);
    }
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_vendor, NULL), b);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INTRANS);
    CU_ASSERT_STRING_EQUAL(value(&st_read_only_now, NULL), "off");
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);

    /* a statement wrongly marked read_only cannot write there */
    od_db_defer_begin(db, &st_context, ctx_a);
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_ro_write, NULL, &res), OD_EDB);
    CU_ASSERT_STRING_EQUAL(od_db_sqlstate(res), "25006");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_TRUE(od_db_cancel_deferred(db));

    /* a read that fails is rolled back at its sync; the next statement opens the
     * transaction with the settings */
    od_db_defer_begin(db, &st_context, ctx_b);
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_ro_fail, NULL, &res), OD_EDB);
    CU_ASSERT_STRING_EQUAL(od_db_sqlstate(res), "22012");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_vendor, NULL), b);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INTRANS);
    CU_ASSERT_FALSE(od_db_cancel_deferred(db));
    /* inside the transaction a read is one of its statements */
    CU_ASSERT_STRING_EQUAL(value(&st_ro_vendor, NULL), b);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INTRANS);
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_ro_vendor, NULL), "");

    /* the session lost under a read alone: no second try on a new one (the request
     * has its own way out), the BEGIN stays deferred, and the next read connects
     * again and goes out with the settings */
    {
        od_db *other = od_db_open(getenv("DATABASE_URL"), "db_plans_other", &cfg, false);
        char pid[16];

        CU_ASSERT_PTR_NOT_NULL_FATAL(other);
        snprintf(pid, sizeof(pid), "%s", value(&st_pid, NULL));
        CU_ASSERT_EQUAL(od_db_exec(other, arena, &st_terminate, (const char *const[]){ pid },
                                   &res), OD_OK);
        od_db_close(other);
    }
    od_db_defer_begin(db, &st_context, ctx_b);
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_ro_vendor, NULL, &res), OD_EUNAVAIL);
    CU_ASSERT_STRING_EQUAL(value(&st_ro_vendor, NULL), b);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_TRUE(od_db_cancel_deferred(db));

    /* a read the server forgot is prepared again and run again, with the settings */
    od_db_defer_begin(db, &st_context, ctx_a);
    CU_ASSERT_EQUAL(od_db_command(db, "DEALLOCATE plans_ro_vendor"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_ro_vendor, NULL), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_TRUE(od_db_cancel_deferred(db));
    od_arena_reset(arena);
}

static void
test_writes_alone(void)
{
    const char *a = getenv("PLANS_VENDOR_A");
    const char *const ctx_a[] = { a };
    char marker[64], want[128];
    PGresult *res = NULL;

    snprintf(marker, sizeof(marker), "alone-%ld", (long)getpid());
    snprintf(want, sizeof(want), "%s force_generic_plan", a);

    /* in front of the deferred BEGIN: with the settings and its plan mode, committed
     * at its sync; the BEGIN stays deferred, and a request that then rolls back
     * keeps the row */
    od_db_defer_begin(db, &st_context, ctx_a);
    CU_ASSERT_STRING_EQUAL(value(&st_alone_write, (const char *const[]){ a, marker }), want);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_vendor, NULL), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INTRANS);
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    CU_ASSERT_EQUAL(od_db_command(db, "ROLLBACK"), OD_OK);
    od_db_defer_begin(db, &st_context, ctx_a);
    CU_ASSERT_STRING_EQUAL(value(&st_alone_count, (const char *const[]){ marker }), "1");
    CU_ASSERT_TRUE(od_db_cancel_deferred(db));

    /* inside the request's transaction it is one of its statements: rolled back */
    begin(a);
    CU_ASSERT_STRING_EQUAL(value(&st_alone_write, (const char *const[]){ a, marker }), want);
    CU_ASSERT_EQUAL(od_db_command(db, "ROLLBACK"), OD_OK);

    /* one that fails, at bind or after a first row, leaves nothing and the BEGIN
     * deferred */
    od_db_defer_begin(db, &st_context, ctx_a);
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_alone_write,
                               (const char *const[]){ "not-a-uuid", marker }, &res), OD_EDB);
    CU_ASSERT_STRING_EQUAL(od_db_sqlstate(res), "22P02");
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_alone_fail, (const char *const[]){ a, marker },
                               &res), OD_EDB);
    CU_ASSERT_STRING_EQUAL(od_db_sqlstate(res), "22012");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_alone_count, (const char *const[]){ marker }), "1");
    /* one the server forgot is prepared again and run once more: one row */
    CU_ASSERT_EQUAL(od_db_command(db, "DEALLOCATE plans_alone_write"), OD_OK);
    CU_ASSERT_STRING_EQUAL(value(&st_alone_write, (const char *const[]){ a, marker }), want);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_alone_count, (const char *const[]){ marker }), "2");
    CU_ASSERT_TRUE(od_db_cancel_deferred(db));
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    od_arena_reset(arena);
}

/* The audit rows of marker (vendor A's, read in its context). */
static const char *
rows_of(const char *marker)
{
    const char *n;

    od_db_defer_begin(db, &st_context, (const char *const[]){ getenv("PLANS_VENDOR_A") });
    n = value(&st_alone_count, (const char *const[]){ marker });
    od_db_cancel_deferred(db);
    return n;
}

static void
test_commit_with_next(void)
{
    const char *a = getenv("PLANS_VENDOR_A");
    const char *const ctx_a[] = { a };
    char marker[64];
    PGresult *res = NULL;

    snprintf(marker, sizeof(marker), "commit-%ld", (long)getpid());

    /* BEGIN, the settings, the statement and the COMMIT in one pipeline: the answer
     * is the statement's, and the row is kept */
    od_db_defer_begin(db, &st_context, ctx_a);
    od_db_commit_with_next(db);
    CU_ASSERT_STRING_EQUAL(value(&st_tx_write, (const char *const[]){ a, marker }), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_FALSE(od_db_in_transaction(db));
    CU_ASSERT_FALSE(od_db_cancel_deferred(db));  /* the BEGIN went */
    CU_ASSERT_STRING_EQUAL(value(&st_vendor, NULL), "");
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "1");

    /* in an open transaction, with a statement queued in front */
    begin(a);
    CU_ASSERT_EQUAL(od_db_defer(db, &st_tx_write, (const char *const[]){ a, marker }), OD_OK);
    od_db_commit_with_next(db);
    CU_ASSERT_STRING_EQUAL(value(&st_tx_write, (const char *const[]){ a, marker }), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "3");

    /* a statement that fails: no COMMIT ran, the transaction waits for its rollback */
    begin(a);
    od_db_commit_with_next(db);
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_tx_fail, (const char *const[]){ a, marker },
                               &res), OD_EDB);
    CU_ASSERT_STRING_EQUAL(od_db_sqlstate(res), "22012");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INERROR);
    CU_ASSERT_EQUAL(od_db_command(db, "ROLLBACK"), OD_OK);
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "3");

    /* a COMMIT that fails answers with its error, and nothing was kept */
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_deferred_table, NULL, &res), OD_OK);
    begin(a);
    od_db_commit_with_next(db);
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_deferred_twice, NULL, &res), OD_EDB);
    CU_ASSERT_STRING_EQUAL(od_db_sqlstate(res), "23505");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_deferred_count, NULL), "0");

    /* a read that runs alone ignores it, and the request's transaction opens with the
     * next statement as usual */
    od_db_defer_begin(db, &st_context, ctx_a);
    od_db_commit_with_next(db);
    CU_ASSERT_STRING_EQUAL(value(&st_ro_vendor, NULL), a);
    CU_ASSERT_STRING_EQUAL(value(&st_tx_write, (const char *const[]){ a, marker }), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INTRANS);
    CU_ASSERT_EQUAL(od_db_command(db, "ROLLBACK"), OD_OK);

    /* outside any transaction there is no COMMIT to send; a cancel drops it */
    od_db_commit_with_next(db);
    CU_ASSERT_STRING_EQUAL(value(&st_mode, NULL), "force_custom_plan");
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    od_db_commit_with_next(db);
    od_db_cancel_deferred(db);
    begin(a);
    CU_ASSERT_STRING_EQUAL(value(&st_tx_write, (const char *const[]){ a, marker }), a);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_INTRANS);
    CU_ASSERT_EQUAL(od_db_command(db, "ROLLBACK"), OD_OK);
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "3");
    od_arena_reset(arena);
}

static void
test_context_end(void)
{
    const char *a = getenv("PLANS_VENDOR_A");
    char marker[64];
    PGresult *res = NULL;

    snprintf(marker, sizeof(marker), "end-%ld", (long)getpid());

    /* queued statements, the deferred BEGIN and the COMMIT in one pipeline */
    CU_ASSERT_EQUAL_FATAL(od_context_begin(db, arena, "db_plans", a, false), OD_OK);
    CU_ASSERT_EQUAL(od_db_defer(db, &st_tx_write, (const char *const[]){ a, marker }), OD_OK);
    CU_ASSERT_EQUAL(od_db_defer(db, &st_tx_write, (const char *const[]){ a, marker }), OD_OK);
    CU_ASSERT_EQUAL(od_context_end(db, true), OD_OK);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "2");

    /* after a statement that took the COMMIT: nothing left, either way */
    CU_ASSERT_EQUAL_FATAL(od_context_begin(db, arena, "db_plans", a, false), OD_OK);
    od_db_commit_with_next(db);
    CU_ASSERT_STRING_EQUAL(value(&st_tx_write, (const char *const[]){ a, marker }), a);
    CU_ASSERT_EQUAL(od_context_end(db, true), OD_OK);
    CU_ASSERT_EQUAL_FATAL(od_context_begin(db, arena, "db_plans", a, false), OD_OK);
    od_db_commit_with_next(db);
    CU_ASSERT_STRING_EQUAL(value(&st_tx_write, (const char *const[]){ a, marker }), a);
    CU_ASSERT_EQUAL(od_context_end(db, false), OD_OK);
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "4");

    /* a COMMIT that fails behind the queued statement: an error, nothing kept */
    CU_ASSERT_EQUAL(od_db_exec(db, arena, &st_deferred_table, NULL, &res), OD_OK);
    CU_ASSERT_EQUAL_FATAL(od_context_begin(db, arena, "db_plans", a, false), OD_OK);
    CU_ASSERT_EQUAL(od_db_defer(db, &st_tx_write, (const char *const[]){ a, marker }), OD_OK);
    CU_ASSERT_EQUAL(od_db_defer(db, &st_deferred_twice, NULL), OD_OK);
    CU_ASSERT_EQUAL(od_context_end(db, true), OD_EDB);
    CU_ASSERT_EQUAL(tx_status(), PQTRANS_IDLE);
    CU_ASSERT_STRING_EQUAL(value(&st_deferred_count, NULL), "0");
    CU_ASSERT_STRING_EQUAL(rows_of(marker), "4");
    od_arena_reset(arena);
}

static const od_unit_case cases[] = {
    { "plan modes follow each statement", test_plan_modes },
    { "vendor statements read their vendor's view with generic plans", test_vendor_views },
    { "beyond the cap vendor statements run one-shot", test_beyond_the_cap },
    { "a read that would open the transaction runs alone", test_reads_alone },
    { "a write that stands alone commits at its sync", test_writes_alone },
    { "a COMMIT goes with the last statement", test_commit_with_next },
    { "the request's end sends what is queued with its COMMIT", test_context_end },
};

int
main(void)
{
    char *env[] = { "ODYSSEY_VENDOR_PLANS=4", NULL };
    char err[256];
    int rc;

    if (getenv("DATABASE_URL") == NULL || getenv("PLANS_VENDOR_A") == NULL ||
        getenv("PLANS_VENDOR_B") == NULL) {
        fprintf(stderr, "db_plans: needs DATABASE_URL, PLANS_VENDOR_A and PLANS_VENDOR_B\n");
        return 2;
    }
    od_log_init("db_plans", OD_LOG_ERROR);
    for (int i = 0; i < MANY_STMTS; i++)
        vs_many[i] = (od_vstmt)OD_VSTMT("plans_many",
            "SELECT least(count(*), 1)::text FROM {v:products} p WHERE p.vendor_id = $1::uuid",
            1, true);
    if (od_config_load(&cfg, env, err, sizeof(err)) != OD_OK)
        return 2;
    db = od_db_open(getenv("DATABASE_URL"), "db_plans", &cfg, false);
    arena = od_arena_create(0);
    if (db == NULL || arena == NULL || od_db_ready(db) != OD_OK)
        return 2;
    rc = od_unit_run("db_plans", cases, sizeof(cases) / sizeof(cases[0]));
    od_vendor_stmt_reset();
    od_db_close(db);
    od_arena_destroy(arena);
    od_config_free(&cfg);
    return rc;
}
