/* retention.h: the SQL of the retention purge and of the outbox sweep
 * (sql/022_retention.sql). Time is the daemon's clock, in unix seconds. */
#ifndef OD_DB_RETENTION_H
#define OD_DB_RETENTION_H

#include <time.h>

#include "core/arena.h"
#include "db/db.h"

/* Deletes at most batch rows of target ("idempotency_keys", "raw_pages",
 * "matches_cache", "ingest_errors", "events", "webhook_deliveries",
 * "webhook_secrets") that are past their retention at now, in one transaction of
 * its own, and sets *deleted. Returns the od_db_exec codes. */
od_rc od_retention_purge(od_db *db, od_arena *a, const char *target, time_t now, int batch,
                         long *deleted);

/* Enqueues a fanout for each vendor with an event still unpublished a minute after
 * it occurred (at now); *queued gets how many. Returns the od_db_exec codes. */
od_rc od_events_sweep(od_db *db, od_arena *a, time_t now, long *queued);

#endif
