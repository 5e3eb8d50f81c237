/* test_config.c: defaults, file then environment, and errors that name the key. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "unit.h"

static void
test_defaults(void)
{
    char *env[] = { NULL };
    od_config c;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, env, err, sizeof(err)), OD_OK);
    CU_ASSERT_STRING_EQUAL(c.socket, "/run/odyssey/api.sock");
    CU_ASSERT_EQUAL(c.socket_mode, 0660);
    CU_ASSERT_EQUAL(c.workers, 0);
    CU_ASSERT(od_config_worker_count(&c) >= 2);
    CU_ASSERT_EQUAL(c.body_max, 16777216);
    CU_ASSERT_EQUAL(c.jwt_leeway, 60);
    CU_ASSERT_EQUAL(c.log_level, OD_LOG_INFO);
    od_config_free(&c);
}

static void
test_environment(void)
{
    char *env[] = { "ODYSSEY_WORKERS=3", "ODYSSEY_SOCKET=127.0.0.1:9000",
                    "ODYSSEY_LOG_LEVEL=debug", "ODYSSEY_URL=https://x", "PATH=/bin", NULL };
    od_config c;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, env, err, sizeof(err)), OD_OK);
    CU_ASSERT_EQUAL(c.workers, 3);
    CU_ASSERT_EQUAL(od_config_worker_count(&c), 3);
    CU_ASSERT_STRING_EQUAL(c.socket, "127.0.0.1:9000");
    CU_ASSERT_EQUAL(c.log_level, OD_LOG_DEBUG);
    od_config_free(&c);
}

static void
expect_error(char **env, const char *needle)
{
    od_config c;
    char err[256] = "";

    CU_ASSERT_EQUAL(od_config_load(&c, env, err, sizeof(err)), OD_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void
test_bad_values_name_the_key(void)
{
    char *e1[] = { "ODYSSEY_WORKERS=abc", NULL };
    char *e2[] = { "ODYSSEY_WORKERS=5000", NULL };
    char *e3[] = { "ODYSSEY_SOCKET_MODE=999", NULL };
    char *e4[] = { "ODYSSEY_LOG_LEVEL=loud", NULL };
    char *e5[] = { "ODYSSEY_SOCKET=relative.sock", NULL };
    char *e6[] = { "ODYSSEY_JWT_LEEWAY=-1", NULL };
    char *e7[] = { "ODYSSEY_BODY_MAX=", NULL };

    expect_error(e1, "ODYSSEY_WORKERS");
    expect_error(e2, "ODYSSEY_WORKERS");
    expect_error(e3, "ODYSSEY_SOCKET_MODE");
    expect_error(e4, "ODYSSEY_LOG_LEVEL");
    expect_error(e5, "ODYSSEY_SOCKET");
    expect_error(e6, "ODYSSEY_JWT_LEEWAY");
    expect_error(e7, "ODYSSEY_BODY_MAX");
}

static void
test_file_then_environment(void)
{
    char path[] = "/tmp/od-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char cfgvar[64];
    char *env[] = { cfgvar, "ODYSSEY_RUNNERS=7", NULL };
    od_config c;
    char err[256];

    fprintf(f, "# comment\n\nODYSSEY_RUNNERS=3\nODYSSEY_JWT_ISSUER = \"https://id.example\"\n"
            "ODYSSEY_POLL_INTERVAL=250\n");
    fclose(f);
    snprintf(cfgvar, sizeof(cfgvar), "ODYSSEY_CONFIG=%s", path);
    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, env, err, sizeof(err)), OD_OK);
    CU_ASSERT_EQUAL(c.runners, 7);  /* the environment wins */
    CU_ASSERT_EQUAL(c.poll_interval, 250);
    CU_ASSERT_STRING_EQUAL(c.jwt_issuer, "https://id.example");
    od_config_free(&c);
    unlink(path);
}

static void
test_file_errors(void)
{
    char path[] = "/tmp/od-config-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char cfgvar[64];
    char *env[] = { cfgvar, NULL };
    char *missing[] = { "ODYSSEY_CONFIG=/nonexistent/odyssey.conf", NULL };

    fprintf(f, "ODYSSEY_WORKERS=2\nODYSSEY_WROKERS=3\n");
    fclose(f);
    snprintf(cfgvar, sizeof(cfgvar), "ODYSSEY_CONFIG=%s", path);
    expect_error(env, "ODYSSEY_WROKERS");
    expect_error(env, ":2:");
    expect_error(missing, "ODYSSEY_CONFIG");
    unlink(path);
}

static void
test_queue_caps(void)
{
    char *env[] = { "ODYSSEY_QUEUE_CAP=3", "ODYSSEY_QUEUE_CAPS=webhook.deliver=8,noop=16",
                    "ODYSSEY_CLOCK_OFFSET=-3600", NULL };
    char *bad1[] = { "ODYSSEY_QUEUE_CAPS=webhook.deliver", NULL };
    char *bad2[] = { "ODYSSEY_QUEUE_CAPS=noop=0", NULL };
    char *bad3[] = { "ODYSSEY_QUEUE_CAPS=noop=4,", NULL };
    char *bad4[] = { "ODYSSEY_QUEUE_CAPS=Noop=4", NULL };
    char *bad5[] = { "ODYSSEY_QUEUE_CAPS=noop=4x", NULL };
    char *bad6[] = { "ODYSSEY_QUEUE_CAPS==4", NULL };
    od_config c;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, env, err, sizeof(err)), OD_OK);
    CU_ASSERT_EQUAL(od_config_kind_cap(&c, "webhook.deliver"), 8);
    CU_ASSERT_EQUAL(od_config_kind_cap(&c, "noop"), 16);
    CU_ASSERT_EQUAL(od_config_kind_cap(&c, "webhook"), 3);      /* a prefix is not a match */
    CU_ASSERT_EQUAL(od_config_kind_cap(&c, "events.fanout"), 3);
    CU_ASSERT_EQUAL(c.clock_offset, -3600);
    CU_ASSERT_EQUAL(c.queue_lease, 60);
    CU_ASSERT_EQUAL(c.queue_batch, 32);
    od_config_free(&c);
    CU_ASSERT_EQUAL(od_config_caps_check("", err, sizeof(err)), 0);
    /* by default deliveries may use every runner (docs/webhooks.md) */
    CU_ASSERT_EQUAL_FATAL(od_config_load(&c, bad1 + 1, err, sizeof(err)), OD_OK);
    CU_ASSERT_EQUAL(od_config_kind_cap(&c, "webhook.deliver"), 64);
    CU_ASSERT_EQUAL(od_config_kind_cap(&c, "events.fanout"), 4);
    od_config_free(&c);
    CU_ASSERT_EQUAL(od_config_caps_check("a=1", err, sizeof(err)), 0);
    expect_error(bad1, "ODYSSEY_QUEUE_CAPS");
    expect_error(bad2, "ODYSSEY_QUEUE_CAPS");
    expect_error(bad3, "ODYSSEY_QUEUE_CAPS");
    expect_error(bad4, "ODYSSEY_QUEUE_CAPS");
    expect_error(bad5, "ODYSSEY_QUEUE_CAPS");
    expect_error(bad6, "ODYSSEY_QUEUE_CAPS");
}

static const od_unit_case cases[] = {
    { "defaults", test_defaults },
    { "environment", test_environment },
    { "bad values name the key", test_bad_values_name_the_key },
    { "file, then the environment wins", test_file_then_environment },
    { "file errors name line and key", test_file_errors },
    { "queue caps per kind", test_queue_caps },
};

OD_UNIT_MAIN("config", cases)
