#!/usr/bin/env bash
# Alert latency from Kafka (issue 9): a real broker on loopback, secret-recon Kafka -> Kafka exactly
# once in the embedded MiniCluster (as scripts/run-local.sh runs it, continuous mode), a load
# generator at a fixed rate (200 events/s, a 3-secret burst by a new fingerprint every 15 s on average,
# +-PROBE_BURST_JITTER_S so that bursts do not lock in phase with the checkpoints) and a
# read_committed consumer (io.secretrecon.bench.LatencyProbe). For each setting it reports p50/p99
# of the latency from the produce time of the crossing event to the alert's emission
# (event.created) and to its visibility to the consumer, with the breakdown watermark wait /
# detector / commit. Stops by itself; everything it started is stopped on exit.
#
#   scripts/latency-probe.sh
#
# Environment (defaults in brackets):
#   PROBE_SETTINGS     space-separated out-of-orderness:checkpoint-interval pairs ["30s:30s 5s:1s"]
#                      (30s:30s is the README's; a checkpoint interval under 5 s also sets
#                      min-pause 0, since config.yaml's 5 s min-pause would space them out)
#   PROBE_DURATION_S   seconds of bursts per setting [300], after a 20 s warm-up
#   PROBE_RATE         background events per second [200]
#   PROBE_BURST_JITTER_S  bursts every 15 s plus or minus this [5]; 0 gives exactly 15 s
#   PROBE_EARLY        1: run with detector.early-alerts, and also report the provisional alerts' latency [0]
#   KAFKA_PORT         [19093]   KAFKA_DIR [target/kafka-bench]: a broker of its own (scripts/kafka.sh)
# Results: target/bench/latency/<run>.tsv (per burst) and target/bench/latency/summary-<time>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

export KAFKA_PORT=${KAFKA_PORT:-19093}
export KAFKA_DIR=${KAFKA_DIR:-target/kafka-bench}
settings=${PROBE_SETTINGS:-30s:30s 5s:1s}
duration=${PROBE_DURATION_S:-300}
rate=${PROBE_RATE:-200}
jitter=${PROBE_BURST_JITTER_S:-5}
bootstrap=127.0.0.1:$KAFKA_PORT
out=target/bench/latency
mkdir -p "$out"
summary=$out/summary-$(date -u +%Y%m%dT%H%M%SZ).txt

job_pid=""
started_kafka=0
cleanup() {
  if [ -n "$job_pid" ] && kill -0 "$job_pid" 2>/dev/null; then
    kill "$job_pid" 2>/dev/null || true
    wait "$job_pid" 2>/dev/null || true
  fi
  job_pid=""
  if [ "$started_kafka" = 1 ]; then
    scripts/kafka.sh stop >&2 || true
    started_kafka=0
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp=$(scripts/build-bench.sh)
probe() { java -Xmx512m -Dlog4j.configurationFile=src/bench/log4j2-bench.properties \
    -Dbench.log="$out/probe.log" -cp "$cp" io.secretrecon.bench.LatencyProbe "$@"; }
seconds() { # 30s, 1s, 500ms -> whole seconds (at least 1)
  case "$1" in *ms) echo $(( (${1%ms} + 999) / 1000 )) ;; *s) echo "${1%s}" ;; *min) echo $(( ${1%min} * 60 )) ;; *) echo "$1" ;; esac
}

if ! scripts/kafka.sh status >/dev/null 2>&1; then
  scripts/kafka.sh start >&2
  started_kafka=1
fi

echo "latency probe: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $rate events/s, a burst every 15+-$jitter s, ${duration} s per setting" | tee "$summary"
for setting in $settings; do
  ooo=${setting%%:*}
  interval=${setting##*:}
  run=latency-$(date -u +%Y%m%dT%H%M%SZ)-ooo$ooo-ckpt$interval
  input=probe-audit-$run
  alerts=probe-alerts-$run
  probe create --bootstrap "$bootstrap" --input-topic "$input" --alerts-topic "$alerts"
  extra=()
  if [ "${PROBE_EARLY:-0}" = 1 ]; then
    extra+=(--detector.early-alerts true)
  fi
  if [ "$(seconds "$interval")" -lt 5 ]; then
    extra+=(--flink.execution.checkpointing.min-pause 0)
  fi
  SECRET_RECON_JAVA_OPTS="-Xmx4g" scripts/run-local.sh --source.type kafka --kafka.bootstrap-servers "$bootstrap" \
      --kafka.topics "$input" --kafka.group-id "$run" --kafka.starting-offsets earliest \
      --sink.type kafka --kafka.alerts-topic "$alerts" --dead-letter.type file --dead-letter.path "$out/$run-dead-letters.ndjson" \
      --watermark.out-of-orderness "$ooo" --flink.execution.checkpointing.interval "$interval" \
      --flink.execution.checkpointing.dir "file://$PWD/$out/checkpoints" --flink.rest.bind-port 0 ${extra[@]+"${extra[@]}"} \
      > "$out/$run-job.out" 2> "$out/$run-job.err" &
  job_pid=$!
  # Wait until the job runs (its web UI says so), at most 120 s.
  ui=""
  for _ in $(seq 1 240); do
    kill -0 "$job_pid" 2>/dev/null || { echo "latency probe: the job ended, see $out/$run-job.err" >&2; exit 1; }
    ui=${ui:-$(sed -n 's/.*Flink web UI at \(http[^ ]*\).*/\1/p' "$out/$run-job.err" | head -1)}
    if [ -n "$ui" ] && curl -sf "$ui/jobs/overview" | grep -q '"state":"RUNNING"'; then
      break
    fi
    sleep 0.5
  done
  echo "latency probe: out-of-orderness $ooo, checkpoints every $interval (job at $ui)" | tee -a "$summary"
  probe run --bootstrap "$bootstrap" --input-topic "$input" --alerts-topic "$alerts" \
      --out-of-orderness-ms $(( $(seconds "$ooo") * 1000 )) --rate "$rate" --burst-every-s 15 --burst-jitter-s "$jitter" --warmup-s 20 \
      --duration-s "$duration" --drain-s $(( $(seconds "$ooo") + $(seconds "$interval") + 60 )) \
      --report "$out/$run.tsv" | tee -a "$summary"
  kill "$job_pid" 2>/dev/null || true
  wait "$job_pid" 2>/dev/null || true
  job_pid=""
done
echo "latency probe: load $(cut -d' ' -f1-3 /proc/loadavg) at the end; per-burst figures in $out/" | tee -a "$summary"
