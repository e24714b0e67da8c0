#!/usr/bin/env bash
# bench/api.sh: API latency of DCloud at FIXED request rates, measured with wrk.
#
# usage: bench/api.sh [--rate 2000] [--post-rate 20] [--duration 30] [--jit-warmup 120] [--warmup 10] [--only LIST] ...
#        bench/api.sh --help          (every option, and the environment variables that set them)
#
# It starts its OWN DCloud (`./dcloud dev` on its own HTTP, CQL, storage and cluster ports and its
# own data directory, so a `./dcloud dev` you already run is not touched), by default with hollow
# worker nodes (-Ddcloud.node.hollow.nodes=N: simulated nodes whose containers are fake and start at
# once) so that creating thousands of environments starts no real container. It then:
#   1. creates the environments the GET benchmark reads and waits until they are RUNNING,
#   2. warms the request path up (--jit-warmup, 120 s of GETs: the JIT's work, not measured), then
#      runs, each as a warm-up then a measured run at a fixed rate (wrk + bench/api/*.lua):
#        get_env    GET  /api/v1/environments/{id}   (round-robin over those environments)
#        get_nodes  GET  /api/v1/nodes
#        get_health GET  /api/v1/health (a control: the HTTP stack and the machine alone, same rate;
#                   the GETs' p99 and CPU per request are also printed as ratios to it)
#        post_env   POST /api/v1/environments        (a new environment per request, unique names)
#   3. prints one table (target and achieved rate, p50/p90/p99/max in ms, errors, non-2xx, late
#      slots, CPU per request of DCloud and of its Cassandra) and whether each met its target
#      (GETs p99 <= 5 ms at 2,000 req/s, POST p99 <= 15 ms at 20/s); exits non-zero if a request failed,
#   4. deletes what it created (with the real Docker worker), stops DCloud (SIGTERM, then its
#      process group) and removes every container labelled with its node name.
#
# wrk here is Debian's wrk 4.1 (no -R): the rate is held by a closed-loop pacer in Lua (see
# bench/api/pacer.lua for what that means for coordinated omission, and why "late" is printed).
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
LUA_DIR="$REPO/bench/api"
BENCH_NAME=bench-api
# shellcheck source=bench/lib/instance.sh
. "$REPO/bench/lib/instance.sh"

