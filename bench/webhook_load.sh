#!/usr/bin/env bash
# Load benchmark of `verifier serve` with wrk (Debian package wrk): AdmissionReviews POSTed to
# https://127.0.0.1:PORT/validate at a fixed rate, bounded in time.
#
#   cached:   decisions answered from the decision cache     target p99 <= 10 ms, zero errors
#   uncached: every decision reads the local registry        target p99 <= 250 ms
#             (--cache-size 0: the referrers index read and the VSA bundle verified each time;
#             the summary's manifest and bundle, named by digest, from the content cache)
#   cold:     nothing kept (--cache-size 0 --content-cache-mib 0): three registry reads per
#             decision; the same target, reported (docs/serve.md "Load (measured)")
#   uncached-low: the same at UNCACHED_RATE (default 50 req/s), the latency of one uncached
#             decision when the server is not saturated (no target; for reading the others)
#
# Images live in a local docker-registry (started here on 127.0.0.1) with signed release
# summaries attached; bench/webhook_setup.py prepares it. Prints the latency table.
#
# Run: bench/webhook_load.sh   (RATE=500 UNCACHED_RATE=50 DURATION=60 IMAGES=200 by default;
# SCENARIOS="uncached" runs a subset, for iterating on one of them)
# wrk has no fixed-rate mode: bench/webhook_load.lua paces each wrk thread on the monotonic
# clock (see there). Each scenario starts a fresh server and warms it up for WARMUP seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-500}
UNCACHED_RATE=${UNCACHED_RATE:-50}
DURATION=${DURATION:-60}
THREADS=${THREADS:-2}
# Connections: enough for RATE x latency requests in flight. Each opens with one unpaced
# request, so no more than needed: a burst of them at the start would land in the tail.
CACHED_CONNECTIONS=${CACHED_CONNECTIONS:-16}
UNCACHED_CONNECTIONS=${UNCACHED_CONNECTIONS:-100}
WARMUP=${WARMUP:-5}
export WEBHOOK_THREADS=$THREADS
IMAGES=${IMAGES:-200}
SCENARIOS=${SCENARIOS:-cached uncached cold uncached-low}
UV=${UV:-uv}

command -v wrk >/dev/null || { echo "wrk not found: run tools/bootstrap (Debian package wrk)" >&2; exit 3; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "setting up: local registry, $IMAGES released images with signed summaries..." >&2
setup=$("$UV" run --locked --no-sync python bench/webhook_setup.py "$work" --images "$IMAGES")
eval "$setup"
pids+=("$REGISTRY_PID")
# shellcheck disable=SC1091
source "$work/serve.env"
export WEBHOOK_BODIES="$work/bodies.jsonl"

free_port() {
  "$UV" run --locked --no-sync python -c \
    'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ready() {  # PORT PID
  "$UV" run --locked --no-sync python - "$1" "$2" "$VERIFIER_TLS_CERT" <<'PY'
import os, ssl, sys, time, urllib.request
port, pid, cert = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
give_up = time.monotonic() + 60
while time.monotonic() < give_up:
    os.kill(pid, 0)  # still running
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/readyz", context=ctx, timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit("server not ready within 60 s")
PY
}

result_field() {  # FILE NAME
  sed -n 's/^RESULT //p' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

rows=()
target_text() {  # TARGET ERRORS
  if [ "$1" = "-" ]; then echo "-"; return; fi
  echo "p99 <= $1 ms$([ "$2" = zero ] && echo ', 0 errors')"
}
run_scenario() {  # NAME CACHE_SIZE TARGET_P99_MS ERRORS(zero|any) RATE CONNECTIONS CONTENT_MIB
  local name=$1 cache=$2 target=$3 rate=$5 connections=$6 content=$7 port pid
  port=$(free_port)
  VERIFIER_PORT=$port VERIFIER_CACHE_SIZE=$cache VERIFIER_CONTENT_CACHE_MIB=$content \
    "$UV" run --locked --no-sync verifier serve >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_ready "$port" "$pid"
  local url="https://127.0.0.1:$port/validate"
  # Warm-up at the same rate: connections open, and with a cache every image decided once.
  WEBHOOK_RATE=$rate wrk -t"$THREADS" -c"$connections" -d"${WARMUP}s" --timeout 5s \
    -s bench/webhook_load.lua "$url" >/dev/null
  WEBHOOK_RATE=$rate wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --timeout 5s --latency \
    -s bench/webhook_load.lua "$url" >"$work/$name.wrk"
  cat "$work/$name.wrk" >&2
  kill -TERM "$pid"
  wait "$pid" || true
  local f="$work/$name.wrk"
  local n s errors p99 verdict
  n=$(result_field "$f" requests); s=$(result_field "$f" seconds)
  errors=$(( $(result_field "$f" non200) + $(result_field "$f" connect) + $(result_field "$f" read) \
           + $(result_field "$f" write) + $(result_field "$f" timeout) + $(result_field "$f" denied) ))
  p99=$(result_field "$f" p99_ms)
  verdict=$(awk -v p="$p99" -v t="${target/-/0}" -v e="$errors" -v z="$4" \
    'BEGIN { ok = (p <= t) && (z == "any" || e == 0); print ok ? "met" : "NOT met" }')
  if [ "$target" = "-" ]; then verdict="-"; fi
  rows+=("$(printf '| %-12s | %5d | %7d | %7.1f | %8.3f | %8.3f | %8.3f | %9.3f | %6d | %s | %-7s |' \
    "$name" "$rate" "$n" "$(awk -v n="$n" -v s="$s" 'BEGIN { print n / s }')" \
    "$(result_field "$f" p50_ms)" "$(result_field "$f" p90_ms)" "$p99" "$(result_field "$f" max_ms)" \
    "$errors" "$(target_text "$target" "$4")" "$verdict")")
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for scenario in $SCENARIOS; do
  case $scenario in
    cached) run_scenario cached 10000 10 zero "$RATE" "$CACHED_CONNECTIONS" 64 ;;
    uncached) run_scenario uncached 0 250 any "$RATE" "$UNCACHED_CONNECTIONS" 64 ;;
    cold) run_scenario cold 0 250 any "$RATE" "$UNCACHED_CONNECTIONS" 0 ;;
    uncached-low) run_scenario uncached-low 0 - any "$UNCACHED_RATE" "$CACHED_CONNECTIONS" 64 ;;
    *) echo "unknown scenario $scenario (cached, uncached, cold, uncached-low)" >&2; exit 2 ;;
  esac
done

echo
echo "verifier serve under wrk: ${DURATION} s per scenario, $THREADS threads, $IMAGES images;" \
  "connections: $CACHED_CONNECTIONS (cached, uncached-low), $UNCACHED_CONNECTIONS (uncached, cold)"
echo "machine: $(nproc) CPUs; load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| scenario | offered req/s | requests | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | errors | target | result |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do echo "$row"; done
