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
#   ONLY="get-by-id upsert" bench/catalog.sh ...    # some scenarios only
set -euo pipefail
SUMMARY=${1:-$(cd "$(dirname "$0")/.." && pwd)/var/bench/catalog-a.json}
. "$(dirname "$0")/lib.sh"

VENDOR=$(field 'd["vendor_id"]')
RARE=$(field 'd["word_classes"]["rare"][0]["word"]')
MEDIUM=$(field 'd["word_classes"]["medium"][0]["word"]')
COMMON=$(field 'd["word_classes"]["common"][0]["word"]')
UNIVERSAL=$(field 'd["word_classes"]["near_universal"][0]["word"]')

# A vendor admin of the bench vendor (the demo users belong to the demo vendor).
TOKEN=$(bench_user vendor_admin)

CATEGORY=$(sql "SELECT category_id FROM products WHERE vendor_id = '$VENDOR' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
BRAND=$(sql "SELECT brand FROM products WHERE vendor_id = '$VENDOR' GROUP BY 1 ORDER BY count(*) LIMIT 1")
BRAND_Q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$BRAND")

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
! wanted upsert || "$ROOT/bench/catalog-upsert" --token "$TOKEN" --vendor "$VENDOR" --rounds 3
