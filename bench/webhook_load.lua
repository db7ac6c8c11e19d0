-- wrk script for bench/webhook_load.sh: POST AdmissionReview bodies to /validate at a fixed rate.
--
-- Bodies: one JSON document a line in $WEBHOOK_BODIES, sent round robin from a random start.
-- Rate: wrk has no fixed-rate mode, so each thread paces itself: every time one of its
-- connections is free again, delay() hands it the next send slot of a schedule spaced
-- 1000 / ($WEBHOOK_RATE / $WEBHOOK_THREADS) ms apart on the monotonic clock (LuaJIT ffi).
-- A thread that falls behind (every connection busy) sends as soon as a connection is free,
-- and forgets debt older than one second; the achieved rate is reported next to the offered.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } verifier_timespec;
int clock_gettime(int clk_id, verifier_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("verifier_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local bodies = {}
local next_body = 0
local interval_ms = 0
local next_slot = nil
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
  local rate = tonumber(os.getenv("WEBHOOK_RATE") or "500")
  local thread_count = tonumber(os.getenv("WEBHOOK_THREADS") or "2")
  interval_ms = 1000 * thread_count / rate
  math.randomseed(os.time() + math.floor(now_ms()))
  next_body = math.random(#bodies)
  wrk.headers["Content-Type"] = "application/json"
end

function delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now - 1000 then
    next_slot = now
  end
  next_slot = next_slot + interval_ms
  local wait = next_slot - now
  if wait < 0 then
    return 0
  end
  return math.floor(wait)
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
