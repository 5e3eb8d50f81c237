/* kinds.h: the registry of job kinds the daemon runs. A kind lives in its own file
 * (src/worker/kind_*.c) as a const od_job_kind; kinds.c lists them. A daemon claims
 * only the kinds it has, so a job of an unknown kind waits for a daemon that knows
 * it. */
#ifndef OD_KINDS_H
#define OD_KINDS_H

#include <stddef.h>

#include "core/config.h"
#include "worker/job.h"

/* The kinds (each defined in its own file). */
extern const od_job_kind od_kind_test_sleep;       /* kind_test.c: tests only */
extern const od_job_kind od_kind_webhook_deliver;   /* kind_deliver.c */
extern const od_job_kind od_kind_events_fanout;     /* kind_fanout.c */
extern const od_job_kind od_kind_events_sweep;      /* kind_sweep.c */
extern const od_job_kind od_kind_retention_purge;   /* kind_retention.c */

/* Returns the number of kinds this daemon runs with cfg (the test kinds only when
 * ODYSSEY_QUEUE_TEST_KINDS=1). */
size_t od_kinds_count(const od_config *cfg);

/* Returns kind i (0 <= i < od_kinds_count(cfg)); static. */
const od_job_kind *od_kinds_at(const od_config *cfg, size_t i);

/* Returns the kind named name that this daemon runs, or NULL. */
const od_job_kind *od_kinds_find(const od_config *cfg, const char *name);

/* The lease of k: its own, else ODYSSEY_QUEUE_LEASE. */
int od_kinds_lease(const od_config *cfg, const od_job_kind *k);

#endif
