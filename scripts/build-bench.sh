#!/usr/bin/env bash
# Compiles the job (scripts/build-local.sh) and the benchmark source set (mvn -Pbench: src/bench/java
# into target/bench-classes against the test classpath, plus Flink SQL and flink-json) and writes the
# benchmark's classpath to target/bench-classpath.txt, unless both are newer than every source.
# Used by benchmark.sh and latency-probe.sh; prints the classpath to use.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-local.sh
stamp=target/.bench-build
if [ ! -f "$stamp" ] || [ ! -f target/bench-classpath.txt ] \
    || [ -n "$(find pom.xml src/main src/test src/bench -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "secret-recon: building the benchmark (mvn -Pbench process-test-classes)..." >&2
  mvn -q -B -ntp -Pbench -DskipTests process-test-classes dependency:build-classpath \
      -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  touch "$stamp"
fi
echo "target/bench-classes:target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
