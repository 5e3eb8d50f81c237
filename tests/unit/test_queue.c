/* test_queue.c: the pure parts of the queue: the retry backoff with its jitter, the
 * daemon's clock offset, and the queue module's timestamps, ids and error texts. */
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "db/queue.h"
#include "unit.h"
#include "worker/job.h"

static const od_job_kind kind = { .name = "t", .backoff_base_ms = 1000,
                                  .backoff_cap_ms = 60000 };

static void
test_backoff_doubles_up_to_the_cap(void)
{
    /* r = 0.999...: the full delay (x 1); r = 0: half of it */
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 1, 0.0), 500);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 2, 0.0), 1000);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 3, 0.0), 2000);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 6, 0.0), 16000);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 7, 0.0), 30000);    /* 64 s capped at 60 */
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 1000, 0.0), 30000); /* no overflow */
    CU_ASSERT(od_job_backoff_ms(&kind, 1, 0.999999) >= 999);
    CU_ASSERT(od_job_backoff_ms(&kind, 1, 0.999999) <= 1000);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 2, 0.5), 1500);
    /* out-of-range inputs: attempt below 1 is the first, r outside [0,1) no jitter */
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 0, 0.0), 500);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&kind, 1, 1.5), 500);
}

static void
test_backoff_defaults(void)
{
    od_job_kind bare = { .name = "bare" };

    /* no base: 1 s; no cap: 1 h */
    CU_ASSERT_EQUAL(od_job_backoff_ms(&bare, 1, 0.0), 500);
    CU_ASSERT_EQUAL(od_job_backoff_ms(&bare, 30, 0.0), 1800000);
}

static void
test_clock_offset(void)
{
    od_config cfg = { .clock_offset = 3600 };
    od_config zero = { .clock_offset = 0 };
    long long a = od_job_clock_ms(&zero), b = od_job_clock_ms(&cfg);

    CU_ASSERT(b - a >= 3600000 && b - a < 3601000);
    CU_ASSERT(od_job_clock(&cfg) - time(NULL) >= 3599 && od_job_clock(&cfg) - time(NULL) <= 3601);
}

static void
test_timestamps(void)
{
    char ts[40];

    od_queue_timestamp(0, ts);
    CU_ASSERT_STRING_EQUAL(ts, "1970-01-01 00:00:00.000+00");
    od_queue_timestamp(1700000000123LL, ts);
    CU_ASSERT_STRING_EQUAL(ts, "2023-11-14 22:13:20.123+00");
    od_queue_timestamp(-1, ts);
    CU_ASSERT_STRING_EQUAL(ts, "1969-12-31 23:59:59.999+00");
}

static void
test_ids(void)
{
    CU_ASSERT(od_queue_id_ok("1"));
    CU_ASSERT(od_queue_id_ok("123456789012345678"));
    CU_ASSERT(!od_queue_id_ok("1234567890123456789"));
    CU_ASSERT(!od_queue_id_ok(""));
    CU_ASSERT(!od_queue_id_ok(NULL));
    CU_ASSERT(!od_queue_id_ok("-1"));
    CU_ASSERT(!od_queue_id_ok("12a"));
    CU_ASSERT(!od_queue_id_ok("00000000-0000-0000-0000-0000000000aa"));
}

static void
test_clean_text(void)
{
    od_arena *a = od_arena_create(0);

    CU_ASSERT_PTR_NULL(od_queue_clean_text(a, NULL, 10));
    CU_ASSERT_STRING_EQUAL(od_queue_clean_text(a, "ok\tline\n", 100), "ok\tline\n");
    /* control characters, DEL and invalid UTF-8 become '?' */
    CU_ASSERT_STRING_EQUAL(od_queue_clean_text(a, "a\x01" "b\x7f" "c\xff", 100), "a?b?c?");
    /* an overlong form and a lone continuation byte */
    CU_ASSERT_STRING_EQUAL(od_queue_clean_text(a, "\xc0\xaf" "\x80", 100), "???");
    /* cut on a character boundary: "é" is two bytes */
    CU_ASSERT_STRING_EQUAL(od_queue_clean_text(a, "ab\xc3\xa9", 3), "ab");
    CU_ASSERT_STRING_EQUAL(od_queue_clean_text(a, "ab\xc3\xa9", 4), "ab\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(od_queue_clean_text(a, "\xf0\x9f\x98\x80!", 5), "\xf0\x9f\x98\x80!");
    od_arena_destroy(a);
}

static const od_unit_case cases[] = {
    { "backoff doubles up to the cap, with jitter", test_backoff_doubles_up_to_the_cap },
    { "backoff defaults", test_backoff_defaults },
    { "the clock offset", test_clock_offset },
    { "timestamps", test_timestamps },
    { "job ids", test_ids },
    { "error texts are cut and made valid UTF-8", test_clean_text },
};

OD_UNIT_MAIN("queue", cases)
