#!/usr/bin/env bash
# Failover, repeated: three real `dcloud node` processes on this machine; each round SIGKILLs the
# worker that runs an environment and times crash -> RUNNING on a survivor (it module,
# FailoverBenchmark). usage: bench/failover.sh [--rounds 5]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
rounds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "failover.sh: unknown flag $1 (try --help)" >&2; exit 2 ;;
  esac
done
# Failsafe runs only what -Dit.test names; the node processes run app/target (built by ./dcloud).
mkdir -p .dcloud
log=.dcloud/bench-failover.log
status=0
mvn -B -pl it verify -Dit.test=FailoverBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Ddcloud.bench.failover.rounds="$rounds" >"$log" 2>&1 || status=$?
# Failsafe keeps the test's output in its report directory.
grep -hE "^(FAILOVER|RESULT)" it/target/failsafe-reports/io.dcloud.it.FailoverBenchmark-output.txt 2>/dev/null || true
[ "$status" = 0 ] || { echo "failover.sh: the benchmark failed (exit $status); see $log" >&2; exit "$status"; }
