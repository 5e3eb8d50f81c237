-- report.lua: wrk script that sends the Authorization header given in the
-- environment (BENCH_TOKEN) and prints one machine-readable summary line.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                   + summary.errors.status + summary.errors.timeout
    io.write(string.format(
        "RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(95) / 1000,
        latency:percentile(99) / 1000, errors, summary.errors.status))
end
