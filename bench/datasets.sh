#!/usr/bin/env bash
# bench/datasets.sh: dataset upload and download throughput, as a ratio to `cp` of the same file on
# the same disk, measured in the same run.
#
# usage: bench/datasets.sh [--size-mib 256] [--rounds 3] [--http-port P] [--cassandra-port P] ...
#
# It starts its OWN DCloud (`./dcloud dev` on its own ports and data directory, see
# bench/lib/instance.sh), writes a file of random bytes into its work directory, then each round:
#   cp      the file to another file in the same directory (then sync), the disk's own speed;
#   put     PUT /api/v1/datasets/bench/throughput/blob (curl -T: streamed, chunked into Cassandra);
#   get     GET the latest version back to a file (sha256 checked against the original).
# It prints MB/s (10^6 bytes per second) per operation as the median of the rounds, and the ratios
# put/cp and get/cp. Everything runs on one machine: DCloud, its Cassandra and curl share the CPUs.
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
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
DCLOUD=${DCLOUD:-$REPO/dcloud}
JAVA_OPTS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) SIZE_MIB=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
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
  instance_stop || true
  rm -rf "$WORK/data" "$BLOB" "$WORK/copy.bin" "$WORK/back.bin"
  [ $rc -eq 0 ] || say "failed (exit $rc); DCloud's log: $LOG"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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
