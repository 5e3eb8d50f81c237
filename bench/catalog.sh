#!/usr/bin/env bash
# bench/catalog.sh: the catalog through nginx with wrk (latency at 8 connections,
# throughput at 32) for lists with filters, searches of rare, common and
# near-universal words in both sorts, and get by id; then the batch upsert's rows/s
# (bench/catalog-upsert). Needs a dev stack with the benchmark rate limits and a
# vendor loaded by bench/catalog-gen (its --summary file):
#
#   ODYSSEY_RATE_LIMITS=rate-limits-bench.conf scripts/dev up
#   bench/catalog-gen --vendor-name "Bench Catalog A" --count 500000 --seed 1 \
#       --jobs 2 --summary var/bench/catalog-a.json
#   bench/catalog-gen --vendor-name "Bench Catalog B" --count 500000 --seed 2 \
#       --jobs 2 --summary var/bench/catalog-b.json
#   bench/catalog.sh var/bench/catalog-a.json     # DURATION=20 for longer runs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/var/dev.env"
SUMMARY=${1:-$ROOT/var/bench/catalog-a.json}
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
VENDOR=$(field 'd["vendor_id"]')
RARE=$(field 'd["word_classes"]["rare"][0]["word"]')
MEDIUM=$(field 'd["word_classes"]["medium"][0]["word"]')
COMMON=$(field 'd["word_classes"]["common"][0]["word"]')
UNIVERSAL=$(field 'd["word_classes"]["near_universal"][0]["word"]')

# A vendor admin of the bench vendor (the demo users belong to the demo vendor).
USER=bench-admin-${VENDOR:0:8}
odysseyctl user add --id "$USER" --email "$USER@bench.example" >/dev/null 2>&1 || true
odysseyctl user link --user "$USER" --vendor "$VENDOR" --role vendor_admin >/dev/null 2>&1 || true
TOKEN=$(odysseyctl token --user "$USER" --ttl 7200)

sql() { psql "$ODYSSEY_ADMIN_DATABASE_URL" -X -q -tA -c "$1"; }
CATEGORY=$(sql "SELECT category_id FROM products WHERE vendor_id = '$VENDOR' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
BRAND=$(sql "SELECT brand FROM products WHERE vendor_id = '$VENDOR' GROUP BY 1 ORDER BY count(*) LIMIT 1")
BRAND_Q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$BRAND")

# paths NAME LINE...: one file of request paths per scenario.
paths() {
    local name=$1
    shift
    printf '%s\n' "$@" > "$WORK/paths-$name.txt"
}
S=/api/v1/search/products
paths list-default "/api/v1/products"
paths list-filters "/api/v1/products?category_id=$CATEGORY&allergens.none=peanuts,milk" \
    "/api/v1/products?tags.any=vegan,keto" "/api/v1/products?brand=$BRAND_Q" \
    "/api/v1/products?status=inactive" "/api/v1/products?q=$COMMON&allergens.none=wheat"
for w in rare:$RARE medium:$MEDIUM common:$COMMON universal:$UNIVERSAL; do
    paths "search-${w%%:*}-relevance" "$S?q=${w#*:}"
    paths "search-${w%%:*}-updated" "$S?q=${w#*:}&sort=-updated_at"
done
paths search-prefix "$S?q=${COMMON:0:4}&prefix=true"
sql "SELECT '/api/v1/products/' || id FROM products WHERE vendor_id = '$VENDOR' AND soft_deleted_at IS NULL
     ORDER BY md5(id::text) LIMIT 5000" > "$WORK/paths-get-by-id.txt"

run() {   # run SCENARIO CONNECTIONS
    local out
    out=$(BENCH_TOKEN=$TOKEN BENCH_PATHS=$WORK/paths-$1.txt wrk -t2 -c"$2" -d"${DURATION}s" \
        --latency -s "$ROOT/bench/report.lua" "$ODYSSEY_URL" | grep '^RESULT')
    printf '%-26s c=%-3s %s\n' "$1" "$2" "${out#RESULT }"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); ${DURATION}s per run"
echo "# vendor $VENDOR: $(sql "SELECT count(*) FROM products WHERE vendor_id = '$VENDOR'") products;" \
     "all vendors: $(sql "SELECT count(*) FROM products")"
echo "# words: rare=$RARE medium=$MEDIUM common=$COMMON near-universal=$UNIVERSAL; brand=$BRAND"
for s in list-default list-filters search-rare-relevance search-rare-updated \
         search-medium-relevance search-medium-updated search-common-relevance \
         search-common-updated search-universal-relevance search-universal-updated \
         search-prefix get-by-id; do
    run "$s" 8
done
for s in list-filters search-common-relevance search-universal-relevance get-by-id; do
    run "$s" 32
done
"$ROOT/bench/catalog-upsert" --token "$TOKEN" --rounds 3
