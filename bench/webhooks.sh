#!/usr/bin/env bash
# bench/webhooks.sh: webhook delivery throughput of the dev stack's queue daemon to
# a fast receiver on loopback (an nginx of its own answering 204, with keep-alive:
# the Python receiver of the tests would be the bottleneck).
#
#   scripts/dev up            (it allows http://127.0.0.1 receivers)
#   bench/webhooks.sh [N]     N events (default 10000) -> N deliveries
#
# It makes a vendor with one endpoint subscribed to everything, writes N events to
# the outbox in one statement (like a 10,000-product upsert), and reports how long
# the fanout took (all events published, all deliveries queued) and the delivery
# rate: deliveries / (last delivered_at - first delivered_at), plus the end-to-end
# time from the insert to the last delivery, and the latency (delivered_at -
# occurred_at) percentiles. WORKER_ENV="ODYSSEY_RUNNERS=4 ODYSSEY_QUEUE_CAPS=..."
# restarts the daemon with those settings first, and as the stack had it at the
# end. The vendor's rows stay (its endpoint is deleted at the end).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/var/dev.env"
N=${1:-10000}
PORT=${RECEIVER_PORT:-18204}
WORK=$ROOT/var/bench/webhooks
mkdir -p "$WORK/logs"

sql() { psql "$ODYSSEY_ADMIN_DATABASE_URL" -X -q -tA -c "$1"; }
curlj() { curl -sf --cacert "$ODYSSEY_CA_CERT" -H "Authorization: Bearer $TOKEN" "$@"; }

# --- the receiver: nginx answering 204 to everything, keep-alive on -----------------
cat > "$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $WORK/body;
    proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi;
    scgi_temp_path $WORK/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$PORT;
        location / { return 204; }
    }
}
EOF
stop_receiver() {
    [ -s "$WORK/nginx.pid" ] && nginx -q -c "$WORK/nginx.conf" -p "$WORK" -s quit 2>/dev/null || true
}
stop_receiver
nginx -q -c "$WORK/nginx.conf" -p "$WORK"

restart_worker() {   # restart_worker [ENV=value...]: as scripts/dev starts it
    local pid
    pid=$(cat "$ROOT/var/run/worker.pid")
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    env "$@" ODYSSEY_CONFIG="$ROOT/var/odyssey.conf" setsid "$ROOT/build/odyssey-worker" \
        >>"$ROOT/var/log/worker.log" 2>&1 < /dev/null &
    echo $! > "$ROOT/var/run/worker.pid"
    sleep 1
}
cleanup() {
    stop_receiver
    if [ -n "${WORKER_ENV:-}" ]; then restart_worker; fi
}
trap cleanup EXIT
# shellcheck disable=SC2086
if [ -n "${WORKER_ENV:-}" ]; then restart_worker $WORKER_ENV; fi

# --- a vendor, its admin and one endpoint ---------------------------------------------
VENDOR=$(odysseyctl vendor create --name "Bench Webhooks $(date +%s)")
USER=bench-hooks-${VENDOR:0:8}
odysseyctl user add --id "$USER" --email "$USER@bench.example" >/dev/null
odysseyctl user link --user "$USER" --vendor "$VENDOR" --role vendor_admin >/dev/null
TOKEN=$(odysseyctl token --user "$USER" --ttl 7200)
EP=$(curlj -H 'Content-Type: application/json' \
     -d "{\"url\": \"http://127.0.0.1:$PORT/hook\", \"events\": [\"*\"]}" \
     "$ODYSSEY_URL/api/v1/webhooks/endpoints" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# --- N events in one statement, then wait -----------------------------------------------
T0=$(date +%s.%N)
sql "INSERT INTO events (vendor_id, event_type, payload)
     SELECT '$VENDOR', 'product.updated',
            jsonb_build_object('product_id', gen_random_uuid(), 'external_id', 'sku-' || g,
                               'change', 'updated', 'changed_fields', '[\"price\"]'::jsonb)
       FROM generate_series(1, $N) g" >/dev/null
FANOUT=""
while :; do
    left=$(sql "SELECT count(*) FROM events WHERE vendor_id = '$VENDOR' AND published_at IS NULL")
    done_n=$(sql "SELECT count(*) FROM webhook_deliveries WHERE vendor_id = '$VENDOR' AND endpoint_id = '$EP' AND status = 'delivered'")
    now=$(date +%s.%N)
    if [ -z "$FANOUT" ] && [ "$left" = 0 ]; then FANOUT=$(python3 -c "print(round($now - $T0, 2))"); fi
    [ "$done_n" -ge "$N" ] && break
    dead=$(sql "SELECT count(*) FROM webhook_deliveries WHERE vendor_id = '$VENDOR' AND status = 'dead'")
    if [ "$dead" -gt 0 ]; then echo "bench: $dead deliveries died (see webhook_deliveries.last_error)" >&2; exit 1; fi
    if python3 -c "import sys; sys.exit(0 if $now - $T0 > 600 else 1)"; then
        echo "bench: not done after 10 min" >&2; exit 1
    fi
    sleep 0.5
done
T1=$(date +%s.%N)
sql "SELECT format('deliveries %s, fanout %s s, end to end %s s (%s/s), delivering %s s: %s deliveries/s, latency p50 %s s p95 %s s max %s s',
            count(*), '$FANOUT', round(($T1 - $T0)::numeric, 2), round(count(*) / ($T1 - $T0)::numeric),
            round(extract(epoch FROM max(delivered_at) - min(delivered_at))::numeric, 2),
            round(count(*) / greatest(extract(epoch FROM max(delivered_at) - min(delivered_at)), 1)::numeric),
            round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY delivered_at - e.occurred_at))::numeric, 2),
            round(extract(epoch FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY delivered_at - e.occurred_at))::numeric, 2),
            round(extract(epoch FROM max(delivered_at - e.occurred_at))::numeric, 2))
       FROM webhook_deliveries d JOIN events e ON e.event_id = d.event_id
      WHERE d.vendor_id = '$VENDOR' AND d.endpoint_id = '$EP'"
# unsubscribe: the vendor's rows stay, nothing more is sent
curlj -X DELETE "$ODYSSEY_URL/api/v1/webhooks/endpoints/$EP" >/dev/null
