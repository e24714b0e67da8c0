#!/usr/bin/env bash
# bench/services.sh: the gateway's overhead on a model's predict, and batching on vs off.
#
# usage: bench/services.sh [--rate 100] [--duration 20] [--warmup 5] [--jit-warmup 120] [--callers 16] [--batch-size 32]
#                          [--batch-wait-ms 5] [--http-port P] [--cassandra-port P] [--cluster-port P]
#
# It starts its OWN DCloud (`./dcloud dev` on its own ports and data directory, see
# bench/lib/instance.sh), trains a scikit-learn model here (/usr/bin/python3 with python3-sklearn),
# pushes it (POST /models) and serves it with ONE replica (POST /models/{name}/deploy), then:
#   warm-up    --jit-warmup s of predicts through DCloud as fast as 4 callers go, unmeasured: after
#              15 s the JIT is still compiling the gateway's path (about 0.7 ms more than after 120 s);
#   overhead   POST {"instances": [one]} at a fixed --rate for --duration s (after --warmup s), first
#              straight to the replica's published port (127.0.0.1, the container's own /predict),
#              then through DCloud (POST /api/v1/services/{name}/predict: the gateway, then straight
#              to the same published port, as a gateway calls a replica on its own node). Prints p50/p90/p99 of both, their
#              ratio and difference (the gateway's overhead in ms);
#   batching   --callers concurrent callers, each POSTing one instance as fast as it is answered,
#              through DCloud, with batching off, then on (PUT .../batching {"max-size": --batch-size,
#              "max-wait-ms": --batch-wait-ms}), on the same replica: predicts/s of each and the ratio.
# The fixed-rate load is bench/services_load.py (Python, keep-alive connections), the same client both
# ways; the batching callers are wrk's connections (bench/services/post_body.lua): Python's callers at
# 2,000 calls a second took most of a core from the gateway they measured.
# Everything runs on one machine: DCloud, its Cassandra, the replica and the load share the CPUs.
# It exits non-zero when any call failed (a correctness violation), after printing the figures.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BENCH_NAME=bench-services
# shellcheck source=bench/lib/instance.sh
. "$REPO/bench/lib/instance.sh"

RATE=${BENCH_RATE:-100}
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
JIT_WARMUP=${BENCH_JIT_WARMUP:-120}
CALLERS=${BENCH_CALLERS:-16}
BATCH_SIZE=${BENCH_BATCH_SIZE:-32}
BATCH_WAIT_MS=${BENCH_BATCH_WAIT_MS:-5}
HTTP_PORT=${BENCH_HTTP_PORT:-18600}
CQL_PORT=${BENCH_CASSANDRA_PORT:-19562}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25694}
WORK=${BENCH_WORK_DIR:-/tmp/dcloud-bench-services}
NODE_NAME=${BENCH_NODE_NAME:-dcloud-bench-services}
READY_TIMEOUT=${BENCH_READY_TIMEOUT:-1200}
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
PYTHON=/usr/bin/python3
MODEL=bench-iris
DCLOUD=${DCLOUD:-$REPO/dcloud}
JAVA_OPTS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --jit-warmup) JIT_WARMUP=$2; shift 2 ;;
    --callers) CALLERS=$2; shift 2 ;;
    --batch-size) BATCH_SIZE=$2; shift 2 ;;
    --batch-wait-ms) BATCH_WAIT_MS=$2; shift 2 ;;
    --http-port) HTTP_PORT=$2; shift 2 ;;
    --cassandra-port) CQL_PORT=$2; shift 2 ;;
    --cluster-port) CLUSTER_PORT=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
command -v wrk >/dev/null || die "wrk is missing: install it (Debian/Ubuntu: 'sudo apt-get install wrk')"
command -v curl >/dev/null || die "curl is missing: install it (Debian/Ubuntu: 'sudo apt-get install curl')"
command -v setsid >/dev/null || die "setsid is missing: install util-linux"
"$PYTHON" -c 'import sklearn, joblib' 2>/dev/null \
  || die "$PYTHON with scikit-learn is missing: sudo apt-get install python3-sklearn python3-joblib"
instance_check_ports

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

instance_cleanup_on_exit "$MODEL"

