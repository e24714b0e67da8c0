#!/usr/bin/env bash
# Failover, repeated: three real `dcloud node` processes on this machine with the shipped detection
# and downing; each round SIGKILLs the worker that runs an environment and times crash -> RUNNING on
# a survivor while reading it every 20 ms (it module, FailoverBenchmark). Then, unless
# --saturated-seconds 0, three fresh nodes with every core kept busy for that long: none may be
# marked unreachable or downed (SaturatedMembershipBenchmark). Exits non-zero on a violation.
# usage: bench/failover.sh [--rounds 5] [--saturated-seconds 120]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
rounds=5
saturated=120
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --saturated-seconds) saturated=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "failover.sh: unknown flag $1 (try --help)" >&2; exit 2 ;;
  esac
done
tests=FailoverBenchmark
[ "$saturated" = 0 ] || tests=$tests,SaturatedMembershipBenchmark
# Failsafe runs only what -Dit.test names; the node processes run app/target (built by ./dcloud).
mkdir -p .dcloud
log=.dcloud/bench-failover.log
status=0
mvn -B -pl it verify -Dit.test="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
  -Ddcloud.bench.failover.rounds="$rounds" -Ddcloud.bench.saturated.seconds="$saturated" >"$log" 2>&1 || status=$?
# Failsafe keeps each test's output in its report directory.
for name in ${tests//,/ }; do
  grep -hE "^(FAILOVER|SATURATED|RESULT)" "it/target/failsafe-reports/io.dcloud.it.$name-output.txt" 2>/dev/null || true
done
[ "$status" = 0 ] || { echo "failover.sh: the benchmark failed (exit $status); see $log" >&2; exit "$status"; }
