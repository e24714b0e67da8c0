#!/usr/bin/env bash
# Overload: three real `dcloud node` processes with hollow workers take creates through their
# gateways at a fixed rate above what they sustain, while environments are read in turn, one every
# 20 ms (it module, OverloadBenchmark). What they cannot take must be refused with 429 and Retry-After,
# soon enough that no member is marked unreachable and every read is answered; exits non-zero if not.
# usage: bench/overload.sh [--rate 100] [--seconds 60] [--hollow-nodes 100] [--read-environments 6]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
rate=100
seconds=60
hollow=100
reads=6
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --hollow-nodes) hollow=$2; shift 2 ;;
    --read-environments) reads=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "overload.sh: unknown flag $1 (try --help)" >&2; exit 2 ;;
  esac
done
# Failsafe runs only what -Dit.test names; the node processes run app/target (built by ./dcloud).
mkdir -p .dcloud
log=.dcloud/bench-overload.log
status=0
mvn -B -pl it verify -Dit.test=OverloadBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Ddcloud.bench.overload.rate="$rate" -Ddcloud.bench.overload.seconds="$seconds" \
  -Ddcloud.bench.overload.hollow-nodes="$hollow" -Ddcloud.bench.overload.read-environments="$reads" >"$log" 2>&1 || status=$?
grep -hE "^(OVERLOAD|RESULT)" it/target/failsafe-reports/io.dcloud.it.OverloadBenchmark-output.txt 2>/dev/null || true
[ "$status" = 0 ] || { echo "overload.sh: the benchmark failed (exit $status); see $log" >&2; exit "$status"; }