instance_remove_containers "label=dcloud.node=$NODE_NAME"   # leftovers of an earlier, killed run
instance_start
instance_wait_ready 1

say "training the model"
(cd "$WORK" && "$PYTHON" - <<'PY'
import json, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
iris = load_iris()
joblib.dump(LogisticRegression(max_iter=500).fit(iris.data, iris.target), "model.joblib")
names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
json.dump({"instances": [dict(zip(names, map(float, iris.data[60])))]}, open("one.json", "w"))
with open("contract.py", "w") as out:
    out.write('FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]\n\n\n'
              'def preprocess(request):\n    return [float(request[f]) for f in FEATURES]\n\n\n'
              'def postprocess(prediction):\n    return {"class": int(prediction)}\n')
json.dump({"name": "bench-iris", "runtime": {"language-name": "python", "libraries": ["scikit-learn"]},
           "resources": {"ram": "1G", "cpu": "1"}, "replicas": 1}, open("config.json", "w"))
PY
)
VERSION=$(api_curl -sf -m 120 -F "model=@$WORK/model.joblib" -F "contract=@$WORK/contract.py;type=text/x-python" \
  -F "config=@$WORK/config.json;type=application/json" "$API/models" | sed -n 's/.*"version" *: *\([0-9]*\).*/\1/p')
[ -n "$VERSION" ] || die "POST /models failed"
# Served as a data scientist would: POST /models/{name}/deploy (one replica, no batching, from the config).
api_curl -sf -m 60 -X POST "$API/models/$MODEL/deploy" >/dev/null || die "POST /models/$MODEL/deploy failed"
say "waiting for its replica to be ready (the first build of the serving image takes minutes)"
started=$(date +%s)
until api_curl -s -m 10 "$API/services/$MODEL" | grep -q '"ready" *: *true'; do
  [ $(( $(date +%s) - started )) -lt "$READY_TIMEOUT" ] || die "the replica was not ready within $READY_TIMEOUT s"
  sleep 2
done
REPLICA=$(api_curl -s -m 10 "$API/services/$MODEL" | sed -n 's/.*"replicas" *: *\[ *{ *"id" *: *"\([^"]*\)".*/\1/p')
PUBLISHED=$(api_curl -s -m 10 "$API/environments/$REPLICA" \
  | "$PYTHON" -c 'import json,sys; print([p["hostPort"] for p in json.load(sys.stdin)["ports"] if p["containerPort"] == 8080][0])')
say "replica $REPLICA ready after $(( $(date +%s) - started )) s, published on 127.0.0.1:$PUBLISHED"
DIRECT="http://127.0.0.1:$PUBLISHED/predict"
THROUGH="$API/services/$MODEL/predict"
# The gateway's view of the service refreshes every dcloud.services.routing.refresh-interval (2 s).
sleep 3

