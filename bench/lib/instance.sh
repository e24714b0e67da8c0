# bench/lib/instance.sh: a private DCloud instance for a benchmark (sourced by the bench scripts;
# not run by itself).
#
# The caller sets, before calling these functions:
#   BENCH_NAME    prefix of messages (e.g. bench-api)
#   DCLOUD        the dcloud command (./dcloud of this checkout by default)
#   WORK          its work directory (absolute); DATA=$WORK/data and LOG=$WORK/dcloud.log are set here
#   HTTP_PORT, CQL_PORT, CLUSTER_PORT   its API, CQL and Pekko remoting ports
#   NODE_NAME     its node id: the label dcloud.node=<NODE_NAME> of the containers its worker makes
#   JAVA_OPTS     (array) extra -Dkey=value for the JVM
#   START_TIMEOUT seconds DCloud may take to answer (a build by ./dcloud included)
# and gets DCLOUD_PID (the process group leader) and API (http://127.0.0.1:<port>/api/v1).
#
# Everything talks to 127.0.0.1 only. The instance never shares anything with a `./dcloud dev` a user
# runs: own data directory, own ports (the embedded Cassandra's internode port is picked free), own
# node name (a worker only ever touches containers labelled with its own name).

say() { echo "$BENCH_NAME: $*" >&2; }
die() { echo "$BENCH_NAME: error: $*" >&2; exit 1; }

DCLOUD_PID=""

# Every API call is a user's: the instance's first admin gets this password (DCLOUD_ADMIN_PASSWORD),
# and api_curl signs in once and sends the token. DCLOUD_TOKEN is exported for wrk's and Python's
# requests once there is one.
ADMIN_PASSWORD=${BENCH_ADMIN_PASSWORD:-bench-admin-$$-$RANDOM$RANDOM}
TOKEN=""

