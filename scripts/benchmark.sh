#!/usr/bin/env bash
# Throughput of the whole job on generated audit traffic, in the embedded MiniCluster.
#
#   scripts/benchmark.sh [EVENTS] [extra --key value ...]     (default 400000 events)
#
# Generates EVENTS events (mixed ECS and raw, 3 API-server files) once into target/bench/, then
# runs the job in both detector modes and prints events per second of the job's net runtime
# (reading, parsing, the rule, the detector and writing alerts; JVM and cluster start excluded)
# and the peak resident memory of the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-400000}
shift || true
data=target/bench/audit-$events
if [ ! -d "$data" ]; then
  scripts/build-local.sh
  java -cp "target/classes:$(cat target/local-classpath.txt)" io.secretrecon.tools.WorkloadGenerator \
    --output "$data" --events "$events" --bursts $((events / 20000 + 4)) --files 3 --format mixed \
    --duration 12h --seed 1
fi
bytes=$(du -sb "$data" | cut -f1)
lines=$(cat "$data"/* | wc -l)
echo "input: $lines audit events, $((bytes / 1024 / 1024)) MiB in $(ls "$data" | wc -l) files"
for mode in continuous windows; do
  log=target/bench/run-$mode.log
  /usr/bin/time -v scripts/run-local.sh --source.path "$data" --sink.type file \
      --sink.path target/bench/alerts-$mode.ndjson --dead-letter.path target/bench/dead-letters.ndjson \
      --detector.mode "$mode" "$@" > /dev/null 2> "$log"
  ms=$(sed -n 's/.*job finished in \([0-9]*\) ms.*/\1/p' "$log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$log")
  alerts=$(wc -l < target/bench/alerts-$mode.ndjson)
  echo "$mode: $alerts alerts, net runtime ${ms} ms, $((lines * 1000 / ms)) events/s, peak RSS $((rss / 1024)) MiB"
done
