-- wrk script for bench/webhook_load.sh: POST AdmissionReview bodies to /validate.
-- Bodies: one JSON document a line in $WEBHOOK_BODIES, sent round robin from a random start.
-- Rate: each connection waits $WEBHOOK_DELAY_MS between its requests, so the offered rate is
-- about connections * 1000 / (delay + latency); the calling script calibrates the delay.

local bodies = {}
local next_body = 0
local delay_ms = tonumber(os.getenv("WEBHOOK_DELAY_MS") or "100")
local threads = {}

-- Per-thread counters (globals, so done() can read them with thread:get).
allowed = 0
denied = 0
failed = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("WEBHOOK_BODIES")) do
    bodies[#bodies + 1] = line
  end
  math.randomseed(os.time() + #threads)
  next_body = math.random(#bodies)
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  return delay_ms
end

function request()
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/validate", nil, bodies[next_body])
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
  elseif string.find(body, '"allowed":true', 1, true) then
    allowed = allowed + 1
  else
    denied = denied + 1
  end
end

function done(summary, latency, requests)
  local a, d, f = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("allowed")
    d = d + thread:get("denied")
    f = f + thread:get("failed")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f allowed=%d denied=%d non200=%d " ..
    "connect=%d read=%d write=%d timeout=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.requests, summary.duration / 1e6, a, d, f,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
