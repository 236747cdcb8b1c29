#!/usr/bin/env bash
# The whole test suite: unit tests (*Test, surefire), integration tests (*ITCase, failsafe) on an
# embedded Flink MiniCluster and the real servers they start themselves (Kafka, Elasticsearch),
# a compile of the benchmark's source set, then the end-to-end test on a real Flink session
# cluster (scripts/cluster-e2e.sh, which also checks the web UI in headless Chromium). SKIP_CLUSTER_E2E=1 stops after the Maven suite; extra
# arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp verify "$@"
# The benchmark's own source set (src/bench/java, profile bench) is compiled too, so that it cannot
# fall behind the job's code unseen; running it is scripts/benchmark.sh's business.
mvn -B -ntp -q -Pbench -DskipTests process-test-classes
if [ "${SKIP_CLUSTER_E2E:-0}" != 1 ]; then
  scripts/cluster-e2e.sh
fi