load() { "$PYTHON" "$REPO/bench/services_load.py" "$@" "$WORK/one.json" --duration "$DURATION" --warmup "$WARMUP"; }
# callers C SECONDS: C connections POSTing the body back to back through DCloud; prints post_body.lua's JSON line.
callers() {
  wrk -t1 -c"$1" -d"$2s" --timeout 10s -s "$REPO/bench/services/post_body.lua" "$THROUGH" -- "$WORK/one.json" \
    | grep '^{' || die "wrk printed no result"
}
field() { "$PYTHON" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
say "warming the gateway's path up: $JIT_WARMUP s of predicts through DCloud (not measured)"
callers 4 "$JIT_WARMUP" >/dev/null
say "overhead: $RATE predicts/s for $DURATION s, straight to the replica, then through DCloud"
D=$(DCLOUD_TOKEN='' load latency "$DIRECT" --rate "$RATE")
# Where the overhead goes: the gateway's own timing of the calls (from admission to the answer) and of
# its requests to the replica (the HTTP client's round trip), from GET /services/{name}/stats before
# and after the measured calls: their means (the stats' percentiles cover every call since the start).
STATS_BEFORE=$(api_curl -s -m 10 "$API/services/$MODEL/stats")
G=$(load latency "$THROUGH" --rate "$RATE")
STATS=$(api_curl -s -m 10 "$API/services/$MODEL/stats")
say "batching: $CALLERS callers, off then on (max-size $BATCH_SIZE, max-wait-ms $BATCH_WAIT_MS)"
callers "$CALLERS" "$WARMUP" >/dev/null
OFF=$(callers "$CALLERS" "$DURATION")
BATCHING=$(api_curl -s -m 30 -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  --data "{\"max-size\": $BATCH_SIZE, \"max-wait-ms\": $BATCH_WAIT_MS}" "$API/services/$MODEL/batching")
ON=""
if [ "$BATCHING" = 200 ]; then
  sleep 3
  callers "$CALLERS" "$WARMUP" >/dev/null
  ON=$(callers "$CALLERS" "$DURATION")
fi

echo "DCloud service calls, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'),"\
  "$(nproc) CPUs, one scikit-learn replica (1 CPU), everything on this machine"
printf '%-10s %8s %8s %8s %8s %8s %7s %6s\n' path "req/s" p50_ms p90_ms p99_ms max_ms errors late
for row in "direct:$D" "dcloud:$G"; do
  name=${row%%:*} r=${row#*:}
  printf '%-10s %8.1f %8.2f %8.2f %8.2f %8.2f %7s %6s\n' "$name" "$(field "$r" rate)" "$(field "$r" p50)" \
    "$(field "$r" p90)" "$(field "$r" p99)" "$(field "$r" max)" "$(field "$r" errors)" "$(field "$r" late)"
done
awk -v dp50="$(field "$D" p50)" -v gp50="$(field "$G" p50)" -v dp99="$(field "$D" p99)" -v gp99="$(field "$G" p99)" \
  'BEGIN { printf "ratio dcloud/direct: p50 %.2f, p99 %.2f; overhead: p50 +%.2f ms, p99 +%.2f ms\n",
           gp50 / dp50, gp99 / dp99, gp50 - dp50, gp99 - dp99 }'
"$PYTHON" - "$STATS_BEFORE" "$STATS" "$(field "$G" mean)" "$(field "$D" mean)" <<'PY'
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
client_mean, direct_mean = float(sys.argv[3]), float(sys.argv[4])
def phase_mean(b, a):
    calls = a["count"] - b["count"]
    return (a["latencyMs"]["avg"] * a["count"] - b["latencyMs"]["avg"] * b["count"]) / calls if calls else 0.0
call = phase_mean(before, after)
replica = phase_mean(before["replicas"][0], after["replicas"][0])
print("means: direct %.2f ms; through DCloud %.2f ms = the gateway's call %.2f (its request to the replica %.2f, "
      "batching and balancing %.2f) + around it %.2f (the client, HTTP server, authentication, the body)" % (
          direct_mean, client_mean, call, replica, call - replica, client_mean - call))
PY
echo "batching off: $(field "$OFF" rate) predicts/s ($(field "$OFF" errors) errors)"
if [ -n "$ON" ]; then
  echo "batching on:  $(field "$ON" rate) predicts/s ($(field "$ON" errors) errors)"
  awk -v on="$(field "$ON" rate)" -v off="$(field "$OFF" rate)" 'BEGIN { printf "ratio on/off: %.2f\n", on / off }'
else
  echo "batching on:  not measured (PUT /services/$MODEL/batching answered $BATCHING)"
fi
awk -v dp50="$(field "$D" p50)" -v gp50="$(field "$G" p50)" -v off="$(field "$OFF" rate)" -v on="${ON:+$(field "$ON" rate)}" \
  'BEGIN { printf "RESULT services overhead_p50_ms=%.2f ratio_p50=%.2f batching_off=%.1f batching_on=%s\n",
           gp50 - dp50, gp50 / dp50, off, (on == "" ? "na" : on) }'
# A failed call is a correctness violation, whatever the figures say.
ON_ERRORS=0
[ -z "$ON" ] || ON_ERRORS=$(field "$ON" errors)
FAILED=$(( $(field "$D" errors) + $(field "$G" errors) + $(field "$OFF" errors) + ON_ERRORS ))
[ "$FAILED" -eq 0 ] || die "$FAILED calls failed (see the errors columns above)"
