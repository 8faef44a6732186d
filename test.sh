#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need when it is missing, then Maven.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify "$@"
