#!/usr/bin/env bash
# Runs every test of the project: unit and in-process tests, the integration suite on Open Liberty
# and on Payara Micro, the demo page in headless Chromium, then the redis module (redis/) against a
# real redis-server, and the metrics module (metrics/) on real Open Liberty and Payara Micro. `.ci/run` calls
# this script.
# Installs what the tests need when it is missing (Debian/Ubuntu: chromium, chromium-driver,
# redis-server; needs root or sudo), then runs Maven: the core with `install` (the redis module builds
# against the installed core jar and its tests jar), then the redis and metrics modules. Extra arguments go to all
# Maven runs, e.g. ./test.sh -Dtest=ManagerHttpTest -Dsurefire.failIfNoSpecifiedTests=false
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
{ [ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null 2>&1; } || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "test.sh: missing ${missing[*]} and not root: install them, then run again" >&2; exit 1
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y "${missing[@]}"
fi

mvn -B install -Pit-liberty,it-payara,it-browser "$@"
mvn -B verify -f redis/pom.xml -Pit-cluster "$@"
mvn -B verify -f metrics/pom.xml -Pit-servers "$@"