usage() {
  cat <<EOF
usage: bench/api.sh [options]      (each option also has an environment variable, in brackets)
  --rate R            GET rate in requests/s, per GET benchmark       [BENCH_RATE, 2000]
  --post-rate R       POST rate in requests/s                         [BENCH_POST_RATE, 20; 1 when --hollow-nodes 0]
  --duration S        measured seconds of each GET benchmark          [BENCH_DURATION, 30]
  --post-duration S   measured seconds of the POST benchmark          [BENCH_POST_DURATION, 30; 5 when --hollow-nodes 0]
  --jit-warmup S      seconds of GETs at --rate before the first run, unmeasured: the JIT
                      compiles the request path (with 10 s, the first GET's p99 was 8-80 ms,
                      after 120 s 5 ms: docs/BENCHMARKS.md §10)     [BENCH_JIT_WARMUP, 120; 0 skips it]
  --warmup S          warm-up seconds before each measured GET run    [BENCH_WARMUP, 10; 0 skips it]
  --post-warmup S     creates at --post-rate before the POST's measured run, unmeasured: the GETs'
                      JIT warm-up does not compile the create path (p99 27 ms after 10 s, 12-15 ms
                      after 180 s: docs/BENCHMARKS.md §10)          [BENCH_POST_WARMUP, 180; 0 skips it]
  --connections C     wrk connections (the pacer spreads the rate)    [BENCH_CONNECTIONS, 64]
  --threads T         wrk threads                                     [BENCH_THREADS, 1]
  --envs K            environments the GET benchmark reads            [BENCH_ENVS, 10]
  --idle-sample S     seconds of idle CPU sampled before the runs     [BENCH_IDLE_SAMPLE, 15; 0 skips it]
  --only LIST         any of get_env,get_nodes,get_health,post_env    [BENCH_ONLY, get_env,get_nodes,get_health,post_env]
                      (get_health: GET /api/v1/health, a control: the HTTP stack and machine alone)
  --hollow-nodes N    simulated worker nodes; 0 = the real Docker worker (then POST stays tiny)
                                                                      [BENCH_HOLLOW_NODES, 10]
  --p99-target MS     the GETs' p99 goal checked at the end           [BENCH_P99_TARGET, 5]
  --post-p99-target MS  the POST's p99 goal checked at the end        [BENCH_POST_P99_TARGET, 15]
  --http-port P       API port of the bench's DCloud                  [BENCH_HTTP_PORT, 18480]
  --cassandra-port P  CQL port of its embedded Cassandra              [BENCH_CASSANDRA_PORT, 19442]
  --cluster-port P    its Pekko remoting (artery) port                [BENCH_CLUSTER_PORT, 25590]
  --work-dir D        logs, wrk outputs and (while it runs) the data  [BENCH_WORK_DIR, /tmp/dcloud-bench-api]
  --keep-data         keep <work-dir>/data after the run (it is wiped at every start anyway)
  --start-timeout S   how long DCloud may take to answer (a build included) [BENCH_START_TIMEOUT, 600]
  -h, --help          this text
Other variables: DCLOUD (the dcloud command, default $REPO/dcloud), BENCH_JAVA_OPTS (more -Dkey=value
for DCloud, space-separated), BENCH_NODE_NAME (its node id, default dcloud-bench-api).
The RESULT lines of every wrk run are kept in <work-dir>/results.txt, the DCloud log in
<work-dir>/dcloud.log.
EOF
}

# ------------------------------------------------------------------------------ options

RATE=${BENCH_RATE:-2000}
POST_RATE=${BENCH_POST_RATE:-}
DURATION=${BENCH_DURATION:-30}
POST_DURATION=${BENCH_POST_DURATION:-}
WARMUP=${BENCH_WARMUP:-10}
POST_WARMUP=${BENCH_POST_WARMUP:-180}
JIT_WARMUP=${BENCH_JIT_WARMUP:-120}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-1}
ENVS=${BENCH_ENVS:-10}
IDLE_SAMPLE=${BENCH_IDLE_SAMPLE:-15}
ONLY=${BENCH_ONLY:-get_env,get_nodes,get_health,post_env}
HOLLOW=${BENCH_HOLLOW_NODES:-10}
P99_TARGET=${BENCH_P99_TARGET:-5}
POST_P99_TARGET=${BENCH_POST_P99_TARGET:-15}
HTTP_PORT=${BENCH_HTTP_PORT:-18480}
CQL_PORT=${BENCH_CASSANDRA_PORT:-19442}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25590}
WORK=${BENCH_WORK_DIR:-/tmp/dcloud-bench-api}
KEEP_DATA=0
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
NODE_NAME=${BENCH_NODE_NAME:-dcloud-bench-api}
DCLOUD=${DCLOUD:-$REPO/dcloud}

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --keep-data) KEEP_DATA=1; shift; continue ;;
    --rate|--post-rate|--duration|--post-duration|--warmup|--jit-warmup|--post-warmup|--connections|--threads|--envs|--idle-sample|--only|--hollow-nodes|--p99-target|--post-p99-target|--http-port|--cassandra-port|--cluster-port|--work-dir|--start-timeout) [ $# -ge 2 ] || die "option $1 needs a value (see --help)" ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  case "$1" in
    --rate) RATE=$2 ;;
    --post-rate) POST_RATE=$2 ;;
    --duration) DURATION=$2 ;;
    --post-duration) POST_DURATION=$2 ;;
    --warmup) WARMUP=$2 ;;
    --jit-warmup) JIT_WARMUP=$2 ;;
    --post-warmup) POST_WARMUP=$2 ;;
    --connections) CONNECTIONS=$2 ;;
    --threads) THREADS=$2 ;;
    --envs) ENVS=$2 ;;
    --idle-sample) IDLE_SAMPLE=$2 ;;
    --only) ONLY=$2 ;;
    --hollow-nodes) HOLLOW=$2 ;;
    --p99-target) P99_TARGET=$2 ;;
    --post-p99-target) POST_P99_TARGET=$2 ;;
    --http-port) HTTP_PORT=$2 ;;
    --cassandra-port) CQL_PORT=$2 ;;
    --cluster-port) CLUSTER_PORT=$2 ;;
    --work-dir) WORK=$2 ;;
    --start-timeout) START_TIMEOUT=$2 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift 2
