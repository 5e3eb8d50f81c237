#!/usr/bin/env bash
# bench/queue.sh: the job queue's throughput and its idle claim latency.
#   1. 100,000 noop jobs over 50 vendors (2,000 each) are enqueued while the daemon
#      is stopped; then odyssey-worker starts with 4 runners and a cap of 4 per
#      vendor, and the time until every job is claimed and finished is measured
#      (jobs/s = 100,000 / that time; it includes the runners' start).
#   2. With the daemon idle, one noop job is enqueued at a time (ROUNDS, default
#      50): claim latency = attempted_at (the daemon's clock at claim) - created_at
#      (the enqueue's transaction start), both on this machine's clock.
# Needs a dev stack (scripts/dev up); the benchmark vendors "Bench Queue N" are made
# once. The stack's own worker is stopped for the run and started again after.
#   bench/queue.sh            # JOBS=100000 VENDORS=50 RUNNERS=4 CAP=4 BATCH=32
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/var/dev.env"
JOBS=${JOBS:-100000}
VENDORS=${VENDORS:-50}
RUNNERS=${RUNNERS:-4}
CAP=${CAP:-4}
BATCH=${BATCH:-32}
ROUNDS=${ROUNDS:-50}
LOG=$ROOT/var/log/bench-queue-worker.log
PIDFILE=$ROOT/var/run/worker.pid

sql() { psql "$ODYSSEY_ADMIN_DATABASE_URL" -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }

stop_worker() {
    local pid
    [ -s "$PIDFILE" ] || return 0
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

start_worker() {   # start_worker [VAR=value...]: the stack's worker, with extra settings
    env "$@" ODYSSEY_CONFIG="$ODYSSEY_CONFIG" setsid "$ROOT/build/odyssey-worker" \
        >>"$LOG" 2>&1 </dev/null &
    echo $! > "$PIDFILE"
}

have=$(sql "SELECT count(*) FROM vendors WHERE name LIKE 'Bench Queue %'")
for i in $(seq $((have + 1)) "$VENDORS"); do
    odysseyctl vendor create --name "Bench Queue $i" >/dev/null
done
sql "SELECT id FROM vendors WHERE name LIKE 'Bench Queue %' ORDER BY name LIMIT $VENDORS" \
    > "$ROOT/var/bench-queue-vendors.txt"

stop_worker
trap 'stop_worker; start_worker' EXIT
sql "DELETE FROM jobs WHERE kind = 'noop'; DELETE FROM jobs_archive WHERE kind = 'noop'" >/dev/null
sql "VACUUM ANALYZE jobs" >/dev/null
sql "VACUUM ANALYZE job_lanes" >/dev/null

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB," \
     "$(. /etc/os-release; echo "$PRETTY_NAME"); PostgreSQL $(sql 'SHOW server_version')"
echo "# $JOBS noop jobs over $VENDORS vendors; $RUNNERS runners, cap $CAP, batch $BATCH"
start=$(date +%s.%N)
sql "SELECT count(od_job_enqueue('noop', v.id, '{}', NULL, NULL, NULL, NULL))
     FROM generate_series(1, $JOBS / $VENDORS) n,
          (SELECT id FROM vendors WHERE name LIKE 'Bench Queue %' ORDER BY name LIMIT $VENDORS) v" \
    >/dev/null
end=$(date +%s.%N)
echo "enqueue: $(python3 -c "print('%.0f jobs/s (%.1f s, one statement)' % ($JOBS / ($end - $start), $end - $start))")"

start=$(date +%s.%N)
start_worker ODYSSEY_RUNNERS="$RUNNERS" ODYSSEY_QUEUE_CAP="$CAP" ODYSSEY_QUEUE_BATCH="$BATCH" \
    ODYSSEY_LOG_LEVEL=info
while [ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'noop'")" != 0 ]; do
    sleep 0.2
done
end=$(date +%s.%N)
done_jobs=$(sql "SELECT count(*) FROM jobs_archive WHERE kind = 'noop' AND state = 'completed'")
echo "claimed and finished: $(python3 -c "print('%.0f jobs/s (%d jobs in %.1f s)' % ($done_jobs / ($end - $start), $done_jobs, $end - $start))")"
echo "hot table now: $(sql "SELECT pg_size_pretty(pg_total_relation_size('jobs'))"), dead tuples" \
     "$(sql "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'jobs'")"

# Idle claim latency: the daemon waits (polling every ODYSSEY_POLL_INTERVAL) and is
# woken by the NOTIFY of each enqueue.
vendor=$(head -1 "$ROOT/var/bench-queue-vendors.txt")
sleep 2
ids=()
for i in $(seq 1 "$ROUNDS"); do
    ids+=("$(sql "SELECT od_job_enqueue('noop', '$vendor', '{}', NULL, NULL, NULL, NULL)")")
    sleep 0.2
done
while [ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'noop'")" != 0 ]; do sleep 0.1; done
sql "SELECT 'idle claim latency after enqueue: p50 ' ||
            round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) || ' ms, p95 ' ||
            round((percentile_cont(0.95) WITHIN GROUP (ORDER BY ms))::numeric, 1) || ' ms, max ' ||
            round(max(ms)::numeric, 1) || ' ms over ' || count(*) || ' jobs'
     FROM (SELECT extract(epoch FROM attempted_at - created_at) * 1000 AS ms
             FROM jobs_archive WHERE id IN ($(IFS=,; echo "${ids[*]}"))) s"
