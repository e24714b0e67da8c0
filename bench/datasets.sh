#!/usr/bin/env bash
# bench/datasets.sh: dataset upload and download throughput, as a ratio to `cp` of the same file on
# the same disk, measured in the same run; then mount times of a dataset in environments.
#
# usage: bench/datasets.sh [--size-mib 256] [--rounds 3] [--mount-mib 1024] [--os debian] [--http-port P] ...
#
# It starts its OWN DCloud (`./dcloud dev` on its own ports and data directory, see
# bench/lib/instance.sh), writes a file of random bytes into its work directory, then each round:
#   cp      the file to another file in the same directory (then sync), the disk's own speed;
#   put     PUT /api/v1/datasets/bench/throughput/blob (curl -T: streamed, chunked into Cassandra);
#   get     GET the latest version back to a file (sha256 checked against the original).
# It prints MB/s (10^6 bytes per second) per operation as the median of the rounds, and the ratios
# put/cp and get/cp. Then (unless --mount-mib 0) it uploads a dataset of --mount-mib MiB and times,
# from POST /api/v1/environments until GET shows RUNNING (polled every 0.2 s):
#   none    an environment without datasets (after a warm-up create that builds the image if needed);
#   first   one naming the dataset: the node fetches it from Cassandra into its cache (sha256 checked);
#   cached  a second one naming it, on the same (only) node: the cached copy is mounted as it is;
# and prints first mount against `cp` of the file, and each against the environment without datasets.
# Each part ends with a RESULT line; a download that differs from the upload, or an environment that
# does not reach RUNNING, fails the benchmark (non-zero exit).
# Everything runs on one machine: DCloud, its Cassandra and curl share the CPUs.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BENCH_NAME=bench-datasets
# shellcheck source=bench/lib/instance.sh
. "$REPO/bench/lib/instance.sh"

SIZE_MIB=${BENCH_SIZE_MIB:-256}
ROUNDS=${BENCH_ROUNDS:-3}
HTTP_PORT=${BENCH_HTTP_PORT:-18500}
CQL_PORT=${BENCH_CASSANDRA_PORT:-19462}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25594}
WORK=${BENCH_WORK_DIR:-/tmp/dcloud-bench-datasets}
NODE_NAME=${BENCH_NODE_NAME:-dcloud-bench-datasets}
MOUNT_MIB=${BENCH_MOUNT_MIB:-1024}
OS=${BENCH_OS:-debian}
MOUNT_TIMEOUT=${BENCH_MOUNT_TIMEOUT:-900}
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
DCLOUD=${DCLOUD:-$REPO/dcloud}
JAVA_OPTS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) SIZE_MIB=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --mount-mib) MOUNT_MIB=$2; shift 2 ;;
    --os) OS=$2; shift 2 ;;
    --http-port) HTTP_PORT=$2; shift 2 ;;
    --cassandra-port) CQL_PORT=$2; shift 2 ;;
    --cluster-port) CLUSTER_PORT=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ "$ROUNDS" -ge 1 ] || die "--rounds must be at least 1"
command -v curl >/dev/null || die "curl is missing: install it (Debian/Ubuntu: 'sudo apt-get install curl')"
command -v setsid >/dev/null || die "setsid is missing: install util-linux"
instance_check_ports

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
BLOB="$WORK/blob.bin"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  instance_delete_all_environments || true
  instance_stop || true
  instance_remove_containers "label=dcloud.node=$NODE_NAME" || true
  # The node's dataset cache is read-only by design (environments must not alter it).
  chmod -R u+w "$WORK/data" 2>/dev/null || true
  rm -rf "$WORK/data" "$BLOB" "$WORK/copy.bin" "$WORK/back.bin" "$WORK/mount.bin" "$WORK/mount-copy.bin"
  [ $rc -eq 0 ] || say "failed (exit $rc); DCloud's log: $LOG"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

instance_remove_containers "label=dcloud.node=$NODE_NAME"   # leftovers of an earlier, killed run
instance_start
instance_wait_ready 1
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom > "$BLOB"
SHA=$(sha256sum "$BLOB" | cut -d' ' -f1)
BYTES=$(stat -c %s "$BLOB")
URL="$API/datasets/bench/throughput/blob"