done

# POST's default rate is low: a create costs far more than a GET (about 25 ms of DCloud CPU and 15 ms
# of Cassandra CPU, its whole way to RUNNING on a hollow node, on the 2-CPU CI machine), so 20/s
# already takes about 40 % of such a machine.
if [ "$HOLLOW" = 0 ]; then
  # The real Docker worker: every POST starts a real container. Keep it tiny.
  POST_RATE=${POST_RATE:-1}
  POST_DURATION=${POST_DURATION:-5}
else
  POST_RATE=${POST_RATE:-20}
  POST_DURATION=${POST_DURATION:-30}
fi

is_int() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_num() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
for v in DURATION POST_DURATION WARMUP JIT_WARMUP POST_WARMUP CONNECTIONS THREADS ENVS IDLE_SAMPLE HOLLOW HTTP_PORT CQL_PORT CLUSTER_PORT START_TIMEOUT; do
  is_int "${!v}" || die "$v must be a whole number, got '${!v}'"
done
for v in RATE POST_RATE P99_TARGET POST_P99_TARGET; do is_num "${!v}" || die "$v must be a number, got '${!v}'"; done
[ "$THREADS" -ge 1 ] && [ "$CONNECTIONS" -ge "$THREADS" ] || die "need 1 <= --threads <= --connections"
[ "$ENVS" -ge 1 ] || die "--envs must be at least 1"
for b in ${ONLY//,/ }; do
  case "$b" in get_env|get_nodes|get_health|post_env) ;; *) die "--only: unknown benchmark '$b' (get_env, get_nodes, get_health, post_env)" ;; esac
done
has_bench() { [[ ",$ONLY," == *",$1,"* ]]; }

# ------------------------------------------------------------------------------ prerequisites

command -v wrk >/dev/null || die "wrk is missing: install it (Debian/Ubuntu: 'sudo apt-get install wrk')"
command -v curl >/dev/null || die "curl is missing: install it (Debian/Ubuntu: 'sudo apt-get install curl')"
command -v docker >/dev/null || die "docker (the client) is missing: install docker.io; DCloud needs a Docker Engine"
command -v setsid >/dev/null || die "setsid is missing: install util-linux"
[ -x "$DCLOUD" ] || command -v "$DCLOUD" >/dev/null || die "the dcloud command '$DCLOUD' is not executable (set DCLOUD)"
for f in pacer.lua get_env.lua get_url.lua post_env.lua; do
  [ -f "$LUA_DIR/$f" ] || die "$LUA_DIR/$f is missing"
done

instance_check_ports

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
DATA="$WORK/data"
LOG="$WORK/dcloud.log"
RESULTS="$WORK/results.txt"
RUN_ID=$(date +%H%M%S)
rm -rf "$WORK"/post-ids.* "$WORK"/wrk-*.txt
: >"$RESULTS"

# ------------------------------------------------------------------------------ DCloud lifecycle

