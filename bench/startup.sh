#!/usr/bin/env bash
# bench/startup.sh: start overhead of DCloud against raw Docker, with the REAL Docker runtime.
#
# usage: bench/startup.sh [--rounds 20] [--follow sse|poll] [--os debian] [--cpu 0.5] [--ram 256M] ...
#        bench/startup.sh --help          (every option, and the environment variables that set them)
#
# It starts its OWN DCloud (`./dcloud dev` on its own HTTP, CQL, storage and cluster ports, data
# directory and node name; no hollow nodes), then bench/startup.py (with its parts next to it:
# startup_dcloud.py the API side, startup_docker.py the docker side, startup_report.py the output):
#   - a warm-up create builds (or finds) the environment's image and shows its tag and DCloud's
#     container limits; `docker run` then uses exactly that image, those limits, that command and
#     (with --network same, the default) the same network;
#   - N rounds, interleaved: one DCloud create timed from POST /api/v1/environments to RUNNING (SSE
#     stream or tight polling) and one `docker run -d` timed until it returns (plus, for information,
#     the same container through the Engine API's create + start); everything is deleted or removed
#     between rounds, outside the timed part;
#   - per-round figures, median, p90, min, max and the ratio median(DCloud) / median(docker run)
#     (goal <= 1.1).
# At the end it deletes what is left through the API, stops DCloud and removes every container
# labelled with its node name or with this bench's label.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BENCH_NAME=bench-startup
# shellcheck source=bench/lib/instance.sh
. "$REPO/bench/lib/instance.sh"

usage() {
  cat <<EOF
usage: bench/startup.sh [options]      (each option also has an environment variable, in brackets)
  --rounds N          timed rounds (one DCloud create + one docker run each)  [BENCH_ROUNDS, 20]
  --warm-creates N    untimed DCloud creates first, so the JIT has compiled the create path
                      as in a server that has been running (0: time a cold JVM) [BENCH_WARM_CREATES, 20]
  --follow MODE       how RUNNING is seen: sse (GET .../events) or poll (GET .../{id} every 5 ms)
                                                                      [BENCH_FOLLOW, sse]
  --os OS             the environment's os (a catalog entry)          [BENCH_OS, debian]
  --cpu C             its cpu, and docker run's --cpus                [BENCH_CPU, 0.5]
  --ram R             its ram, and docker run's --memory              [BENCH_RAM, 256M]
  --engine-api on|off also time the Engine API's create+start (information) [BENCH_ENGINE_API, on]
  --network same|default  docker run on DCloud's container's network (its tenant's bridge) or on the
                      engine's default bridge (then the ratio includes what the tenant network costs) [BENCH_NETWORK, same]
  --pause S           quiet seconds before each timed operation       [BENCH_PAUSE, 0.5]
  --target X          the ratio goal                                  [BENCH_TARGET, 1.1] 
  --http-port P       API port of the bench's DCloud                  [BENCH_HTTP_PORT, 18490]
  --cassandra-port P  CQL port of its embedded Cassandra              [BENCH_CASSANDRA_PORT, 19452]
  --cluster-port P    its Pekko remoting (artery) port                [BENCH_CLUSTER_PORT, 25592]
  --work-dir D        its log and (while it runs) data                [BENCH_WORK_DIR, /tmp/dcloud-bench-startup]
  --keep-data         keep <work-dir>/data after the run (it is wiped at every start anyway)
  --start-timeout S   how long DCloud may take to answer (a build included) [BENCH_START_TIMEOUT, 600]
  -h, --help          this text
Other variables: DCLOUD (the dcloud command, default $REPO/dcloud), BENCH_JAVA_OPTS (more -Dkey=value
for DCloud, space-separated), BENCH_NODE_NAME (its node id, default dcloud-bench-startup).
The output is also kept in <work-dir>/startup.txt, DCloud's log in <work-dir>/dcloud.log.
EOF
}

ROUNDS=${BENCH_ROUNDS:-20}
WARM_CREATES=${BENCH_WARM_CREATES:-20}
FOLLOW=${BENCH_FOLLOW:-sse}
OS=${BENCH_OS:-debian}
CPU=${BENCH_CPU:-0.5}
RAM=${BENCH_RAM:-256M}
ENGINE_API=${BENCH_ENGINE_API:-on}
NETWORK=${BENCH_NETWORK:-same}
PAUSE=${BENCH_PAUSE:-0.5}
TARGET=${BENCH_TARGET:-1.1}
HTTP_PORT=${BENCH_HTTP_PORT:-18490}
CQL_PORT=${BENCH_CASSANDRA_PORT:-19452}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25592}
WORK=${BENCH_WORK_DIR:-/tmp/dcloud-bench-startup}
KEEP_DATA=0
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
NODE_NAME=${BENCH_NODE_NAME:-dcloud-bench-startup}
DCLOUD=${DCLOUD:-$REPO/dcloud}

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --keep-data) KEEP_DATA=1; shift; continue ;;
    --rounds|--warm-creates|--follow|--os|--cpu|--ram|--engine-api|--network|--pause|--target|--http-port|--cassandra-port|--cluster-port|--work-dir|--start-timeout) [ $# -ge 2 ] || die "option $1 needs a value (see --help)" ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  case "$1" in
    --rounds) ROUNDS=$2 ;;
    --warm-creates) WARM_CREATES=$2 ;;
    --follow) FOLLOW=$2 ;;
    --os) OS=$2 ;;
    --cpu) CPU=$2 ;;
    --ram) RAM=$2 ;;
    --engine-api) ENGINE_API=$2 ;;
    --network) NETWORK=$2 ;;
    --pause) PAUSE=$2 ;;
    --target) TARGET=$2 ;;
    --http-port) HTTP_PORT=$2 ;;
    --cassandra-port) CQL_PORT=$2 ;;
    --cluster-port) CLUSTER_PORT=$2 ;;
    --work-dir) WORK=$2 ;;
    --start-timeout) START_TIMEOUT=$2 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift 2