# seconds COMMAND...: the wall-clock seconds the command took (it must succeed).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null || die "failed: $*"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { print e - s }'
}
copy() { cp "$BLOB" "$WORK/copy.bin" && sync "$WORK/copy.bin"; }
put() { api_curl -sf -m 3600 -T "$BLOB" -H 'Content-Type: application/octet-stream' "$URL"; }
get() { api_curl -sf -m 3600 -o "$WORK/back.bin" "$URL"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { print b / s / 1000000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

cp_s=() put_s=() get_s=()
for round in $(seq 1 "$ROUNDS"); do
  cp_s+=("$(seconds copy)")
  put_s+=("$(seconds put)")
  get_s+=("$(seconds get)")
  [ "$(sha256sum "$WORK/back.bin" | cut -d' ' -f1)" = "$SHA" ] || die "round $round: the download differs from the upload"
  say "round $round: cp ${cp_s[-1]} s, put ${put_s[-1]} s, get ${get_s[-1]} s"
done
CP=$(printf '%s\n' "${cp_s[@]}" | median)
PUT=$(printf '%s\n' "${put_s[@]}" | median)
GET=$(printf '%s\n' "${get_s[@]}" | median)
echo "DCloud dataset throughput, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'),"\
  "$(nproc) CPUs, ${SIZE_MIB} MiB, $ROUNDS rounds (median), the embedded single-node Cassandra (RF 1)"
printf '%-6s %10s %8s\n' op "MB/s" "x cp"
printf '%-6s %10.1f %8.3f\n' cp "$(mbps "$CP")" 1
printf '%-6s %10.1f %8.3f\n' put "$(mbps "$PUT")" "$(ratio "$CP" "$PUT")"
printf '%-6s %10.1f %8.3f\n' get "$(mbps "$GET")" "$(ratio "$CP" "$GET")"
printf 'RESULT datasets size_mib=%s rounds=%s cp_mbps=%.1f put_mbps=%.1f get_mbps=%.1f put_vs_cp=%.3f get_vs_cp=%.3f\n' \
  "$SIZE_MIB" "$ROUNDS" "$(mbps "$CP")" "$(mbps "$PUT")" "$(mbps "$GET")" "$(ratio "$CP" "$PUT")" "$(ratio "$CP" "$GET")"

[ "$MOUNT_MIB" -gt 0 ] || exit 0

# create_and_time NAME DATASETS_JSON: seconds from the POST until the environment is RUNNING.
create_and_time() {
  local spec start id status end
  spec="{\"env-name\": \"$1\", \"os\": \"$OS\", \"resources\": {\"cpu\": \"0.5\", \"ram\": \"256M\", \"gpu\": \"0\"}$2}"
  start=$(date +%s.%N)
  id=$(api_curl -sf -m 60 -X POST "$API/environments" -H 'Content-Type: application/json' --data "$spec" \
    | grep -o '"id" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/') || die "POST /environments for $1 failed"
  [ -n "$id" ] || die "POST /environments for $1 answered no id"
  while :; do
    status=$(api_curl -s -m 10 "$API/environments/$id" | grep -o '"status" *: *"[A-Z_]*"' | head -1 \
      | sed 's/.*"\([A-Z_]*\)"$/\1/')
    case "$status" in
      RUNNING) break ;;
      FAILED|LOST|STOPPED|DELETED) die "environment $1 ($id) is $status: $(api_curl -s "$API/environments/$id")" ;;
    esac
    awk -v s="$start" -v n="$(date +%s.%N)" -v t="$MOUNT_TIMEOUT" 'BEGIN { exit !(n - s > t) }' \
      && die "environment $1 ($id) not RUNNING within $MOUNT_TIMEOUT s (last $status)"
    sleep 0.2
  done
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { print e - s }'
}

MOUNT="$WORK/mount.bin"
head -c "$((MOUNT_MIB * 1024 * 1024))" /dev/urandom > "$MOUNT"
api_curl -sf -m 3600 -T "$MOUNT" -H 'Content-Type: application/octet-stream' "$API/datasets/bench/mount/data" \
  >/dev/null || die "uploading the $MOUNT_MIB MiB dataset failed"
copy_mount() { cp "$MOUNT" "$WORK/mount-copy.bin" && sync "$WORK/mount-copy.bin"; }
MOUNT_CP=$(seconds copy_mount)
rm -f "$WORK/mount-copy.bin"
DATASET=', "dataset": [{"category-name": "bench", "db": [{"db-name": "mount", "dataset": [{"dataset-name": "data", "version": "latest"}]}]}]'
say "warm-up: an environment without datasets (builds the $OS image if it is not cached; may take minutes)"
create_and_time mount-warmup "" >/dev/null
NONE=$(create_and_time mount-none "")
FIRST=$(create_and_time mount-first "$DATASET")
CACHED=$(create_and_time mount-cached "$DATASET")
say "to RUNNING: none $NONE s, first mount $FIRST s, cached mount $CACHED s; cp of the file $MOUNT_CP s"
echo "DCloud dataset mount, $MOUNT_MIB MiB dataset, os $OS, POST -> RUNNING (one create each)"
printf '%-7s %9s %12s %9s\n' create seconds "x no-data" "x cp"
printf '%-7s %9.2f %12.2f %9s\n' none "$NONE" 1 -
printf '%-7s %9.2f %12.2f %9.2f\n' first "$FIRST" "$(ratio "$FIRST" "$NONE")" "$(ratio "$FIRST" "$MOUNT_CP")"
printf '%-7s %9.2f %12.2f %9s\n' cached "$CACHED" "$(ratio "$CACHED" "$NONE")" -
printf '%-7s %9.2f %12s %9.2f\n' cp "$MOUNT_CP" - 1
printf 'RESULT dataset_mount mib=%s os=%s none_s=%.2f first_s=%.2f cached_s=%.2f cp_s=%.2f\n' \
  "$MOUNT_MIB" "$OS" "$NONE" "$FIRST" "$CACHED" "$MOUNT_CP"
