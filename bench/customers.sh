#!/usr/bin/env bash
# bench/customers.sh: customers and health profiles through nginx with wrk (latency
# at 8 connections, throughput at 32): the customer list and its searches of a
# common, a medium and a rare name word, the tag filter, health profile reads and
# health profile writes (PUT). Needs a dev stack with the benchmark rate limits and
# a vendor loaded by bench/customer-gen (its --summary file):
#
#   ODYSSEY_RATE_LIMITS=rate-limits-bench.conf scripts/dev up
#   bench/customer-gen --vendor-name "Bench Customers A" --count 1000000 --seed 1 \
#       --jobs 2 --summary var/bench/customers-a.json
#   bench/customers.sh var/bench/customers-a.json     # DURATION=20 for longer runs
#
# The health runs read and write profiles that bench/customer-gen loaded without
# derived_limits: a first read derives them (a write). WARM=1 (the default) first
# reads every profile of the health paths once, so the timed runs measure the
# steady state; the warm-up's own time is printed too.
set -euo pipefail
SUMMARY=${1:-$(cd "$(dirname "$0")/.." && pwd)/var/bench/customers-a.json}
PROFILES=${PROFILES:-5000}
. "$(dirname "$0")/lib.sh"

VENDOR=$(field 'd["vendor_id"]')
COMMON=$(field 'd["q_words"]["common"]["word"]')
MEDIUM=$(field 'd["q_words"]["medium"]["word"]')
RARE=$(field 'd["q_words"]["rare"]["word"]')
TAG=$(field 'd["custom_tag"]["tag"]')

# An operator of the bench vendor: customers.read and health.read/write.
TOKEN=$(bench_user vendor_operator)

C=/api/v1/customers
paths customers-default "$C"
paths customers-search-common "$C?q=$COMMON"
paths customers-search-medium "$C?q=$MEDIUM"
paths customers-search-rare "$C?q=$RARE"
paths customers-tag "$C?custom_tags.any=$TAG"
paths customers-mix "$C?q=$COMMON" "$C?q=$MEDIUM" "$C?custom_tags.any=$TAG" \
    "$C?updated_after=2026-06-01T00:00:00Z" "$C?q=$RARE"
sql "SELECT '$C/' || customer_id || '/health' FROM customer_health_profiles
     WHERE vendor_id = '$VENDOR' ORDER BY md5(customer_id::text) LIMIT $PROFILES" \
    > "$WORK/paths-health-read.txt"
# Writes go to other profiles than the reads.
sql "SELECT '$C/' || customer_id || '/health' FROM customer_health_profiles
     WHERE vendor_id = '$VENDOR' ORDER BY md5(customer_id::text || 'w') LIMIT $PROFILES" \
    > "$WORK/paths-health-write.txt"
cat > "$WORK/health-put.json" <<'JSON'
{"height": "5'10\"", "weight": "182 lb", "activity_level": "light",
 "conditions": ["hypertension", "T2D"], "diet_goals": ["weight_loss"],
 "avoid_allergens": ["peanuts"], "macro_targets": {"sodium_mg": 1800}}
JSON

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r); ${DURATION}s per run"
echo "# vendor $VENDOR: $(sql "SELECT count(*) FROM customers WHERE vendor_id = '$VENDOR'") customers," \
     "$(sql "SELECT count(*) FROM customer_health_profiles WHERE vendor_id = '$VENDOR'") profiles;" \
     "vendors: $(sql "SELECT count(*) FROM vendors")"
echo "# words: common=$COMMON medium=$MEDIUM rare=$RARE; tag=$TAG"
if [ "${WARM:-1}" = 1 ]; then
    start=$(date +%s)
    cat "$WORK/paths-health-read.txt" "$WORK/paths-health-write.txt" |
        python3 "$ROOT/bench/warm-up" --token "$TOKEN" --url "$ODYSSEY_URL" \
            --ca "$ODYSSEY_CA_CERT"
    echo "# warm-up: $((2 * PROFILES)) first reads (each derives and writes) in" \
         "$(( $(date +%s) - start )) s"
fi
for s in customers-default customers-search-common customers-search-medium \
         customers-search-rare customers-tag customers-mix health-read; do
    run "$s" 8
done
run health-write 8 PUT "$WORK/health-put.json"
for s in customers-mix health-read; do
    run "$s" 32
done
run health-write 32 PUT "$WORK/health-put.json"
echo "# audit rows for this vendor's health profiles: $(sql "SELECT count(*) FROM audit_log
     WHERE vendor_id = '$VENDOR' AND entity = 'customer_health_profiles'")"
