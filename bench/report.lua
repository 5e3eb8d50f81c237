-- report.lua: wrk script for every benchmark here. Sends the Authorization header
-- of BENCH_TOKEN (when set); with BENCH_PATHS, cycles through the request paths
-- listed there (one per line), each thread from its own offset, instead of the
-- URL's path; with BENCH_METHOD and BENCH_BODY (a file), sends that method with
-- that JSON body instead of GET; prints one machine-readable summary line.
local token = os.getenv("BENCH_TOKEN")
local headers = {}
if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
    wrk.headers["Authorization"] = headers["Authorization"]
end

local method = os.getenv("BENCH_METHOD") or "GET"
local body = nil
local body_file = os.getenv("BENCH_BODY")
if body_file and body_file ~= "" then
    local f = assert(io.open(body_file, "rb"))
    body = f:read("*a")
    f:close()
    headers["Content-Type"] = "application/json"
    wrk.method = method
    wrk.body = body
    wrk.headers["Content-Type"] = "application/json"
end

local list = os.getenv("BENCH_PATHS")
if list and list ~= "" then
    local paths = {}
    for line in io.lines(list) do
        if line ~= "" then
            paths[#paths + 1] = line
        end
    end
    local i = 0
    local threads = 0

    function setup(thread)
        threads = threads + 1
        thread:set("offset", threads * 7919)
    end

    function init(args)
        i = (offset or 0) % #paths
    end

    function request()
        i = i % #paths + 1
        return wrk.format(method, paths[i], headers, body)
    end
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
