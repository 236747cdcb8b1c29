#!/usr/bin/env bash
# The whole test suite: unit tests (*Test, surefire), integration tests (*ITCase, failsafe) on an
# embedded Flink MiniCluster and the real servers they start themselves (Kafka, Elasticsearch),
# then the end-to-end test on a real Flink session cluster (scripts/cluster-e2e.sh, which also
# checks the web UI in headless Chromium). SKIP_CLUSTER_E2E=1 stops after the Maven suite; extra
# arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp verify "$@"
if [ "${SKIP_CLUSTER_E2E:-0}" != 1 ]; then
  scripts/cluster-e2e.sh
fi
