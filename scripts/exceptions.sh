#!/usr/bin/env bash
# Adds, removes and lists the live rule exceptions of a running secret-recon job, in its control
# topic (rule.exceptions-topic, a compacted Kafka topic: key = exception id, value = the entry's
# JSON, a tombstone removes it). Entries are checked with the job's own rules before they are
# written; `list` folds the topic as the job does.
#
#   scripts/exceptions.sh add --id velero-nightly --field kubernetes.audit.user.username --operator is \
#       --value system:serviceaccount:velero:velero --decision allow --expires 2027-01-31T00:00:00Z \
#       --comment "nightly backup reads every secret"
#   scripts/exceptions.sh add --json '{"id": "...", "field": "...", ...}'
#   scripts/exceptions.sh remove velero-nightly
#   scripts/exceptions.sh list [--json]          # --json: the format of rule.exceptions-file
#
# Every command takes --bootstrap-servers HOST:PORT (default $SECRET_RECON_KAFKA_BOOTSTRAP, else
# 127.0.0.1:9092, scripts/kafka.sh's broker), --topic TOPIC (default $SECRET_RECON_EXCEPTIONS_TOPIC,
# else k8s-secret-recon-exceptions; `add` creates it, compacted, if it is missing) and any number
# of --property KEY=VALUE (Kafka client properties: security, SASL, SSL). --author defaults to $USER.
#
# Exit codes: 0 done, 1 Kafka failed, 2 bad usage or an entry the job would refuse.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-local.sh
exec java -cp "target/classes:$(cat target/local-classpath.txt)" io.secretrecon.tools.ExceptionsTool "$@"