done

for v in ROUNDS WARM_CREATES HTTP_PORT CQL_PORT CLUSTER_PORT START_TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be at least 1"
case "$FOLLOW" in sse|poll) ;; *) die "--follow must be sse or poll" ;; esac
case "$ENGINE_API" in on|off) ;; *) die "--engine-api must be on or off" ;; esac
case "$NETWORK" in same|default) ;; *) die "--network must be same or default" ;; esac

command -v python3 >/dev/null || die "python3 is missing: install it (Debian/Ubuntu: 'sudo apt-get install python3')"
command -v curl >/dev/null || die "curl is missing: install it (Debian/Ubuntu: 'sudo apt-get install curl')"
command -v docker >/dev/null || die "docker (the client) is missing: install docker.io"
command -v setsid >/dev/null || die "setsid is missing: install util-linux"
docker info >/dev/null 2>&1 || die "no Docker Engine answers 'docker info': start dockerd (e.g. 'sudo systemctl start docker')"
[ -x "$DCLOUD" ] || command -v "$DCLOUD" >/dev/null || die "the dcloud command '$DCLOUD' is not executable (set DCLOUD)"
for part in startup.py startup_dcloud.py startup_docker.py startup_report.py; do
  [ -f "$REPO/bench/$part" ] || die "$REPO/bench/$part is missing"
done
instance_check_ports

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
DATA="$WORK/data"
LOG="$WORK/dcloud.log"
RUN_ID=$(date +%H%M%S)
RAW_LABEL_KEY=dcloud.bench

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  instance_delete_all_environments || true
  instance_stop || true
  instance_remove_containers "label=dcloud.node=$NODE_NAME" "label=$RAW_LABEL_KEY" || true
  if [ "$KEEP_DATA" = 0 ]; then rm -rf "$DATA"; fi
  [ $rc -eq 0 ] || say "failed (exit $rc); DCloud's log: $LOG"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

JAVA_OPTS=()
# shellcheck disable=SC2206
if [ -n "${BENCH_JAVA_OPTS:-}" ]; then JAVA_OPTS+=(${BENCH_JAVA_OPTS}); fi

# Leftovers of an earlier, killed run (containers of this bench's node, raw containers of this bench).
instance_remove_containers "label=dcloud.node=$NODE_NAME" "label=$RAW_LABEL_KEY"
instance_start
instance_wait_ready 1
if ! api_curl -s "$API/nodes" | grep -q "\"id\" *: *\"$NODE_NAME\""; then
  die "GET /nodes does not show this DCloud's own Docker worker $NODE_NAME (hollow nodes?): this benchmark needs the real Docker runtime"
fi

echo "DCloud start overhead, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'),"\
  "$(nproc) CPUs, Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), $ROUNDS rounds" \
  | tee "$WORK/startup.txt"
# startup.py imports the modules next to it (its own directory is on sys.path); -B keeps bench/ free of
# __pycache__ folders.
python3 -B -u "$REPO/bench/startup.py" --http-port "$HTTP_PORT" --node-name "$NODE_NAME" --rounds "$ROUNDS" --warm-creates "$WARM_CREATES" \
  --os "$OS" --cpu "$CPU" --ram "$RAM" --follow "$FOLLOW" --engine-api "$ENGINE_API" --network "$NETWORK" --pause "$PAUSE" \
  --target "$TARGET" --run-id "$RUN_ID" </dev/null | tee -a "$WORK/startup.txt"
