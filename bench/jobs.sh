#!/usr/bin/env bash
# bench/jobs.sh: inference job throughput with 1, 2 and 3 replicas of one model service.
#
# usage: bench/jobs.sh [--records 20000] [--batch-size 100] [--replicas 1,2,3] [--http-port P] ...
#
# It starts its OWN DCloud (`./dcloud dev` on its own ports and data directory, see
# bench/lib/instance.sh); bench/jobs.py (with /usr/bin/python3 and Debian's python3-sklearn) trains a
# logistic regression on iris, pushes it (POST /models), makes its model service (Python on Debian
# with the catalog's scikit-learn, flask, waitress, joblib), uploads --records JSON-lines records
# (iris rows with noise), then for each replica count scales the service, waits until every replica
# is ready, and times one job over all the records in tasks of --batch-size, from POST /jobs until
# GET shows SUCCEEDED (polled every 0.2 s); each job's output is checked against the local
# predictions. It prints seconds, records per second, the speed-up over one replica and how many
# replicas did tasks. Everything runs on one machine: DCloud, Cassandra and the replicas share the CPUs
# (the figures say how the job spreads, not what more machines would give).
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BENCH_NAME=bench-jobs
# shellcheck source=bench/lib/instance.sh
. "$REPO/bench/lib/instance.sh"

RECORDS=${BENCH_RECORDS:-20000}
BATCH=${BENCH_BATCH_SIZE:-100}
REPLICAS=${BENCH_REPLICAS:-1,2,3}
HTTP_PORT=${BENCH_HTTP_PORT:-18600}
CQL_PORT=${BENCH_CASSANDRA_PORT:-19562}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25694}
WORK=${BENCH_WORK_DIR:-/tmp/dcloud-bench-jobs}
NODE_NAME=${BENCH_NODE_NAME:-dcloud-bench-jobs}
READY_TIMEOUT=${BENCH_READY_TIMEOUT:-1800}
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
DCLOUD=${DCLOUD:-$REPO/dcloud}
JAVA_OPTS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS=$2; shift 2 ;;
    --batch-size) BATCH=$2; shift 2 ;;
    --replicas) REPLICAS=$2; shift 2 ;;
    --http-port) HTTP_PORT=$2; shift 2 ;;
    --cassandra-port) CQL_PORT=$2; shift 2 ;;
    --cluster-port) CLUSTER_PORT=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
/usr/bin/python3 -c 'import sklearn, joblib' 2>/dev/null \
  || die "/usr/bin/python3 with scikit-learn is missing: 'sudo apt-get install python3-sklearn python3-joblib'"
command -v setsid >/dev/null || die "setsid is missing: install util-linux"
instance_check_ports
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

instance_cleanup_on_exit bench-jobs

instance_remove_containers "label=dcloud.node=$NODE_NAME"   # leftovers of an earlier, killed run
instance_start
instance_wait_ready 1
echo "DCloud inference job throughput, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'),"\
  "$(nproc) CPUs, $RECORDS records in tasks of $BATCH, one node"
API="$API" /usr/bin/python3 "$REPO/bench/jobs.py" "$RECORDS" "$BATCH" "$REPLICAS" "$READY_TIMEOUT"