CREATED_IDS=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # With the real Docker worker, delete what this run created through the API; with hollow nodes
  # nothing real exists and the data directory goes anyway (thousands of deletes would be slow).
  if [ "$HOLLOW" = 0 ]; then instance_delete_all_environments || true; fi
  instance_stop || true
  instance_remove_containers "label=dcloud.node=$NODE_NAME" || true
  if [ "$KEEP_DATA" = 0 ]; then rm -rf "$DATA"; fi
  [ $rc -eq 0 ] || say "failed (exit $rc); DCloud's log: $LOG"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

JAVA_OPTS=()
if [ "$HOLLOW" != 0 ]; then
  JAVA_OPTS+=("-Ddcloud.node.hollow.nodes=$HOLLOW" "-Ddcloud.node.hollow.cpu=64"
              "-Ddcloud.node.hollow.memory=512G" "-Ddcloud.node.hollow.gpus=8")
fi
# shellcheck disable=SC2206
if [ -n "${BENCH_JAVA_OPTS:-}" ]; then JAVA_OPTS+=(${BENCH_JAVA_OPTS}); fi

instance_remove_containers "label=dcloud.node=$NODE_NAME"   # leftovers of an earlier, killed run
instance_start
if [ "$HOLLOW" = 0 ]; then
  instance_wait_ready 1
else
  # Hollow nodes replace the Docker worker. A build without them would show one real worker here:
  # refuse then, rather than start hundreds of real containers with the POSTs.
  instance_wait_ready "$HOLLOW" 30 "does this build have hollow nodes (-Ddcloud.node.hollow.nodes)? --hollow-nodes 0 uses the real Docker worker"
  if api_curl -s "$API/nodes" | grep -q "\"id\" *: *\"$NODE_NAME\""; then
    die "node $NODE_NAME (the real Docker worker) is in GET /nodes: does this build have hollow nodes (-Ddcloud.node.hollow.nodes)? POSTs would start real containers; use --hollow-nodes 0 for the real worker"
  fi
fi

# ------------------------------------------------------------------------------ environments to read

