/* test_arena.c: the per-request arena: alignment, growth, cap, reset callbacks. */
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "unit.h"

static int cleanup_order[8];
static int cleanup_count;

static void
record(void *arg)
{
    cleanup_order[cleanup_count++] = (int)(intptr_t)arg;
}

static void
test_alloc_aligned_and_distinct(void)
{
    od_arena *a = od_arena_create(0);
    char *p = od_arena_alloc(a, 3), *q = od_arena_alloc(a, 5);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    CU_ASSERT((uintptr_t)p % _Alignof(max_align_t) == 0);
    CU_ASSERT((uintptr_t)q % _Alignof(max_align_t) == 0);
    CU_ASSERT(q >= p + 3);
    od_arena_destroy(a);
}

static void
test_big_allocation_gets_own_block(void)
{
    od_arena *a = od_arena_create(0);
    char *big = od_arena_alloc(a, 1 << 20);

    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'x', 1 << 20);
    CU_ASSERT(od_arena_used(a) >= (1u << 20));
    od_arena_reset(a);
    CU_ASSERT_EQUAL(od_arena_used(a), 0);
    od_arena_destroy(a);
}

static void
test_cap_refuses(void)
{
    od_arena *a = od_arena_create(128 * 1024);

    CU_ASSERT_PTR_NOT_NULL(od_arena_alloc(a, 32 * 1024));
    CU_ASSERT_PTR_NULL(od_arena_alloc(a, 200 * 1024));
    /* still usable after a refusal */
    CU_ASSERT_PTR_NOT_NULL(od_arena_alloc(a, 16));
    od_arena_destroy(a);
}

static void
test_cleanups_run_newest_first_on_reset(void)
{
    od_arena *a = od_arena_create(0);

    cleanup_count = 0;
    od_arena_on_reset(a, record, (void *)1);
    od_arena_on_reset(a, record, (void *)2);
    od_arena_on_reset(a, record, (void *)3);
    od_arena_reset(a);
    CU_ASSERT_EQUAL(cleanup_count, 3);
    CU_ASSERT_EQUAL(cleanup_order[0], 3);
    CU_ASSERT_EQUAL(cleanup_order[2], 1);
    od_arena_reset(a);  /* cleanups run once only */
    CU_ASSERT_EQUAL(cleanup_count, 3);
    od_arena_on_reset(a, record, (void *)4);
    od_arena_destroy(a);
    CU_ASSERT_EQUAL(cleanup_count, 4);
}

static void
test_cleanup_runs_when_registration_fails(void)
{
    od_arena *a = od_arena_create(64 * 1024);

    cleanup_count = 0;
    while (od_arena_alloc(a, 1024) != NULL)
        ;
    CU_ASSERT_EQUAL(od_arena_on_reset(a, record, (void *)9), -1);
    CU_ASSERT_EQUAL(cleanup_count, 1);
    od_arena_destroy(a);
}

static void
test_strings(void)
{
    od_arena *a = od_arena_create(0);

    CU_ASSERT_STRING_EQUAL(od_arena_strdup(a, "abc"), "abc");
    CU_ASSERT_STRING_EQUAL(od_arena_strndup(a, "abcdef", 2), "ab");
    CU_ASSERT_STRING_EQUAL(od_arena_printf(a, "%d-%s", 7, "x"), "7-x");
    CU_ASSERT_PTR_NULL(od_arena_strdup(a, NULL));
    od_arena_destroy(a);
}

static const od_unit_case cases[] = {
    { "alloc is aligned and distinct", test_alloc_aligned_and_distinct },
    { "big allocation gets its own block", test_big_allocation_gets_own_block },
    { "cap refuses growth", test_cap_refuses },
    { "cleanups run newest first, once", test_cleanups_run_newest_first_on_reset },
    { "cleanup runs when registration fails", test_cleanup_runs_when_registration_fails },
    { "string helpers", test_strings },
};

OD_UNIT_MAIN("arena", cases)
