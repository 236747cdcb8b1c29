#!/usr/bin/env bash
# The whole test suite: unit tests (*Test, surefire) then integration tests (*ITCase, failsafe)
# on an embedded Flink MiniCluster and the real servers they start themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -ntp verify "$@"