# api_token: signs in as admin (once); false while the API cannot sign anyone in yet.
api_token() {
  [ -n "$TOKEN" ] && return 0
  TOKEN=$(curl -s -m 10 -X POST "$API/auth/login" -H 'Content-Type: application/json' \
    --data "{\"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}" 2>/dev/null \
    | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p') || true
  [ -n "$TOKEN" ] && export DCLOUD_TOKEN=$TOKEN
}

# api_curl ARGS...: curl with the admin's token.
api_curl() {
  api_token || true
  curl -H "Authorization: Bearer $TOKEN" "$@"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# instance_check_ports: dies with the flag to change when a port is taken.
instance_check_ports() {
  local p var flag
  for p in HTTP_PORT:--http-port CQL_PORT:--cassandra-port CLUSTER_PORT:--cluster-port; do
    var=${p%%:*} flag=${p#*:}
    if port_busy "${!var}"; then die "port ${!var} on 127.0.0.1 is already in use: choose another with $flag"; fi
  done
}

instance_log_tail() {
  echo "---- last lines of $LOG ----" >&2
  tail -n 25 "$LOG" >&2 || true
  echo "----" >&2
}

# instance_start: a fresh data directory, then `dcloud dev` in the background in its own process group.
instance_start() {
  DATA="$WORK/data"
  LOG="$WORK/dcloud.log"
  API="http://127.0.0.1:$HTTP_PORT/api/v1"
  rm -rf "$DATA"
  local opts=(
    "-Dpekko.remote.artery.canonical.port=$CLUSTER_PORT"
    # The embedded Cassandra's internode port (7000 by default) must not clash either: 0 = any free.
    "-Ddcloud.cassandra.embedded.storage-port=0"
    # Nor the management port (/metrics, /ready): 0 = any free.
    "-Ddcloud.management.port=0"
    # Nor the proxy into environments: 0 = any free.
    "-Ddcloud.http.proxy.port=0"
    ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"}
  )
  say "starting DCloud: $DCLOUD dev --http-port $HTTP_PORT --data-dir $DATA --cassandra-port $CQL_PORT --name $NODE_NAME ${opts[*]}"
  say "  (its log: $LOG)"
  DCLOUD_ADMIN_PASSWORD="$ADMIN_PASSWORD" setsid "$DCLOUD" dev --http-port "$HTTP_PORT" --data-dir "$DATA" --cassandra-port "$CQL_PORT" \
    --name "$NODE_NAME" "${opts[@]}" >"$LOG" 2>&1 </dev/null &
  DCLOUD_PID=$!
}

instance_up_nodes() { api_curl -s -m 5 "$API/nodes" 2>/dev/null | grep -o '"state" *: *"UP"' | wc -l; }

# instance_wait_ready EXPECTED_UP_NODES [GRACE_S [HINT]]: until GET /nodes shows that many UP nodes.
# Dies (with the log's tail) when DCloud exits, when START_TIMEOUT passes, or when fewer nodes than
# expected are UP GRACE_S (default 30) seconds after the first one (HINT is added to that message).
instance_wait_ready() {
  local expected=$1 grace=${2:-30} hint=${3:-} started first_up="" n now
  started=$(date +%s)
  while :; do
    kill -0 "$DCLOUD_PID" 2>/dev/null || { instance_log_tail; die "DCloud exited while starting"; }
    n=$(instance_up_nodes || true)
    [ "$n" -ge "$expected" ] && break
    now=$(date +%s)
    if [ "$n" -ge 1 ] && [ -z "$first_up" ]; then first_up=$now; fi
    if [ -n "$first_up" ] && [ $((now - first_up)) -ge "$grace" ]; then
      instance_log_tail
      die "only $n node(s) UP $grace s after the first, $expected expected${hint:+: $hint}"
    fi
    if [ $((now - started)) -ge "$START_TIMEOUT" ]; then
      instance_log_tail
      die "DCloud did not answer GET $API/nodes with $expected UP node(s) within $START_TIMEOUT s"
    fi
    sleep 1
  done
  # In this shell, so that what runs next (wrk, Python) gets DCLOUD_TOKEN.
  api_token || die "could not sign in as the instance's admin: $(curl -s -m 10 -X POST "$API/auth/login" \
    -H 'Content-Type: application/json' --data "{\"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}")"
  say "DCloud is up after $(( $(date +%s) - started )) s with $n UP node(s)"
}

# instance_delete_all_environments: deletes every environment this instance knows (it is the bench's
# own, so all of them were made by this run), through the API, and waits (bounded) until the
# containers labelled with its node name are gone.
instance_delete_all_environments() {
  [ -n "$DCLOUD_PID" ] && kill -0 "$DCLOUD_PID" 2>/dev/null || return 0
  local ids pass id i
  # The listing comes from the read side (about a second behind): look twice.
  for pass in 1 2; do
    [ "$pass" = 1 ] || sleep 2
    ids=$(api_curl -s -m 10 "$API/environments" \
      | grep -o '"id":"[^"]*","name":"[^"]*","status":"[A-Z]*"' | grep -v '"status":"DELETED"' \
      | sed 's/^"id":"\([^"]*\)".*/\1/' | sort -u || true)
    [ -n "$ids" ] || continue
    say "deleting $(echo "$ids" | wc -l) environment(s) this run created"
    for id in $ids; do api_curl -s -o /dev/null -m 10 -X DELETE "$API/environments/$id" || true; done
  done
  for i in $(seq 1 30); do
    [ -z "$(docker ps -aq --filter "label=dcloud.node=$NODE_NAME" 2>/dev/null)" ] && break
    sleep 1
  done
}

# instance_stop: SIGTERM to DCloud (it stops the node, then its embedded Cassandra, a child JVM in the
# same process group); the whole group gets SIGTERM, then SIGKILL, only if that does not end in time.
instance_stop() {
  [ -n "$DCLOUD_PID" ] || return 0
  local i
  if kill -0 "$DCLOUD_PID" 2>/dev/null; then
    say "stopping DCloud (pid $DCLOUD_PID)"
    kill -TERM "$DCLOUD_PID" 2>/dev/null || true
    for i in $(seq 1 60); do kill -0 "$DCLOUD_PID" 2>/dev/null || break; sleep 1; done
  fi
  if kill -0 -- "-$DCLOUD_PID" 2>/dev/null; then
    kill -TERM -- "-$DCLOUD_PID" 2>/dev/null || true
    for i in $(seq 1 20); do kill -0 -- "-$DCLOUD_PID" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$DCLOUD_PID" 2>/dev/null || true
  fi
  wait "$DCLOUD_PID" 2>/dev/null || true
  DCLOUD_PID=""
}

# instance_remove_containers FILTER...: docker rm -f of every container matching a docker ps filter
# (e.g. label=dcloud.node=NAME). Used before the start (leftovers of a killed run) and at the end.
instance_remove_containers() {
  local f ids
  for f in "$@"; do
    ids=$(docker ps -aq --filter "$f" 2>/dev/null || true)
    if [ -n "$ids" ]; then
      say "removing $(echo "$ids" | wc -l) container(s) with $f"
      # shellcheck disable=SC2086
      docker rm -f $ids >/dev/null 2>&1 || true
    fi
  done
}

# instance_cleanup_on_exit [SERVICE]: on exit (and Ctrl-C, TERM), deletes SERVICE first (it would
# make its replicas again), then every environment of the instance, stops DCloud, removes its
# containers and its data directory, and keeps the exit status (saying where the log is on failure).
instance_cleanup_on_exit() {
  CLEANUP_SERVICE=${1:-}
  trap instance_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

instance_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${CLEANUP_SERVICE:-}" ]; then
    api_curl -s -m 10 -X DELETE "$API/services/$CLEANUP_SERVICE" >/dev/null 2>&1 || true
  fi
  instance_delete_all_environments || true
  instance_stop || true
  instance_remove_containers "label=dcloud.node=$NODE_NAME" || true
  chmod -R u+w "$WORK/data" 2>/dev/null || true
  rm -rf "$WORK/data"
  [ $rc -eq 0 ] || say "failed (exit $rc); DCloud's log: $LOG"
  exit $rc
}
