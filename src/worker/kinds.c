/* kinds.c: the table of job kinds, and the built-in noop kind (tests and the
 * benchmark: it does nothing and succeeds). */
#include "worker/kinds.h"

#include <string.h>

static od_job_result
noop_run(od_job_ctx *ctx, const od_job *job)
{
    (void)ctx;
    (void)job;
    return (od_job_result){ .outcome = OD_JOB_DONE };
}

static const od_job_kind kind_noop = {
    .name = "noop",
    .run = noop_run,
    .backoff_base_ms = 1000,
    .backoff_cap_ms = 60000,
    .lease_sec = 0,
};

/* Every kind in production. Add a kind here and in kinds.h. */
static const od_job_kind *const kinds[] = {
    &kind_noop,
    &od_kind_events_fanout,
    &od_kind_events_sweep,
    &od_kind_webhook_deliver,
    &od_kind_retention_purge,
};

/* Kinds that exist for the test suite only (ODYSSEY_QUEUE_TEST_KINDS=1). */
static const od_job_kind *const test_kinds[] = {
    &od_kind_test_sleep,
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
#define NTEST  (sizeof(test_kinds) / sizeof(test_kinds[0]))

size_t
od_kinds_count(const od_config *cfg)
{
    return NKINDS + (cfg->queue_test_kinds ? NTEST : 0);
}

const od_job_kind *
od_kinds_at(const od_config *cfg, size_t i)
{
    if (i < NKINDS)
        return kinds[i];
    if (cfg->queue_test_kinds && i - NKINDS < NTEST)
        return test_kinds[i - NKINDS];
    return NULL;
}

const od_job_kind *
od_kinds_find(const od_config *cfg, const char *name)
{
    size_t n = od_kinds_count(cfg);

    for (size_t i = 0; i < n; i++) {
        const od_job_kind *k = od_kinds_at(cfg, i);

        if (strcmp(k->name, name) == 0)
            return k;
    }
    return NULL;
}

int
od_kinds_lease(const od_config *cfg, const od_job_kind *k)
{
    return k->lease_sec > 0 ? k->lease_sec : cfg->queue_lease;
}
