#!/usr/bin/env bash
# bench/http.sh: wrk through nginx over HTTPS against GET /healthz and
# GET /api/v1/me: throughput at 32 connections, latency at 8 connections.
#
# It runs against the dev stack started with the benchmark rate-limit profile
# (nginx/rate-limits-bench.conf), because the PRD's 60 requests/minute per user
# would otherwise turn almost every request into a 429:
#
#   ODYSSEY_RATE_LIMITS=rate-limits-bench.conf scripts/dev up
#   bench/http.sh            # DURATION=20 bench/http.sh for longer runs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/var/dev.env"
DURATION=${DURATION:-15}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null

if ! grep -q 'rate-limits-bench.conf' "$ROOT/var/nginx/nginx.conf"; then
    echo "bench: the stack runs with the PRD rate limits; restart it with" >&2
    echo "  ODYSSEY_RATE_LIMITS=rate-limits-bench.conf scripts/dev up" >&2
    exit 1
fi

run() {   # run NAME PATH CONNECTIONS TOKEN
    local out
    out=$(BENCH_TOKEN=$4 wrk -t2 -c"$3" -d"${DURATION}s" --latency -s "$ROOT/bench/report.lua" \
        "$ODYSSEY_URL$2" | grep '^RESULT')
    printf '%-14s c=%-3s %s\n' "$1" "$3" "${out#RESULT }"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); duration ${DURATION}s per run"
echo "# workers: $(grep '^ODYSSEY_WORKERS' "$ODYSSEY_CONFIG" | cut -d= -f2) (0 = 2 x cores)"
run healthz /healthz 32 ""
run me /api/v1/me 32 "$ODYSSEY_TOKEN_ADMIN"
run healthz /healthz 8 ""
run me /api/v1/me 8 "$ODYSSEY_TOKEN_ADMIN"
