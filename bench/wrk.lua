-- wrk script of bench/run.py: requests the paths listed in $WRK_PATHS in turn, stops each
-- thread after $WRK_MAX_REQUESTS requests, and prints one JSON summary line at the end.

local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local max_requests = tonumber(os.getenv("WRK_MAX_REQUESTS") or "0")
-- WRK_UNIQUE=1: every request gets a query parameter of its own (each is a cache miss);
-- WRK_UNIQUE=N > 1: the parameter cycles over N values.
local unique = tonumber(os.getenv("WRK_UNIQUE") or "0")
-- WRK_DELAY_MS=N: each connection waits N ms before its next request (visitors reading a page,
-- not a client as fast as the server answers).
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local next_path = 0
local sent = 0

function init(args)
  next_path = math.random(#paths) - 1
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

-- No response() callback: with one, wrk copies every body into Lua, which costs the client
-- (on the same cores as the server) more for big pages than for the tiny baseline.
function request()
  sent = sent + 1
  if max_requests > 0 and sent > max_requests then
    wrk.thread:stop()
  end
  next_path = next_path % #paths + 1
  local path = paths[next_path]
  if unique > 0 then
    local n = unique == 1 and (tid .. "-" .. sent) or tostring(sent % unique)
    path = path .. (string.find(path, "?", 1, true) and "&" or "?") .. "bench=" .. n
  end
  return wrk.format("GET", path)
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
