-- wrk script of bench/run.py: requests the paths listed in $WRK_PATHS in turn, stops each
-- thread after $WRK_MAX_REQUESTS requests, and prints one JSON summary line at the end.

local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "0")
local next_path = 0
local sent = 0

function init(args)
  next_path = math.random(#paths) - 1
end

-- No response() callback: with one, wrk copies every body into Lua, which costs the client
-- (on the same cores as the server) more for big pages than for the tiny baseline.
function request()
  sent = sent + 1
  if max_requests > 0 and sent > max_requests then
    wrk.thread:stop()
  end
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'JSON {"requests": %d, "duration_s": %.3f, "rps": %.1f, "errors": %d, ' ..
    '"non_2xx_3xx": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f, ' ..
    '"max_ms": %.2f}\n',
    summary.requests, seconds, summary.requests / seconds,
    e.connect + e.read + e.write + e.status + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000))
end
