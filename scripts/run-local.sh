#!/usr/bin/env bash
# Runs secret-recon in an embedded Flink MiniCluster with the web UI on http://localhost:8081.
#
#   scripts/run-local.sh [--config FILE] [--key value ...]
#
# Without arguments it reads flink-conf/secret-recon.yaml (the bundled sample, alerts on stdout).
# Builds what is missing first. Exits 0 when a bounded input is done, 2 on a bad configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=target/.local-build
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml src/main -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "secret-recon: building (mvn -Plocal compile)..." >&2
  mvn -q -B -Plocal compile dependency:build-classpath \
      -Dmdep.outputFile=target/local-classpath.txt -Dmdep.includeScope=runtime >&2
  touch "$stamp"
fi

exec java ${SECRET_RECON_JAVA_OPTS:-} \
  -Dlog4j.configurationFile=flink-conf/log4j-local.properties \
  -cp "target/classes:$(cat target/local-classpath.txt)" \
  io.secretrecon.LocalRunner "$@"
