/* test_db.c: the SQLSTATE -> HTTP table, and a connection to a server that is
 * not there: no crash, no hang, OD_EUNAVAIL. */
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "unit.h"

static void
test_sqlstate_table(void)
{
    CU_ASSERT_EQUAL(od_db_http_status("23505"), 409);  /* unique_violation */
    CU_ASSERT_EQUAL(od_db_http_status("23503"), 409);  /* foreign_key_violation */
    CU_ASSERT_EQUAL(od_db_http_status("23514"), 422);  /* check_violation */
    CU_ASSERT_EQUAL(od_db_http_status("23502"), 422);  /* not_null_violation */
    CU_ASSERT_EQUAL(od_db_http_status("22P02"), 422);  /* invalid_text_representation */
    CU_ASSERT_EQUAL(od_db_http_status("40001"), 503);  /* serialization_failure */
    CU_ASSERT_EQUAL(od_db_http_status("40P01"), 503);  /* deadlock_detected */
    CU_ASSERT_EQUAL(od_db_http_status("57014"), 503);  /* statement timeout */
    CU_ASSERT_EQUAL(od_db_http_status("08006"), 503);  /* connection_failure */
    CU_ASSERT_EQUAL(od_db_http_status("53300"), 503);  /* too_many_connections */
    CU_ASSERT_EQUAL(od_db_http_status("42501"), 500);  /* insufficient_privilege */
    CU_ASSERT_EQUAL(od_db_http_status("42P01"), 500);  /* undefined_table */
    CU_ASSERT_EQUAL(od_db_http_status(""), 500);
}

/* A connection to port 1 on loopback, where nothing listens (the connection is
 * refused), with cfg loaded for a 1 s connect timeout; NULL on failure. */
static od_db *
open_unreachable(od_config *cfg)
{
    char *env[] = { "ODYSSEY_DB_CONNECT_TIMEOUT=1", NULL };
    char err[256];

    od_log_init("test_db", OD_LOG_ERROR);
    if (od_config_load(cfg, env, err, sizeof(err)) != OD_OK)
        return NULL;
    return od_db_open("postgresql://nobody:secret@127.0.0.1:1/none", "unit", cfg, false);
}

static void
test_unreachable_server(void)
{
    static od_stmt st = OD_STMT("unit_select_one", "SELECT 1", 0, true);
    od_config cfg;
    od_arena *a = od_arena_create(0);
    PGresult *res = (PGresult *)1;
    time_t t0 = time(NULL);
    od_db *db = open_unreachable(&cfg);

    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_PTR_NULL(od_db_conn(db));
    CU_ASSERT_EQUAL(od_db_epoch(db), 0);
    CU_ASSERT_EQUAL(od_db_ready(db), OD_EUNAVAIL);
    CU_ASSERT_EQUAL(od_db_exec(db, a, &st, NULL, &res), OD_EUNAVAIL);
    CU_ASSERT_PTR_NULL(res);
    CU_ASSERT(time(NULL) - t0 < 5);
    od_db_close(db);
    od_arena_destroy(a);
    od_config_free(&cfg);
}

/* Statements queued with od_db_defer: two at most, never run on a session other
 * than their transaction's, and no command while they wait. */
static void
test_queued_statements(void)
{
    static od_stmt st = OD_STMT("unit_queued", "SELECT 1", 0, true);
    od_config cfg;
    od_db *db = open_unreachable(&cfg);

    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_EQUAL(od_db_flush(db), OD_OK);                  /* nothing queued */
    CU_ASSERT_EQUAL(od_db_defer(db, &st, NULL), OD_OK);
    CU_ASSERT_EQUAL(od_db_defer(db, &st, NULL), OD_OK);
    CU_ASSERT_EQUAL(od_db_defer(db, &st, NULL), OD_EINVAL);   /* full */
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_EINVAL);  /* they still wait */
    /* No BEGIN waits with them: their transaction's connection is gone, and they
     * are dropped rather than run on a new one. */
    CU_ASSERT_EQUAL(od_db_flush(db), OD_EUNAVAIL);
    CU_ASSERT_EQUAL(od_db_command(db, "COMMIT"), OD_EUNAVAIL);
    CU_ASSERT_EQUAL(od_db_defer(db, &st, NULL), OD_OK);
    CU_ASSERT_FALSE(od_db_cancel_deferred(db));               /* drops them too */
    CU_ASSERT_EQUAL(od_db_flush(db), OD_OK);
    od_db_close(db);
    od_config_free(&cfg);
}

static const od_unit_case cases[] = {
    { "SQLSTATE to HTTP status", test_sqlstate_table },
    { "an unreachable server gives OD_EUNAVAIL", test_unreachable_server },
    { "queued statements", test_queued_statements },
};

OD_UNIT_MAIN("db", cases)
