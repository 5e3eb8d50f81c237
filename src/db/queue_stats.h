/* queue_stats.h: read-only views of the jobs table (the queue's design and its
 * claim/finish statements come with the queue issue). */
#ifndef OD_QUEUE_STATS_H
#define OD_QUEUE_STATS_H

#include "core/arena.h"
#include "db/db.h"

/* Counts jobs that are available and due now into *n. Returns od_db_exec codes. */
od_rc od_queue_available(od_db *db, od_arena *a, long *n);

#endif
