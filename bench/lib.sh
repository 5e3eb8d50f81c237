# bench/lib.sh: what the wrk benchmarks share; sourced by catalog.sh and
# customers.sh with SUMMARY (a generator's --summary file) set. Reads the dev
# stack's environment, refuses a stack with the PRD rate limits, and defines:
#   field EXPR           a value of the summary JSON (d["vendor_id"])
#   bench_user ROLE      a user of the summary's vendor with ROLE; prints a token
#   sql QUERY            a query as the owner, unaligned
#   paths NAME LINE...   one file of request paths per scenario
#   run NAME CONN [METHOD BODYFILE]   wrk over those paths; one summary line
#   wanted NAME          true unless ONLY (a list of scenario names) leaves NAME out
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/var/dev.env"
DURATION=${DURATION:-10}
WORK=$ROOT/var/bench
mkdir -p "$WORK"
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null

if ! grep -q 'rate-limits-bench.conf' "$ROOT/var/nginx/nginx.conf"; then
    echo "bench: the stack runs with the PRD rate limits; restart it with" >&2
    echo "  ODYSSEY_RATE_LIMITS=rate-limits-bench.conf scripts/dev up" >&2
    exit 1
fi

field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$SUMMARY" "$1"; }

bench_user() {
    local vendor user
    vendor=$(field 'd["vendor_id"]')
    user=bench-${1#vendor_}-${vendor:0:8}
    odysseyctl user add --id "$user" --email "$user@bench.example" >/dev/null 2>&1 || true
    odysseyctl user link --user "$user" --vendor "$vendor" --role "$1" >/dev/null 2>&1 || true
    odysseyctl token --user "$user" --ttl 7200
}

sql() { psql "$ODYSSEY_ADMIN_DATABASE_URL" -X -q -tA -c "$1"; }

paths() {
    local name=$1
    shift
    printf '%s\n' "$@" > "$WORK/paths-$name.txt"
}

wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

run() {
    local out
    wanted "$1" || return 0
    out=$(BENCH_TOKEN=$TOKEN BENCH_PATHS=$WORK/paths-$1.txt BENCH_METHOD=${3:-GET} \
          BENCH_BODY=${4:-} wrk -t2 -c"$2" -d"${DURATION}s" --latency \
          -s "$ROOT/bench/report.lua" "$ODYSSEY_URL" | grep '^RESULT')
    printf '%-26s c=%-3s %s\n' "$1" "$2" "${out#RESULT }"
}
