#!/usr/bin/env bash
# Compiles the job and writes its local runtime classpath (Flink included) to
# target/local-classpath.txt, unless both are newer than every source. Used by run-local.sh and
# benchmark.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=target/.local-build
if [ ! -f "$stamp" ] || [ ! -f target/local-classpath.txt ] \
    || [ -n "$(find pom.xml src/main -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "secret-recon: building (mvn -Plocal compile)..." >&2
  # -q leaves only errors; Maven 3.8 still writes colour resets, which are dropped here.
  mvn -q -B -ntp -Plocal compile dependency:build-classpath \
      -Dmdep.outputFile=target/local-classpath.txt -Dmdep.includeScope=runtime 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' >&2
  touch "$stamp"
fi