env_body() { printf '{"env-name":"%s","os":"debian","resources":{"cpu":"0.1","ram":"64M","gpu":"0"}}' "$1"; }
json_field() { sed -n "s/^[^{]*{\"id\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

if has_bench get_env; then
  say "creating $ENVS environment(s) for the GET benchmark"
  for i in $(seq 1 "$ENVS"); do
    out=$(api_curl -s -m 15 -w '\n%{http_code}' -X POST "$API/environments" -H 'Content-Type: application/json' \
      --data "$(env_body "bench-get-$RUN_ID-$i")") || die "POST $API/environments failed (curl exit $?)"
    code=${out##*$'\n'}
    body=${out%$'\n'*}
    [ "$code" = 202 ] || die "POST $API/environments answered $code: $body"
    id=$(json_field <<<"$body")
    [ -n "$id" ] || die "no id in the answer to POST $API/environments: $body"
    CREATED_IDS+=("$id")
  done
  say "waiting until they are RUNNING (the first one may build its image)"
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  for id in "${CREATED_IDS[@]}"; do
    while :; do
      st=$(api_curl -s -m 5 "$API/environments/$id" | sed -n 's/^{[^{]*"status":"\([A-Z]*\)".*/\1/p' || true)
      [ "$st" = RUNNING ] && break
      case "$st" in FAILED|LOST|DELETED) die "environment $id is $st: $(api_curl -s "$API/environments/$id")" ;; esac
      [ "$(date +%s)" -lt "$deadline" ] || die "environment $id is still '$st' after $START_TIMEOUT s"
      sleep 0.5
    done
  done
fi

# A node allocates every environment shard about 30 s after it starts (dcloud.environment.shard-warm-up),
# a few seconds of work: measured runs start after it, as on any node that has been up a minute.
say "waiting until every environment shard is allocated (dcloud.environment.shard-warm-up)"
deadline=$(( $(date +%s) + 180 ))
until grep -qE "environment shards (allocated in|were not acknowledged)" "$LOG"; do
  [ "$(date +%s)" -lt "$deadline" ] || die "no shard warm-up line in $LOG after 180 s"
  sleep 1
done

# ------------------------------------------------------------------------------ benchmarks

# CPU time (user + system, clock ticks) a process has used so far; empty without /proc.
cpu_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || true; }
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_wrk NAME RATE SECONDS URL SCRIPT [script args...]: prints the RESULT line, with the CPU the
# DCloud JVM and its embedded Cassandra (the JVM's child) spent per request during the run added
# (background work included: compare with an idle second, dcloud_idle_cpu_ms_per_s).
run_wrk() {
  local name=$1 rate=$2 secs=$3 url=$4 script=$5
  shift 5
  local out="$WORK/wrk-$name.txt" cass_pid d0 c0 d1 c1
  cass_pid=$(pgrep -P "$DCLOUD_PID" java 2>/dev/null | head -n 1 || true)
  d0=$(cpu_ticks "$DCLOUD_PID") c0=$(cpu_ticks "$cass_pid")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --timeout 10s -s "$LUA_DIR/$script" "$url" \
    -- "rate=$rate" "threads=$THREADS" "name=$name" "$@" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed ($name)"; }
  d1=$(cpu_ticks "$DCLOUD_PID") c1=$(cpu_ticks "$cass_pid")
  local line requests
  line=$(grep '^RESULT ' "$out" | tail -n 1) || true
  [ -n "$line" ] || { cat "$out" >&2; die "wrk printed no RESULT line ($name)"; }
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
  line+=$(awk -v d0="$d0" -v d1="$d1" -v c0="$c0" -v c1="$c1" -v n="$requests" -v hz="$CLK_TCK" 'BEGIN {
    d = (d0 == "" || d1 == "" || n == 0) ? "-" : sprintf("%.0f", (d1 - d0) * 1e6 / hz / n);
    c = (c0 == "" || c1 == "" || n == 0) ? "-" : sprintf("%.0f", (c1 - c0) * 1e6 / hz / n);
    printf " dcloud_cpu_us_per_req=%s cassandra_cpu_us_per_req=%s", d, c }')
  echo "$line" >>"$RESULTS"
  echo "$line"
}

# bench NAME RATE SECONDS URL SCRIPT [args...]: warm-up, then the measured run.
declare -A RESULT_OF=()
bench() {
  local name=$1 rate=$2 secs=$3
  shift 3
  if [ "$WARMUP" -gt 0 ]; then
    say "$name: warm-up, $rate req/s for $WARMUP s"
    run_wrk "$name-warmup" "$rate" "$WARMUP" "$@" >/dev/null
  fi
  say "$name: measuring, $rate req/s for $secs s ($CONNECTIONS connections, $THREADS thread(s))"
  RESULT_OF[$name]=$(run_wrk "$name" "$rate" "$secs" "$@")
}

# Idle CPU of DCloud and its Cassandra before the runs (15 s by default: one read-side refresh
# cycle, dcloud.read-side.refresh-interval), to read the per-request CPU figures against.
if [ "$IDLE_SAMPLE" -gt 0 ]; then
  say "sampling idle CPU for $IDLE_SAMPLE s"
  cass_pid=$(pgrep -P "$DCLOUD_PID" java 2>/dev/null | head -n 1 || true)
  d0=$(cpu_ticks "$DCLOUD_PID") c0=$(cpu_ticks "$cass_pid")
  sleep "$IDLE_SAMPLE"
  d1=$(cpu_ticks "$DCLOUD_PID") c1=$(cpu_ticks "$cass_pid")
  [ -n "$d0" ] && [ -n "$d1" ] && IDLE_DCLOUD=$(( (d1 - d0) * 1000 / CLK_TCK / IDLE_SAMPLE ))
  [ -n "$c0" ] && [ -n "$c1" ] && IDLE_CASS=$(( (c1 - c0) * 1000 / CLK_TCK / IDLE_SAMPLE ))
