#!/usr/bin/env bash
# sse-progress benchmark (issue 6): one command, from the repo root:   bench/run.sh
#
#  1. installs the library jar from the repo root into ~/.m2 (mvn -DskipTests install, or the jar named by
#     BENCH_LIBRARY_JAR; skipped when BENCH_BUILT=1, i.e. from `mvn -f bench/pom.xml verify`, which needs the
#     library in ~/.m2 already and has built bench/ itself),
#  2. builds bench/ (the bench WAR, the JDK-only client and limit server, an Open Liberty 26.0.0.3 server, and
#     the Payara Micro 6.2025.10 jar the core's it-payara profile pins),
#  3. starts the raw NIO limit server on 127.0.0.1:19790 and, per server in BENCH_SERVER, the server with the WAR:
#     Open Liberty on 127.0.0.1:19780 (server-config/liberty/server.xml), Payara Micro on 127.0.0.1:19784
#     (server-config/payara/preboot.asadmin plus the listener bound to 127.0.0.1; --nocluster; -Xms1g -Xmx1g),
#  4. runs every scenario (bench/src/tools/.../Runner.java) and writes bench/target/bench/run-<UTC time>.{json,md,svg}
#     (Payara: run-<UTC time>-payara.{json,md,svg}); `uptime` before and after each server's run goes to the console
#     and to bench/target/bench/load.txt,
#  5. stops each server after its run, and the limit server (also on Ctrl-C or failure; only processes it started).
#     Everything is bounded in time; loopback only (Payara Micro's Hazelcast still listens on *:6900).
#
# Servers: BENCH_SERVER=liberty (default), payara, or both (Liberty, then Payara; one after the other, same limit server)
#   BENCH_PAYARA_PREBOOT=<file>: more asadmin lines for Payara's preboot file (e.g. a larger http-thread-pool queue)
# Maven: MAVEN_OPTS="-Dmaven.repo.local=/path" or BENCH_MVN_ARGS="-Dmaven.repo.local=/path" (a private repository)
#
# Sizes: -D options in BENCH_OPTS, e.g. BENCH_OPTS="-Dbench.seconds=5 -Dbench.only=fanout" bench/run.sh
# Profiling: BENCH_JFR=1 records the server JVM with JFR (settings=profile) into bench/target/bench/<server>-<time>.jfr
# Before/after in one run: BENCH_COMPARE_WAR=/path/to/other/sse-bench.war deploys that WAR (built against another
#   library version) beside this one as /sse-bench-before; the fan-out scenarios then also run against it (target
#   "before") in the order ours, before, before, ours (A B B A), in the same JVM and the same run.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LIBERTY_PORT=19780
PAYARA_PORT=${BENCH_PAYARA_PORT:-19784}
LIMIT_PORT=19790
OUT="$BENCH_DIR/target/bench"
WLP="$BENCH_DIR/target/liberty/wlp"
SERVER=benchServer
TIME_LIMIT=${BENCH_TIME_LIMIT:-1800}
PAYARA_DIR="$BENCH_DIR/target/payara"
# shellcheck disable=SC2206
MVN_ARGS=(${BENCH_MVN_ARGS:-})
case "${BENCH_SERVER:-liberty}" in
  liberty) SERVERS=(liberty) ;;
  payara) SERVERS=(payara) ;;
  both) SERVERS=(liberty payara) ;;
  *) echo "bench: BENCH_SERVER must be liberty, payara or both, not '${BENCH_SERVER}'" >&2; exit 2 ;;
esac

# 10,000 idle subscribers need 10,000+ descriptors in the client and in each server
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "bench: ulimit -n is $(ulimit -n); the idle scenario needs about 12000 (set -Dbench.idle.n lower)" >&2
fi

PORTS=($LIMIT_PORT)
for s in "${SERVERS[@]}"; do
  if [ "$s" = liberty ]; then PORTS+=($LIBERTY_PORT); else PORTS+=($PAYARA_PORT); fi
done
for p in "${PORTS[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: port $p is already in use; stop what holds it first" >&2
    exit 1
  fi
done

if [ "${BENCH_BUILT:-0}" != 1 ]; then
  if [ -n "${BENCH_LIBRARY_JAR:-}" ]; then
    # called from the root pom's `bench` profile: the jar was just built; install that very file
    echo "bench: installing $BENCH_LIBRARY_JAR"
    (cd "$ROOT" && mvn -q -B "${MVN_ARGS[@]}" install:install-file -Dfile="$BENCH_LIBRARY_JAR" -DpomFile="$ROOT/pom.xml")
  else
    echo "bench: installing the library from $ROOT (mvn -DskipTests install)"
    (cd "$ROOT" && mvn -q -B -DskipTests "${MVN_ARGS[@]}" install)
  fi
  echo "bench: building bench/"
  mvn -q -B "${MVN_ARGS[@]}" -f "$BENCH_DIR/pom.xml" package
fi
mkdir -p "$OUT"

LIMIT_PID=""
PAYARA_PID=""
LIBERTY_STARTED=0
stop_payara() {
  [ -n "$PAYARA_PID" ] || return 0
  kill "$PAYARA_PID" 2>/dev/null
  for _ in $(seq 1 60); do kill -0 "$PAYARA_PID" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$PAYARA_PID" 2>/dev/null || true # already gone after TERM: not a failure
  PAYARA_PID=""
}
stop_liberty() {
  [ "$LIBERTY_STARTED" = 1 ] || return 0
  "$WLP/bin/server" stop "$SERVER" >/dev/null 2>&1 || true
  LIBERTY_STARTED=0
}
cleanup() {
  set +e
  [ -n "$LIMIT_PID" ] && kill "$LIMIT_PID" 2>/dev/null
  stop_liberty
  stop_payara
}
trap cleanup EXIT INT TERM

