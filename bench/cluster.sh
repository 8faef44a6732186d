#!/usr/bin/env bash
# sse-progress cluster benchmark (issue 11, point 13; Payara nodes: issue 15): one command, from the repo root:
#   bench/cluster.sh                          two Open Liberty nodes (default)
#   CLUSTER_SERVER=payara bench/cluster.sh    two Payara Micro nodes
#
# Publish → receive latency and delivered events/s of Manager topics on two real server nodes clustered
# on a real redis-server, against the single node, in one run (bench/src/tools/.../ClusterRunner.java):
#
#  1. installs the core and redis/ (mvn -DskipTests install) and builds bench/ (skipped with BENCH_BUILT=1);
#     extra Maven arguments in BENCH_MVN_ARGS, e.g. BENCH_MVN_ARGS=-Dmaven.repo.local=/work/m2-bench,
#  2. starts its own redis-server on a free loopback port (--save '' --appendonly no),
#  3. starts two nodes, both with -Xms1g -Xmx1g, -Dsse.cluster.redis.uri=redis://127.0.0.1:<port> and their own
#     -Dsse.cluster.node-name (bench-a, bench-b; the plain WAR has no engine: the keys do nothing there):
#     node A with sse-bench.war (single node, /sse-bench) AND sse-bench-cluster.war (clustered, /sse-bench-cluster),
#     node B with sse-bench-cluster.war;
#     - CLUSTER_SERVER=liberty (default): two Liberty servers copied from the bench's benchServer (same server.xml),
#       clusterA on 127.0.0.1:19880 and clusterB on 127.0.0.1:19882 (each also takes port + 1 for https);
#     - CLUSTER_SERVER=payara: two Payara Micro JVMs (the jar the core's it-payara profile pins) with
#       --nocluster --nohazelcast, server-config/payara/preboot.asadmin plus the listener bound to 127.0.0.1,
#       one --deploy per WAR (context root = WAR name) and their own --rootdir under bench/target/payara/,
#       node A on 127.0.0.1:19884 and node B on 127.0.0.1:19886, logs in bench/target/bench/cluster-payara-*.log
#       (each also opens a Hazelcast listener on *:6900+ despite --nohazelcast);
#     other ports: CLUSTER_PORT_A / CLUSTER_PORT_B,
#  4. runs the scenarios and writes bench/target/bench/cluster-<UTC time>.{json,md} (Payara: cluster-<UTC time>-payara.*);
#     `uptime` before and after goes to the console and to bench/target/bench/load.txt, and the count of the
#     nodes' error and warning lines to the console,
#  5. stops both nodes and Redis (also on Ctrl-C or failure; only the processes it started). Loopback only;
#     every wait is bounded, the runner by timeout (BENCH_TIME_LIMIT, 1200 s).
#
# Sizes: CLUSTER_OPTS="-Dcluster.sizes=10x100,1000x10 -Dcluster.seconds=6 -Dcluster.rounds=2" bench/cluster.sh
# The machine is shared: wrap it as   flock /tmp/sse-heavy.lock bench/cluster.sh
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SERVER_KIND=${CLUSTER_SERVER:-liberty}
case "$SERVER_KIND" in
  liberty) PORT_A=${CLUSTER_PORT_A:-19880}; PORT_B=${CLUSTER_PORT_B:-19882} ;;
  payara) PORT_A=${CLUSTER_PORT_A:-19884}; PORT_B=${CLUSTER_PORT_B:-19886} ;;
  *) echo "cluster bench: CLUSTER_SERVER must be liberty or payara, not '$SERVER_KIND'" >&2; exit 2 ;;
esac
OUT="$BENCH_DIR/target/bench"
WLP="$BENCH_DIR/target/liberty/wlp"
PAYARA_DIR="$BENCH_DIR/target/payara"
TIME_LIMIT=${BENCH_TIME_LIMIT:-1200}
# shellcheck disable=SC2206
MVN_ARGS=(${BENCH_MVN_ARGS:-})

PORTS=("$PORT_A" "$PORT_B")
# Liberty also listens on port + 1 (https); Payara Micro opens no https listener unless asked
if [ "$SERVER_KIND" = liberty ]; then PORTS+=($((PORT_A + 1)) $((PORT_B + 1))); fi
for p in "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "cluster bench: port $p is already in use; stop what holds it first" >&2
    exit 1
  fi
done
command -v redis-server >/dev/null || { echo "cluster bench: redis-server is not installed" >&2; exit 1; }

