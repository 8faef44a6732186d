#!/usr/bin/env bash
# sse-progress cluster benchmark (issue 11, point 13): one command, from the repo root:   bench/cluster.sh
#
# Publish → receive latency and delivered events/s of Manager topics on two real Open Liberty nodes clustered
# on a real redis-server, against the single node, in one run (bench/src/tools/.../ClusterRunner.java):
#
#  1. installs the core and redis/ (mvn -DskipTests install) and builds bench/ (skipped with BENCH_BUILT=1);
#     extra Maven arguments in BENCH_MVN_ARGS, e.g. BENCH_MVN_ARGS=-Dmaven.repo.local=/work/m2-bench,
#  2. starts its own redis-server on a free loopback port (--save '' --appendonly no),
#  3. creates two Liberty servers from the bench's benchServer (same server.xml, -Xms1g -Xmx1g):
#     node A on 127.0.0.1:19880 with sse-bench.war (single node) AND sse-bench-cluster.war (clustered),
#     node B on 127.0.0.1:19882 with sse-bench-cluster.war; both with -Dsse.cluster.redis.uri=redis://127.0.0.1:<port>
#     and their own -Dsse.cluster.node-name (the plain WAR has no engine: the keys do nothing there),
#  4. runs the scenarios and writes bench/target/bench/cluster-<UTC time>.{json,md},
#  5. stops both servers and Redis (also on Ctrl-C or failure). Loopback only; bounded by timeout.
#
# Sizes: CLUSTER_OPTS="-Dcluster.sizes=10x100,1000x10 -Dcluster.seconds=6 -Dcluster.rounds=2" bench/cluster.sh
# The machine is shared: wrap it as   flock /tmp/sse-heavy.lock bench/cluster.sh
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PORT_A=${CLUSTER_PORT_A:-19880}
PORT_B=${CLUSTER_PORT_B:-19882}
OUT="$BENCH_DIR/target/bench"
WLP="$BENCH_DIR/target/liberty/wlp"
TIME_LIMIT=${BENCH_TIME_LIMIT:-1200}
# shellcheck disable=SC2206
MVN_ARGS=(${BENCH_MVN_ARGS:-})

for p in $PORT_A $((PORT_A + 1)) $PORT_B $((PORT_B + 1)); do
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
STARTED=()
cleanup() {
  set +e
  for s in "${STARTED[@]}"; do "$WLP/bin/server" stop "$s" >/dev/null 2>&1; done
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null
}
trap cleanup EXIT INT TERM

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

# start_node <name> <http port> <node-name> <wars...>: a copy of benchServer with its own ports and cluster keys
start_node() {
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
  "$WLP/bin/server" start "$name" >/dev/null
  STARTED+=("$name")
}

echo "cluster bench: starting node A (clusterA, 127.0.0.1:$PORT_A) and node B (clusterB, 127.0.0.1:$PORT_B)"
start_node clusterA "$PORT_A" bench-a sse-bench.war sse-bench-cluster.war
start_node clusterB "$PORT_B" bench-b sse-bench-cluster.war
for url in "http://127.0.0.1:$PORT_A/sse-bench/bench/ops" "http://127.0.0.1:$PORT_A/sse-bench-cluster/bench/ops" \
           "http://127.0.0.1:$PORT_B/sse-bench-cluster/bench/ops"; do
  for i in $(seq 1 240); do
    if curl -sf "$url" >/dev/null 2>&1; then break; fi
    if [ "$i" = 240 ]; then echo "cluster bench: $url did not come up in 120 s" >&2; exit 1; fi
    sleep 0.5
  done
done
for n in clusterA clusterB; do
  grep -h "runs clustered" "$WLP/usr/servers/$n/logs/messages.log" 2>/dev/null | tail -1 | sed "s/^/cluster bench: $n: /" || true
done

echo "cluster bench: load average $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
timeout "$TIME_LIMIT" java -Xms512m -Xmx1g ${CLUSTER_OPTS:-} -cp "$BENCH_DIR/target/tools-classes" \
  io.github.sseprogress.bench.tools.ClusterRunner "$PORT_A" "$PORT_B" "$REDIS_PORT" "$OUT"
redis-cli -p "$REDIS_PORT" info commandstats > "$OUT/$(tr -d '\n' < "$OUT/cluster-latest.txt")-redis-commandstats.txt" || true
echo "cluster bench: results in $OUT/$(tr -d '\n' < "$OUT/cluster-latest.txt").{json,md}"