fi

ids=$(IFS=,; echo "${CREATED_IDS[*]}")
if [ "$JIT_WARMUP" -gt 0 ]; then
  # What a long-running gateway has long done: compiled its request path (HTTP, authentication,
  # the entity's ask, JSON). The per-run warm-ups below then only settle each run's own path.
  if has_bench get_env; then
    say "warming the request path up: GET /environments/{id}, $RATE req/s for $JIT_WARMUP s (not measured)"
    run_wrk jit-warmup "$RATE" "$JIT_WARMUP" "http://127.0.0.1:$HTTP_PORT" get_env.lua "ids=$ids" >/dev/null
  else
    say "warming the request path up: GET /nodes, $RATE req/s for $JIT_WARMUP s (not measured)"
    run_wrk jit-warmup "$RATE" "$JIT_WARMUP" "$API/nodes" get_url.lua >/dev/null
  fi
fi
if has_bench get_env; then
  bench get_env "$RATE" "$DURATION" "http://127.0.0.1:$HTTP_PORT" get_env.lua "ids=$ids"
fi
if has_bench get_nodes; then
  bench get_nodes "$RATE" "$DURATION" "$API/nodes" get_url.lua
fi
if has_bench get_health; then
  bench get_health "$RATE" "$DURATION" "$API/health" get_url.lua
fi
if has_bench post_env; then
  # Warm-up and measured creates get different name prefixes; ids go to post-ids.* for cleanup.
  # (post_env-warmup / post_env are the wrk run names; the prefix is set per run below.)
  post_bench() {
    local name=$1 secs=$2 prefix=$3
    run_wrk "$name" "$POST_RATE" "$secs" "http://127.0.0.1:$HTTP_PORT" post_env.lua \
      "prefix=$prefix" os=debian cpu=0.1 ram=64M "ids_file=$WORK/post-ids.$name"
  }
  if [ "$POST_WARMUP" -gt 0 ]; then
    say "post_env: warm-up, $POST_RATE req/s for $POST_WARMUP s (not measured)"
    post_bench post_env-warmup "$POST_WARMUP" "bench-w$RUN_ID" >/dev/null
  fi
  say "post_env: measuring, $POST_RATE req/s for $POST_DURATION s ($CONNECTIONS connections, $THREADS thread(s))"
  RESULT_OF[post_env]=$(post_bench post_env "$POST_DURATION" "bench-m$RUN_ID")
  # What became of them (information): every environment of this DCloud by status, a few seconds on.
  sleep 5
  POST_OUTCOME=$(api_curl -s -m 30 "$API/environments" \
    | grep -o '"id":"[^"]*","name":"[^"]*","status":"[A-Z]*"' | sed 's/.*"status":"\([A-Z]*\)"/\1/' \
    | sort | uniq -c | awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }' || true)
fi

# ------------------------------------------------------------------------------ report

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

echo
echo "DCloud API latency, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'),"\
  "$(nproc) CPUs, wrk $THREADS thread(s) / $CONNECTIONS connections, JIT warm-up ${JIT_WARMUP} s, warm-up ${WARMUP} s (POST ${POST_WARMUP} s),"\
  "$( [ "$HOLLOW" = 0 ] && echo "real Docker worker" || echo "$HOLLOW hollow nodes" ), $ENVS environment(s) read"
echo "closed-loop pacing (wrk 4.1 + Lua): 'late' = requests sent > 1 ms after their slot (see bench/api/pacer.lua)"
printf '%-10s %9s %9s %8s %6s %8s %8s %8s %8s %7s %7s %6s %8s %8s\n' \
  benchmark target/s achieved/s requests secs p50_ms p90_ms p99_ms max_ms errors non2xx late cpu_us/r cass_us/r