if [ "${BENCH_BUILT:-0}" != 1 ]; then
  echo "cluster bench: installing the core and redis/ from $ROOT (mvn -DskipTests install)"
  (cd "$ROOT" && mvn -q -B -DskipTests "${MVN_ARGS[@]}" install && mvn -q -B -DskipTests "${MVN_ARGS[@]}" -f redis/pom.xml install)
  echo "cluster bench: building bench/"
  mvn -q -B -Pcluster "${MVN_ARGS[@]}" -f "$BENCH_DIR/pom.xml" package
fi
mkdir -p "$OUT"

REDIS_PID=""
RUNNER_PID=""
STARTED=()     # Liberty servers this run started
PAYARA_PIDS=() # Payara Micro JVMs this run started (java -jar: the pid is the server JVM itself)
PAYARA_LOGS=()
# stop_pid <pid>: TERM, up to 30 s, then KILL; only ever a pid this script started
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  set +e
  [ -n "$RUNNER_PID" ] && stop_pid "$RUNNER_PID" # timeout passes the TERM on to the runner
  for s in "${STARTED[@]}"; do "$WLP/bin/server" stop "$s" >/dev/null 2>&1; done
  for pid in "${PAYARA_PIDS[@]}"; do stop_pid "$pid"; done
  [ -n "$REDIS_PID" ] && stop_pid "$REDIS_PID"
}
trap cleanup EXIT
trap 'exit 130' INT  # Ctrl-C and kill: exit, which runs the EXIT trap (once)
trap 'exit 143' TERM

# a free loopback port for Redis: the first of a random run of ports that nothing answers on
REDIS_PORT=""
base=$((21000 + RANDOM % 20000))
for p in $(seq "$base" $((base + 50))); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then REDIS_PORT=$p; break; fi
done
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$OUT/cluster-redis.log" &
REDIS_PID=$!
for i in $(seq 1 40); do
  if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then break; fi
  if [ "$i" = 40 ]; then echo "cluster bench: redis-server did not start on $REDIS_PORT" >&2; exit 1; fi
  sleep 0.25
done
echo "cluster bench: redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID)"

# start_liberty <name> <http port> <node-name> <wars...>: a copy of benchServer with its own ports and cluster keys
start_liberty() {
  local name=$1 port=$2 nodeName=$3
  shift 3
  local dir="$WLP/usr/servers/$name"
  rm -rf "$dir"
  mkdir -p "$dir/configDropins/overrides" "$dir/dropins"
  cp "$WLP/usr/servers/benchServer/server.xml" "$WLP/usr/servers/benchServer/jvm.options" "$dir/"
  [ -f "$WLP/usr/servers/benchServer/server.env" ] && cp "$WLP/usr/servers/benchServer/server.env" "$dir/"
  cat > "$dir/configDropins/overrides/ports.xml" <<EOF
<server>
    <variable name="http.port" value="$port"/>
    <variable name="https.port" value="$((port + 1))"/>
</server>
EOF
  {
    echo "-Dsse.cluster.redis.uri=redis://127.0.0.1:$REDIS_PORT"
    echo "-Dsse.cluster.node-name=$nodeName"
  } >> "$dir/jvm.options"
  for w in "$@"; do cp "$BENCH_DIR/target/$w" "$dir/dropins/"; done
  STARTED+=("$name")
  "$WLP/bin/server" start "$name" >/dev/null
}

# start_payara <name> <http port> <node-name> <wars...>: one Payara Micro JVM with its own root directory and log;
# each --deploy'ed WAR gets its file name as context root (sse-bench.war -> /sse-bench)
STAMP=$(date -u +%Y%m%d-%H%M%S)
start_payara() {
  local name=$1 port=$2 nodeName=$3
  shift 3
  local root="$PAYARA_DIR/$name-root" log="$OUT/cluster-payara-$STAMP-$name.log" deploy=() w
  rm -rf "$root"
  for w in "$@"; do deploy+=(--deploy "$BENCH_DIR/target/$w"); done
  java -Xms1g -Xmx1g "-Dsse.cluster.redis.uri=redis://127.0.0.1:$REDIS_PORT" "-Dsse.cluster.node-name=$nodeName" \
    -jar "$PAYARA_DIR/payara-micro.jar" --nocluster --nohazelcast --port "$port" \
    --prebootcommandfile "$PAYARA_PREBOOT" --rootdir "$root" "${deploy[@]}" > "$log" 2>&1 &
  PAYARA_PIDS+=($!)
  PAYARA_LOGS+=("$log")
}