# wait_up <url> <what>: 120 s for the URL to answer
wait_up() {
  for i in $(seq 1 240); do
    if curl -sf "$1" >/dev/null 2>&1; then return 0; fi
    if [ -n "$PAYARA_PID" ] && ! kill -0 "$PAYARA_PID" 2>/dev/null; then
      echo "bench: Payara Micro exited; see $PAYARA_LOG" >&2; exit 1
    fi
    if [ "$i" = 240 ]; then echo "bench: $2 did not come up in 120 s" >&2; exit 1; fi
    sleep 0.5
  done
}

start_liberty() {
  rm -f "$WLP/usr/servers/$SERVER/dropins/"*.war
  cp "$BENCH_DIR/target/sse-bench.war" "$WLP/usr/servers/$SERVER/dropins/"
  if [ -n "${BENCH_COMPARE_WAR:-}" ]; then
    cp "$BENCH_COMPARE_WAR" "$WLP/usr/servers/$SERVER/dropins/sse-bench-before.war"
  fi
  echo "bench: starting Open Liberty ($SERVER) on 127.0.0.1:$LIBERTY_PORT"
  LIBERTY_STARTED=1
  "$WLP/bin/server" start "$SERVER" >/dev/null
  SERVER_PORT=$LIBERTY_PORT
}

start_payara() {
  # the shipped preboot file (write timeout, Grizzly queue bound) plus the listener on loopback, like Liberty's
  PREBOOT="$PAYARA_DIR/bench-preboot.asadmin"
  { cat "$ROOT/server-config/payara/preboot.asadmin"; echo
    echo "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1"
    if [ -n "${BENCH_PAYARA_PREBOOT:-}" ]; then echo; cat "$BENCH_PAYARA_PREBOOT"; fi
  } > "$PREBOOT"
  local deploy=(--deploy "$BENCH_DIR/target/sse-bench.war")
  if [ -n "${BENCH_COMPARE_WAR:-}" ]; then
    cp "$BENCH_COMPARE_WAR" "$PAYARA_DIR/sse-bench-before.war"
    deploy+=(--deploy "$PAYARA_DIR/sse-bench-before.war")
  fi
  PAYARA_LOG="$OUT/payara-$(date -u +%Y%m%d-%H%M%S).log"
  echo "bench: starting Payara Micro on 127.0.0.1:$PAYARA_PORT (log $PAYARA_LOG)"
  java -Xms1g -Xmx1g -jar "$PAYARA_DIR/payara-micro.jar" --nocluster --port "$PAYARA_PORT" \
    --prebootcommandfile "$PREBOOT" "${deploy[@]}" > "$PAYARA_LOG" 2>&1 &
  PAYARA_PID=$!
  SERVER_PORT=$PAYARA_PORT
}

echo "bench: starting the limit server on 127.0.0.1:$LIMIT_PORT"
java -Xms1g -Xmx1g -cp "$BENCH_DIR/target/tools-classes" io.github.sseprogress.bench.tools.LimitServer $LIMIT_PORT \
  > "$OUT/limit-server.log" 2>&1 &
LIMIT_PID=$!
for i in $(seq 1 40); do
  if curl -sf "http://127.0.0.1:$LIMIT_PORT/limit/ops" >/dev/null 2>&1; then break; fi
  sleep 0.25
done

for S in "${SERVERS[@]}"; do
  if [ "$S" = liberty ]; then start_liberty; else start_payara; fi
  wait_up "http://127.0.0.1:$SERVER_PORT/sse-bench/bench/ops" "the bench WAR on $S"
  COMPARE_OPTS=""
  if [ -n "${BENCH_COMPARE_WAR:-}" ]; then
    wait_up "http://127.0.0.1:$SERVER_PORT/sse-bench-before/bench/ops" "the compared WAR on $S"
    COMPARE_OPTS="-Dbench.compare=/sse-bench-before/bench/ours"
  fi
  # the server's pid from the WAR itself (for Payara also $PAYARA_PID; for Liberty the launcher is not the JVM)
  SPID=$(curl -sf "http://127.0.0.1:$SERVER_PORT/sse-bench/bench/ops" | sed 's/.*"pid":\([0-9]*\).*/\1/')
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    JFR_FILE="$OUT/$S-$(date -u +%Y%m%d-%H%M%S).jfr"
    jcmd "$SPID" JFR.start name=bench settings=profile filename="$JFR_FILE" >/dev/null
    echo "bench: JFR recording $S (pid $SPID) into $JFR_FILE"
  fi
  echo "bench: $S: before: $(uptime)" | tee -a "$OUT/load.txt"
  # shellcheck disable=SC2086
  timeout "$TIME_LIMIT" java -Xms512m -Xmx2g ${BENCH_OPTS:-} $COMPARE_OPTS -cp "$BENCH_DIR/target/tools-classes" \
    io.github.sseprogress.bench.tools.Runner "$SERVER_PORT" $LIMIT_PORT "$OUT" "$S"
  RUN=$(tr -d '\n' < "$OUT/latest.txt")
  echo "bench: $S: after ($RUN): $(uptime)" | tee -a "$OUT/load.txt"
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    jcmd "$SPID" JFR.stop name=bench >/dev/null || true
  fi
  if [ "$S" = liberty ]; then
    echo "bench: liberty: $(grep -c ' E ' "$WLP/usr/servers/$SERVER/logs/messages.log" 2>/dev/null || true) error lines in messages.log"
    stop_liberty
  else
    echo "bench: payara: $(grep -c 'SEVERE' "$PAYARA_LOG" || true) SEVERE lines in $PAYARA_LOG"
    stop_payara
  fi
  echo "bench: results in $OUT/$RUN.{json,md,svg}"
done
