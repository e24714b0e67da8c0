#!/usr/bin/env bash
# bench/devices.sh: sensor readings through DCloud to an app, with 1,000 simulated devices.
#
# usage: bench/devices.sh [--count 1000] [--rate 1000] [--duration 60] [--drain 30] [--http-port P]
#                         [--cassandra-port P] [--cluster-port P] [--mqtt-port P] [--relay-port P]
#                         [--management-port P] [--work-dir DIR]
#
# It starts its OWN Mosquitto (on 127.0.0.1:--mqtt-port, dynamic security initialised with
# mosquitto_ctrl, as DCloud's dev starts one) and its OWN DCloud (`./dcloud dev` on its own ports and
# data directory, see bench/lib/instance.sh) pointed at it, registers a sensor type, pushes a tiny app
# whose config binds that type (bindings: [{type, min: 1, max: --count}]), registers --count devices
# (`dcloud devices simulate --duration 0`), binds them all to the app, then runs
# io.dcloud.bench.DevicesBenchmark: it subscribes as the app's own broker account (service-<name>,
# with the replica's DCLOUD_MQTT_PASSWORD) to every bound device's dcloud/readings/<id>, runs
# `dcloud devices simulate` at --rate readings/s in all for --duration s (the devices' secrets are
# rotated), and prints readings/s ingested (DCloud's accepted counter), readings/s delivered to the
# app, p50/p99/max from the device's publish (its ts) to the app, and a RESULT line. It exits 1 when
# readings the broker confirmed never reached the app within --drain s after the run.
# Everything runs on one machine: broker, DCloud, Cassandra, the devices and the app's side.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BENCH_NAME=bench-devices
# shellcheck source=bench/lib/instance.sh
. "$REPO/bench/lib/instance.sh"

COUNT=${BENCH_COUNT:-1000}
RATE=${BENCH_RATE:-1000}
DURATION=${BENCH_DURATION:-60}
DRAIN=${BENCH_DRAIN:-30}
HTTP_PORT=${BENCH_HTTP_PORT:-18600}
CQL_PORT=${BENCH_CASSANDRA_PORT:-19562}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-25694}
MQTT_PORT=${BENCH_MQTT_PORT:-18830}
RELAY_PORT=${BENCH_RELAY_PORT:-18831}
MGMT_PORT=${BENCH_MANAGEMENT_PORT:-18558}
WORK=${BENCH_WORK_DIR:-/tmp/dcloud-bench-devices}
NODE_NAME=${BENCH_NODE_NAME:-dcloud-bench-devices}
READY_TIMEOUT=${BENCH_READY_TIMEOUT:-1200}
START_TIMEOUT=${BENCH_START_TIMEOUT:-600}
DCLOUD=${DCLOUD:-$REPO/dcloud}
CLI_JAR=$REPO/cli/target/dcloud-cli.jar
APP=bench-devices
TYPE=bench-temp
PREFIX=bench
JAVA_OPTS=()

while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --drain) DRAIN=$2; shift 2 ;;
    --http-port) HTTP_PORT=$2; shift 2 ;;
    --cassandra-port) CQL_PORT=$2; shift 2 ;;
    --cluster-port) CLUSTER_PORT=$2; shift 2 ;;
    --mqtt-port) MQTT_PORT=$2; shift 2 ;;
    --relay-port) RELAY_PORT=$2; shift 2 ;;
    --management-port) MGMT_PORT=$2; shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