for name in get_env get_nodes get_health post_env; do
  line=${RESULT_OF[$name]:-}
  [ -n "$line" ] || continue
  printf '%-10s %9s %9s %8s %6s %8s %8s %8s %8s %7s %7s %6s %8s %8s\n' "$name" \
    "$(field "$line" target_rps)" "$(field "$line" achieved_rps)" "$(field "$line" requests)" \
    "$(field "$line" duration_s)" "$(field "$line" p50_ms)" "$(field "$line" p90_ms)" \
    "$(field "$line" p99_ms)" "$(field "$line" max_ms)" "$(field "$line" errors)" \
    "$(field "$line" non2xx)" "$(field "$line" late)" \
    "$(field "$line" dcloud_cpu_us_per_req)" "$(field "$line" cassandra_cpu_us_per_req)"
done
echo "cpu_us/r, cass_us/r: CPU time of the DCloud JVM and of its embedded Cassandra per request during the run"\
  "(background work included; idle: DCloud ${IDLE_DCLOUD:-?} ms/s, Cassandra ${IDLE_CASS:-?} ms/s before the runs)"
for name in get_env get_nodes get_health post_env; do
  line=${RESULT_OF[$name]:-}
  [ -n "$line" ] || continue
  if [ "$(field "$line" non2xx)" != 0 ] || [ "$(field "$line" errors)" != 0 ]; then
    echo "$name: status codes $(field "$line" statuses), socket errors $(field "$line" errors_detail)"
  fi
done
if [ -n "${POST_OUTCOME:-}" ]; then
  echo "environments 5 s after the POST run (all of this DCloud's, by status): $POST_OUTCOME"
fi
control=${RESULT_OF[get_health]:-}
for name in get_env get_nodes; do
  line=${RESULT_OF[$name]:-}
  [ -n "$line" ] && [ -n "$control" ] || continue
  awk -v name="$name" -v p99="$(field "$line" p99_ms)" -v base="$(field "$control" p99_ms)" \
    -v cpu="$(field "$line" dcloud_cpu_us_per_req)" -v base_cpu="$(field "$control" dcloud_cpu_us_per_req)" \
    'BEGIN { ratio = "?"; cpu_ratio = "?"
             if (base > 0) ratio = sprintf("%.2f×", p99 / base)
             if (base_cpu > 0 && cpu != "") cpu_ratio = sprintf("%.2f×", cpu / base_cpu)
             printf "%s against the HTTP stack alone (get_health, same run): p99 %s, DCloud CPU per request %s\n", name, ratio, cpu_ratio }'
done
failed_requests=0
for name in get_env get_nodes get_health post_env; do
  line=${RESULT_OF[$name]:-}
  [ -n "$line" ] || continue
  goal=$P99_TARGET want=$RATE
  [ "$name" = post_env ] && goal=$POST_P99_TARGET want=$POST_RATE
  bad=$(( $(field "$line" errors) + $(field "$line" non2xx) ))
  failed_requests=$(( failed_requests + bad ))
  [ "$name" = get_health ] && continue   # a control: no goal of its own
  verdict=$(awk -v p99="$(field "$line" p99_ms)" -v got="$(field "$line" achieved_rps)" -v want="$want" \
    -v goal="$goal" -v bad="$bad" \
    'BEGIN { ok = (p99 <= goal && got >= 0.98 * want && bad == 0);
             printf "%s (p99 %.2f ms, goal <= %s ms; %.0f of %s req/s held; %d errors/non-2xx)", ok ? "MET" : "NOT MET", p99, goal, got, want, bad }')
  echo "goal $name p99 <= $goal ms at $want req/s: $verdict"
done
echo "raw RESULT lines: $RESULTS"
# A failed request is a correctness violation (the timings are reported, not enforced).
[ "$failed_requests" = 0 ] || die "$failed_requests requests failed (socket errors or non-2xx): see the table above"