if [ "$SERVER_KIND" = liberty ]; then
  echo "cluster bench: starting Open Liberty node A (clusterA, 127.0.0.1:$PORT_A) and node B (clusterB, 127.0.0.1:$PORT_B)"
  start_liberty clusterA "$PORT_A" bench-a sse-bench.war sse-bench-cluster.war
  start_liberty clusterB "$PORT_B" bench-b sse-bench-cluster.war
else
  # the shipped preboot file (write timeout, Grizzly queue bound) plus the listener on loopback, as bench/run.sh does
  PAYARA_PREBOOT="$PAYARA_DIR/cluster-preboot.asadmin"
  { cat "$ROOT/server-config/payara/preboot.asadmin"; echo
    echo "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1"
  } > "$PAYARA_PREBOOT"
  echo "cluster bench: starting Payara Micro node A (127.0.0.1:$PORT_A) and node B (127.0.0.1:$PORT_B); logs $OUT/cluster-payara-$STAMP-*.log"
  start_payara clusterA "$PORT_A" bench-a sse-bench.war sse-bench-cluster.war
  start_payara clusterB "$PORT_B" bench-b sse-bench-cluster.war
fi
for url in "http://127.0.0.1:$PORT_A/sse-bench/bench/ops" "http://127.0.0.1:$PORT_A/sse-bench-cluster/bench/ops" \
           "http://127.0.0.1:$PORT_B/sse-bench-cluster/bench/ops"; do
  for i in $(seq 1 240); do
    if curl -sf "$url" >/dev/null 2>&1; then break; fi
    for pid in "${PAYARA_PIDS[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then echo "cluster bench: Payara Micro (pid $pid) exited; see ${PAYARA_LOGS[*]}" >&2; exit 1; fi
    done
    if [ "$i" = 240 ]; then echo "cluster bench: $url did not come up in 120 s" >&2; exit 1; fi
    sleep 0.5
  done
done
if [ "$SERVER_KIND" = liberty ]; then
  LOGS=("$WLP/usr/servers/clusterA/logs/messages.log" "$WLP/usr/servers/clusterB/logs/messages.log")
else
  LOGS=("${PAYARA_LOGS[@]}")
fi
echo "cluster bench: $SERVER_KIND: before: $(uptime)" | tee -a "$OUT/load.txt"
# in the background and waited for, so that Ctrl-C stops it at once (timeout runs in its own process group, which
# the terminal's Ctrl-C does not reach, and bash runs a trap only after a foreground command has ended)
# shellcheck disable=SC2086
timeout "$TIME_LIMIT" java -Xms512m -Xmx1g -Dcluster.server="$SERVER_KIND" ${CLUSTER_OPTS:-} \
  -cp "$BENCH_DIR/target/tools-classes" \
  io.github.sseprogress.bench.tools.ClusterRunner "$PORT_A" "$PORT_B" "$REDIS_PORT" "$OUT" &
RUNNER_PID=$!
wait "$RUNNER_PID"
RUNNER_PID=""
RUN=$(tr -d '\n' < "$OUT/cluster-latest.txt")
echo "cluster bench: $SERVER_KIND: after ($RUN): $(uptime)" | tee -a "$OUT/load.txt"
redis-cli -p "$REDIS_PORT" info commandstats > "$OUT/$RUN-redis-commandstats.txt" || true
# what the nodes logged: that the clustered WAR's engine started (at its first request), Liberty's error (E) and
# warning (W) lines, Payara's SEVERE and WARNING records
for log in "${LOGS[@]}"; do
  grep -h "runs clustered" "$log" 2>/dev/null | tail -1 | sed 's/\x1b\[[0-9;]*m//g; s/^.*\(sse-progress runs clustered as node [^ ]*\).*/\1/' \
    | sed "s|^|cluster bench: $log: |" || true
  if [ "$SERVER_KIND" = liberty ]; then
    echo "cluster bench: $(grep -c ' E ' "$log" 2>/dev/null || true) error, $(grep -c ' W ' "$log" 2>/dev/null || true) warning lines in $log"
  else
    echo "cluster bench: $(grep -c 'SEVERE' "$log" || true) SEVERE, $(grep -c 'WARNING' "$log" || true) WARNING lines in $log"
  fi
done
echo "cluster bench: results in $OUT/$RUN.{json,md}"
