#!/usr/bin/env bash
# sse-progress benchmark (issue 6): one command, from the repo root:   bench/run.sh
#
#  1. installs the library jar from the repo root into ~/.m2 (mvn -DskipTests install, or the jar named by
#     BENCH_LIBRARY_JAR; skipped when BENCH_BUILT=1, i.e. from `mvn -f bench/pom.xml verify`, which needs the
#     library in ~/.m2 already and has built bench/ itself),
#  2. builds bench/ (the bench WAR, the JDK-only client and limit server, an Open Liberty 26.0.0.3 server),
#  3. starts Open Liberty on 127.0.0.1:19780 with the WAR and the raw NIO limit server on 127.0.0.1:19790,
#  4. runs every scenario (bench/src/tools/.../Runner.java) and writes bench/target/bench/run-<UTC time>.{json,md,svg},
#  5. stops both servers (also on Ctrl-C or failure). Everything is bounded in time; loopback only.
#
# Sizes: -D options in BENCH_OPTS, e.g. BENCH_OPTS="-Dbench.seconds=5 -Dbench.only=fanout" bench/run.sh
# Profiling: BENCH_JFR=1 records the Liberty JVM with JFR (settings=profile) into bench/target/bench/liberty-<time>.jfr
# Before/after in one run: BENCH_COMPARE_WAR=/path/to/other/sse-bench.war deploys that WAR (built against another
#   library version) beside this one as /sse-bench-before; the fan-out scenarios then also run against it, alternating
#   with ours (target "before"), in the same JVM and the same run.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LIBERTY_PORT=19780
LIMIT_PORT=19790
OUT="$BENCH_DIR/target/bench"
WLP="$BENCH_DIR/target/liberty/wlp"
SERVER=benchServer
TIME_LIMIT=${BENCH_TIME_LIMIT:-1800}

# 10,000 idle subscribers need 10,000+ descriptors in the client and in each server
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 12000 ]; then
  echo "bench: ulimit -n is $(ulimit -n); the idle scenario needs about 12000 (set -Dbench.idle.n lower)" >&2
fi

for p in $LIBERTY_PORT $LIMIT_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: port $p is already in use; stop what holds it first" >&2
    exit 1
  fi
done

if [ "${BENCH_BUILT:-0}" != 1 ]; then
  if [ -n "${BENCH_LIBRARY_JAR:-}" ]; then
    # called from the root pom's `bench` profile: the jar was just built; install that very file
    echo "bench: installing $BENCH_LIBRARY_JAR"
    (cd "$ROOT" && mvn -q -B install:install-file -Dfile="$BENCH_LIBRARY_JAR" -DpomFile="$ROOT/pom.xml")
  else
    echo "bench: installing the library from $ROOT (mvn -DskipTests install)"
    (cd "$ROOT" && mvn -q -B -DskipTests install)
  fi
  echo "bench: building bench/"
  mvn -q -B -f "$BENCH_DIR/pom.xml" package
fi
mkdir -p "$OUT"

LIMIT_PID=""
cleanup() {
  set +e
  [ -n "$LIMIT_PID" ] && kill "$LIMIT_PID" 2>/dev/null
  "$WLP/bin/server" stop "$SERVER" >/dev/null 2>&1
}
trap cleanup EXIT INT TERM

rm -f "$WLP/usr/servers/$SERVER/dropins/"*.war
cp "$BENCH_DIR/target/sse-bench.war" "$WLP/usr/servers/$SERVER/dropins/"
COMPARE_OPTS=""
if [ -n "${BENCH_COMPARE_WAR:-}" ]; then
  cp "$BENCH_COMPARE_WAR" "$WLP/usr/servers/$SERVER/dropins/sse-bench-before.war"
  COMPARE_OPTS="-Dbench.compare=/sse-bench-before/bench/ours"
fi
echo "bench: starting Open Liberty ($SERVER) on 127.0.0.1:$LIBERTY_PORT"
"$WLP/bin/server" start "$SERVER" >/dev/null
for i in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$LIBERTY_PORT/sse-bench/bench/ops" >/dev/null 2>&1; then break; fi
  if [ "$i" = 240 ]; then echo "bench: the bench WAR did not come up in 120 s" >&2; exit 1; fi
  sleep 0.5
done
if [ -n "${BENCH_COMPARE_WAR:-}" ]; then
  for i in $(seq 1 240); do
    if curl -sf "http://127.0.0.1:$LIBERTY_PORT/sse-bench-before/bench/ops" >/dev/null 2>&1; then break; fi
    if [ "$i" = 240 ]; then echo "bench: the compared WAR did not come up in 120 s" >&2; exit 1; fi
    sleep 0.5
  done
fi

echo "bench: starting the limit server on 127.0.0.1:$LIMIT_PORT"
java -Xms1g -Xmx1g -cp "$BENCH_DIR/target/tools-classes" io.github.sseprogress.bench.tools.LimitServer $LIMIT_PORT \
  > "$OUT/limit-server.log" 2>&1 &
LIMIT_PID=$!
for i in $(seq 1 40); do
  if curl -sf "http://127.0.0.1:$LIMIT_PORT/limit/ops" >/dev/null 2>&1; then break; fi
  sleep 0.25
done

if [ "${BENCH_JFR:-0}" = 1 ]; then
  LPID=$(curl -sf "http://127.0.0.1:$LIBERTY_PORT/sse-bench/bench/ops" | sed 's/.*"pid":\([0-9]*\).*/\1/')
  JFR_FILE="$OUT/liberty-$(date -u +%Y%m%d-%H%M%S).jfr"
  jcmd "$LPID" JFR.start name=bench settings=profile filename="$JFR_FILE" >/dev/null
  echo "bench: JFR recording Liberty (pid $LPID) into $JFR_FILE"
fi

# shellcheck disable=SC2086
timeout "$TIME_LIMIT" java -Xms512m -Xmx2g ${BENCH_OPTS:-} $COMPARE_OPTS -cp "$BENCH_DIR/target/tools-classes" \
  io.github.sseprogress.bench.tools.Runner $LIBERTY_PORT $LIMIT_PORT "$OUT"

if [ "${BENCH_JFR:-0}" = 1 ]; then
  jcmd "$LPID" JFR.stop name=bench >/dev/null || true
fi
echo "bench: results in $OUT/$(cat "$OUT/latest.txt" | tr -d '\n').{json,md,svg}"
