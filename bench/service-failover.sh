#!/usr/bin/env bash
# Service failover: three real `dcloud node` processes; a two-replica app service is called at --rate
# through a surviving gateway while each round SIGKILLs a node holding a replica (it module,
# ServiceFailoverBenchmark): crash -> 2 ready replicas, failed calls, slowest call.
# usage: bench/service-failover.sh [--rounds 3] [--rate 50]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
rounds=3
rate=50
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "service-failover.sh: unknown flag $1 (try --help)" >&2; exit 2 ;;
  esac
done
# Failsafe runs only what -Dit.test names; the node processes run app/target (built by ./dcloud).
mkdir -p .dcloud
log=.dcloud/bench-service-failover.log
status=0
mvn -B -pl it verify -Dit.test=ServiceFailoverBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Ddcloud.bench.service-failover.rounds="$rounds" -Ddcloud.bench.service-failover.rate="$rate" >"$log" 2>&1 || status=$?
# Failsafe keeps the test's output in its report directory.
grep -hE "^(SERVICE-FAILOVER|RESULT)" it/target/failsafe-reports/io.dcloud.it.ServiceFailoverBenchmark-output.txt 2>/dev/null || true
[ "$status" = 0 ] || { echo "service-failover.sh: the benchmark failed (exit $status); see $log" >&2; exit "$status"; }