command -v curl >/dev/null || die "curl is missing: install it (Debian/Ubuntu: 'sudo apt-get install curl')"
command -v setsid >/dev/null || die "setsid is missing: install util-linux"
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || die "mosquitto is missing: 'sudo apt-get install mosquitto'"
command -v mosquitto_ctrl >/dev/null || die "mosquitto_ctrl is missing: 'sudo apt-get install mosquitto-clients'"
[ -f "$CLI_JAR" ] || die "$CLI_JAR is missing: build it (./dcloud build)"
instance_check_ports
for p in MQTT_PORT:--mqtt-port MGMT_PORT:--management-port; do
  var=${p%%:*} flag=${p#*:}
  if port_busy "${!var}"; then die "port ${!var} on 127.0.0.1 is already in use: choose another with $flag"; fi
done

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
BROKER_DIR=$WORK/broker
BROKER_PID=""

# A Mosquitto as DCloud's dev starts one: loopback only, no anonymous clients, dynamic security with
# an admin account whose password only DCloud reads (from a file, never on a command line).
broker_start() {
  rm -rf "$BROKER_DIR"
  mkdir -p "$BROKER_DIR"
  chmod 700 "$BROKER_DIR"
  head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$BROKER_DIR/admin-password"
  mosquitto_ctrl dynsec init "$BROKER_DIR/dynamic-security.json" dcloud-admin "$(cat "$BROKER_DIR/admin-password")" >/dev/null
  cat >"$BROKER_DIR/mosquitto.conf" <<EOF
listener $MQTT_PORT 127.0.0.1
user $(id -un)
allow_anonymous false
per_listener_settings false
plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
plugin_opt_config_file $BROKER_DIR/dynamic-security.json
log_dest file $BROKER_DIR/mosquitto.log
# As DCloud's dev broker: the ingest acknowledges a reading only once it is stored, and Mosquitto
# sends a client at most this many unacknowledged (20 by default, which would cap the figures).
max_inflight_messages 1000
# What the ingest's persistent session may have queued while a gateway is away.
max_queued_messages 100000
EOF
  # A thousand devices, DCloud's connections and the app's: more sockets than the usual 1024 files.
  ulimit -n "$(( COUNT * 2 + 1024 ))" 2>/dev/null || say "could not raise the open files limit (ulimit -n $(ulimit -n))"
  say "starting Mosquitto on 127.0.0.1:$MQTT_PORT (its log: $BROKER_DIR/mosquitto.log)"
  setsid /usr/sbin/mosquitto -c "$BROKER_DIR/mosquitto.conf" >>"$BROKER_DIR/stdout.log" 2>&1 </dev/null &
  BROKER_PID=$!
  for _ in $(seq 1 50); do port_busy "$MQTT_PORT" && return 0; sleep 0.2; done
  die "Mosquitto did not listen on $MQTT_PORT: $(tail -5 "$BROKER_DIR/mosquitto.log" "$BROKER_DIR/stdout.log" 2>/dev/null)"
}

broker_stop() {
  [ -n "$BROKER_PID" ] || return 0
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
  BROKER_PID=""
}

instance_cleanup_on_exit "$APP"
# instance_cleanup ends with exit, so the broker is stopped first here, and the exit status is handed
# on to instance_cleanup ($? after the subshell; without set +e, set -e would end the trap there).
trap 'rc=$?; broker_stop; set +e; (exit $rc); instance_cleanup' EXIT

instance_remove_containers "label=dcloud.node=$NODE_NAME"   # leftovers of an earlier, killed run
broker_start
JAVA_OPTS+=(
  "-Ddcloud.broker.host=127.0.0.1" "-Ddcloud.broker.port=$MQTT_PORT"
  "-Ddcloud.broker.admin-username=dcloud-admin" "-Ddcloud.broker.admin-password-file=$BROKER_DIR/admin-password"
  "-Ddcloud.broker.relay-port=$RELAY_PORT"
  # After instance.sh's own (0): the benchmark reads the accepted readings counter on /metrics.
  "-Ddcloud.management.port=$MGMT_PORT"
)
# The broker above is DCloud's: `dcloud dev` must not start its own dev broker on 1883 besides it.
export DCLOUD_BROKER_EXTERNAL=1
instance_start
instance_wait_ready 1

say "registering sensor type $TYPE"
cat >"$WORK/type.json" <<EOF
{"name": "$TYPE", "kind": "sensor",
 "fields": {"temperature": {"type": "number", "unit": "C", "min": -20, "max": 50},
            "humidity": {"type": "integer", "unit": "%", "min": 0, "max": 100}}}
EOF
api_curl -sf -m 30 -X POST -H 'Content-Type: application/json' --data "@$WORK/type.json" "$API/sensor-types" >/dev/null \
  || die "POST /sensor-types failed"

say "pushing app $APP (bindings: [{type: $TYPE, min: 1, max: $COUNT}])"
mkdir -p "$WORK/app"
echo "the devices benchmark's app: its readings are taken by the benchmark, logged in as this app" >"$WORK/app/README"
tar -czf "$WORK/app.tar.gz" -C "$WORK/app" README
cat >"$WORK/app.json" <<EOF
{"name": "$APP", "runtime": {"language-name": "python", "libraries": []},
 "command": ["python3", "-m", "http.server", "8000"], "port": 8000, "replicas": 1,
 "resources": {"ram": "256M", "cpu": "0.5"},
 "bindings": [{"type": "$TYPE", "min": 1, "max": $COUNT}]}
EOF
api_curl -sf -m 120 -F "source=@$WORK/app.tar.gz" -F "config=@$WORK/app.json;type=application/json" "$API/apps" >/dev/null \
  || die "POST /apps failed: $(api_curl -s -m 120 -F "source=@$WORK/app.tar.gz" -F "config=@$WORK/app.json;type=application/json" "$API/apps")"
say "waiting for its replica to be ready (the first build of the Python image takes minutes)"
started=$(date +%s)
until api_curl -s -m 10 "$API/services/$APP" | grep -q '"ready" *: *true'; do
  [ $(( $(date +%s) - started )) -lt "$READY_TIMEOUT" ] || die "the replica was not ready within $READY_TIMEOUT s"
  sleep 2
done

simulate() { java -jar "$CLI_JAR" --api "http://127.0.0.1:$HTTP_PORT" devices simulate --type "$TYPE" --count "$COUNT" --prefix "$PREFIX" "$@"; }
say "registering $COUNT devices"
simulate --duration 0 >&2 || die "registering the devices failed"
say "binding them to $APP"
DEVICES=$(seq 1 "$COUNT" | sed "s/.*/\"$PREFIX-$TYPE-&\"/" | paste -sd, -)
api_curl -sf -m 120 -X POST -H 'Content-Type: application/json' --data "{\"devices\": [$DEVICES]}" \
  "$API/services/$APP/bindings" >/dev/null || die "POST /services/$APP/bindings failed"

java -cp "$REPO/bench/target/classes:$REPO/bench/target/lib/*" io.dcloud.bench.DevicesBenchmark \
  --api "http://127.0.0.1:$HTTP_PORT" --metrics "http://127.0.0.1:$MGMT_PORT/metrics" --service "$APP" \
  --type "$TYPE" --count "$COUNT" --rate "$RATE" --duration "$DURATION" --drain "$DRAIN" --prefix "$PREFIX" \
  --cli-jar "$CLI_JAR"
