#!/usr/bin/env bash
# Issue 9's side-by-side benchmark: secret-recon against what a user would write instead (a naive
# SlidingEventTimeWindows job and a Flink SQL HOP job) and against three read ceilings, back to
# back, each in its own JVM, on the same generated data, every contender's alerts checked
# against the generator's ground truth.
#
#   scripts/benchmark.sh [CONTENDER ...]        (default: all, in the order below)
#
# Contenders:
#   lines           ceiling: read lines only (BufferedReader, UTF-8 to String), plain Java, 2 threads
#   line-reader     read lines as bytes with the job's own io.LineReader, never decoded, 2 threads
#   bytes, bytes-swar   the same with a plain byte loop / a SWAR newline search (8 bytes at a time)
#   jackson         ceiling: bytes plus a full Jackson parse (ObjectMapper.readTree), 2 threads
#   jackson-pojo    bytes plus Jackson data binding into the naive job's POJO, 2 threads
#   flink-json      ceiling: bytes plus flink-json's JsonDeserializationSchema (POJO), 2 threads
#   parser          bytes plus secret-recon's own AuditRecordParser, 2 threads
#   prefilter       estimate of a cheap path for records that cannot be secret GETs (see ReadCeiling), 2 threads
#   naive           DataStream: Jackson POJO, filter, keyBy, SlidingEventTimeWindows 6m/slide, ProcessWindowFunction
#   sql             Flink SQL: filesystem + json, HOP 6m/slide, COUNT(DISTINCT), ARRAY_AGG
#   sr-windows      secret-recon --detector.mode windows --detector.slide <slide> (BATCH, as run-local.sh runs a file)
#   sr-windows-streaming   the same in STREAMING mode
#   sr-continuous   secret-recon's default continuous mode (BATCH)
#   sr-continuous-streaming  (not in the default list)
#   state           state bytes per active fingerprint of secret-recon's detector (StateSizeProbe)
#
# Environment (defaults in brackets):
#   BENCH_EVENTS        events to generate [2000000]; 200000 makes a quick run of a minute or two
#   BENCH_FINGERPRINTS  client fingerprints [10000] (the issue also asks for 200000)
#   BENCH_FILES         input files, one per API server [2] (one per source reader at parallelism 2)
#   BENCH_SLIDE_MIN     window slide of the peers and of sr-windows, minutes [1]; 5 = Elastic's schedule
#   BENCH_DURATION_MIN  event time covered [120]
#   BENCH_SEED          [1]
#   BENCH_ROUNDS        run the contender list this many times, interleaved, and add a table of
#                       medians [1] (take an odd number); figures on this machine vary by 10-20% between runs
#   BENCH_HEAP          JVM heap option of every contender [-Xmx4g]
#   BENCH_JFR           1: record every JVM with JFR (settings=profile) into target/bench/jfr/ and
#                       print its top frames (JfrTopFrames) [0]; timings then include JFR's overhead
#   BENCH_JAVA_OPTS     more JVM options for every contender []
#   BENCH_DATA          run on this file or directory of audit logs instead of generated data (no
#                       ground truth: alerts are not checked; no state probe)
#
# Parallelism 2 everywhere (flink-conf/config.yaml for secret-recon, --parallelism 2 for the peers).
# secret-recon runs exactly as scripts/run-local.sh runs it (LocalRunner, embedded MiniCluster),
# with --flink.rest.bind-port 0 only so that it never collides with a web UI already on 8081.
# "job time" is Flink's net job runtime (JobExecutionResult.getNetRuntime: from submission to
# the end, so task deployment and JIT warm-up are in, JVM and cluster start are not) and, for the
# ceilings, first byte to last record; "wall" is the whole JVM; "CPU" its user+sys seconds (less
# sensitive than times to other load on the machine). Peak RSS from /usr/bin/time -v.
# The 1-minute load average before each run is in the table: the machine has 2 cores, anything
# else running makes the figures worse.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${BENCH_EVENTS:-2000000}
fingerprints=${BENCH_FINGERPRINTS:-10000}
files=${BENCH_FILES:-2}
slide=${BENCH_SLIDE_MIN:-1}
duration=${BENCH_DURATION_MIN:-120}
seed=${BENCH_SEED:-1}
heap=${BENCH_HEAP:--Xmx4g}
jfr=${BENCH_JFR:-0}
rounds=${BENCH_ROUNDS:-1}
extra_opts=${BENCH_JAVA_OPTS:-}
if [ $# -gt 0 ]; then
  contenders=("$@")
else
  contenders=(lines line-reader jackson flink-json parser naive sql sr-windows sr-windows-streaming sr-continuous state)
fi

# ---- build: the job as run-local.sh builds it, and the bench source set (mvn -Pbench)
cp=$(scripts/build-bench.sh)
log4j="-Dlog4j.configurationFile=src/bench/log4j2-bench.properties"

# ---- data, generated once per parameter set (or BENCH_DATA: any file or directory of audit logs)
if [ -n "${BENCH_DATA:-}" ]; then
  data=$(realpath "$BENCH_DATA")
  input=$data
  events=$(find "$data" -type f -exec cat {} + | grep -c .)
  bytes=$(find "$data" -type f -exec cat {} + | wc -c)
  meta() { echo "?"; }
else
  data=target/bench/data-$events-fp$fingerprints-f$files-d$duration-s$seed
  if [ ! -f "$data/meta.properties" ]; then
    rm -rf "$data" "$data.tmp"
    echo "benchmark: generating $events events into $data ..." >&2
    java -Xmx4g -cp "$cp" io.secretrecon.bench.BenchDataGenerator --out "$data.tmp" --events "$events" \
        --fingerprints "$fingerprints" --files "$files" --duration-min "$duration" --seed "$seed"
    mv "$data.tmp" "$data"
  fi
  input=$data/audit
  meta() { sed -n "s/^$1=//p" "$data/meta.properties"; }
  bytes=$(meta bytes)
fi
runs=target/bench/runs
mkdir -p "$runs" target/bench/jfr
results=target/bench/results-$(date -u +%Y%m%dT%H%M%SZ).md

# ---- one contender in its own JVM: run_jvm NAME TRUTH FORMAT OUTPUT -- command...
rows=()
declare -A ms_of eps_of rss_of right_of
run() {
  local name=$1 truth=$2 format=$3 output=$4
  shift 4
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local err=$runs/$name.err out=$runs/$name.out
  local opts="$heap $extra_opts"
  if [ "$jfr" = 1 ]; then
    opts="$opts -XX:StartFlightRecording=filename=target/bench/jfr/$name.jfr,settings=profile,dumponexit=true"
  fi
  echo "benchmark: $name (load $load) ..." >&2
  rm -rf "$output"
  local status=0
  JAVA_OPTS_FOR_RUN="$opts -Dbench.run=$name" /usr/bin/time -v "$@" > "$out" 2> "$err" &
  local timer=$!
  thread_cpu "$name" "$timer" > "$runs/$name.threads.txt" &
  local poller=$!
  wait "$timer" || status=$?
  wait "$poller" || true
  local ms rss wall cpu right
  ms=$(sed -n 's/.*job finished in \([0-9]*\) ms.*/\1/p' "$err" | tail -1)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$err")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): \(.*\)/\1/p' "$err")
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {printf "%.1f", s}' "$err")
  if [ "$status" != 0 ] || [ -z "$ms" ]; then
    echo "benchmark: $name failed (exit $status), see $err" >&2
    rows+=("| $name | failed | | | | | | | $load |")
    return
  fi
  if [ "$truth" = - ] || [ ! -f "$data/$truth" ]; then
    right="—"
  else
    [ "$format" = peer ] && output=$out
    right=$(java -cp "$cp" io.secretrecon.bench.AlertCheck --truth "$data/$truth" --format "$format" \
        --alerts "$output" 2>> "$err" || true)
  fi
  local eps=$((events * 1000 / ms))
  ms_of[$name]+="$ms "
  eps_of[$name]+="$eps "
  rss_of[$name]+="$((rss / 1024)) "
  right_of[$name]+="$right; "
  local per_cpu; per_cpu=$(awk "BEGIN{printf \"%d\", $events / ($cpu > 0 ? $cpu : 1)}")
  rows+=("$(printf '| %s | %.1f s | %s | %s MiB | %s | %s | %s s | %s | %s |' "$name" "$(awk "BEGIN{print $ms/1000}")" \
      "$eps" "$((rss / 1024))" "$right" "$wall" "$cpu" "$per_cpu" "$load")")
  if [ "$jfr" = 1 ]; then
    java -cp "$cp" io.secretrecon.bench.JfrTopFrames "target/bench/jfr/$name.jfr" 30 > "target/bench/jfr/$name.txt" || true
  fi
}
# CPU seconds per thread of the contender's JVM (GC, JIT compiler, Flink's task and fetcher threads),
# from /proc/<pid>/task/*/stat polled twice a second until the JVM exits (the last half second is
# missed); thread names are the kernel's, cut to 15 characters, numbers folded into N.
thread_cpu() {
  local name=$1 timer=$2 pid="" tick snaps; tick=$(getconf CLK_TCK)
  snaps=$(mktemp)
  while kill -0 "$timer" 2>/dev/null; do
    if [ -z "$pid" ]; then
      pid=$( (pgrep -f -- "-Dbench.run=$name( |$)" || true) | while read -r p; do
          [ "$(readlink "/proc/$p/exe" 2>/dev/null | sed 's|.*/||')" = java ] && echo "$p"; done | head -1) || true
    fi
    if [ -n "$pid" ]; then
      for t in /proc/"$pid"/task/*/stat; do cat "$t" 2>/dev/null && echo; done >> "$snaps" || true
    fi
    sleep 0.5
  done
  # Threads end before the JVM does (Flink's task threads with the job): keep each thread's last figures.
  awk -v tick="$tick" '
    NF == 0 { next }
    { lp = index($0, "("); rp = 0
      for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { rp = i; break }
      tid = substr($0, 1, lp - 2); comm = substr($0, lp + 1, rp - lp - 1)
      split(substr($0, rp + 2), f, " ")
      gsub(/[0-9]+/, "N", comm); name[tid] = comm; cpu[tid] = (f[12] + f[13]) / tick }
    END { for (t in cpu) { sum[name[t]] += cpu[t]; total += cpu[t] }
          for (c in sum) if (sum[c] >= 0.05) printf "%7.2f s  %5.1f%%  %s\n", sum[c], 100 * sum[c] / (total + 1e-9), c
          printf "%7.2f s  total\n", total }' "$snaps" | sort -rn
  rm -f "$snaps"
}
java_run() { # java_run MAIN ARGS...: a bench main with the bench classpath
  # shellcheck disable=SC2086
  java $JAVA_OPTS_FOR_RUN $log4j -Dbench.log="$runs/flink.log" -cp "$cp" "$@"
}
secret_recon() { # as a user runs it
  SECRET_RECON_JAVA_OPTS="$JAVA_OPTS_FOR_RUN" scripts/run-local.sh --source.path "$input" \
      --dead-letter.path "$runs/dead-letters.ndjson" --sink.type file --flink.rest.bind-port 0 "$@"
}
export -f java_run secret_recon
export cp log4j runs data input

state_rows=()
for round in $(seq "$rounds"); do
for c in "${contenders[@]}"; do
  [ "$round" -gt 1 ] && [ "$c" = state ] && continue
  case "$c" in
    lines|bytes|bytes-swar|line-reader|jackson|jackson-pojo|flink-json|prefilter)
      run "$c" - - - bash -c 'java_run io.secretrecon.bench.ReadCeiling --input "$input" --mode "$0" --threads 2' "$c" ;;
    parser)
      run "$c" - - - bash -c 'java_run io.secretrecon.bench.ReadCeiling --input "$input" --mode secret-recon-parser --threads 2' ;;
    naive)
      run naive "truth-windows-${slide}m.txt" peer - \
          bash -c 'java_run io.secretrecon.bench.peers.NaiveWindowJob --input "$input" --slide-min "$0" --parallelism 2' "$slide" ;;
    sql)
      run sql "truth-windows-${slide}m.txt" peer - \
          bash -c 'java_run io.secretrecon.bench.peers.SqlHopJob --input "$input" --slide-min "$0" --parallelism 2' "$slide" ;;
    sr-windows)
      run sr-windows "truth-windows-${slide}m.txt" secret-recon "$runs/sr-windows.ndjson" bash -c \
          'secret_recon --sink.path "$runs/sr-windows.ndjson" --detector.mode windows --detector.slide "$0"m' "$slide" ;;
    sr-windows-streaming)
      run sr-windows-streaming "truth-windows-${slide}m.txt" secret-recon "$runs/sr-windows-streaming.ndjson" bash -c \
          'secret_recon --sink.path "$runs/sr-windows-streaming.ndjson" --detector.mode windows --detector.slide "$0"m --flink.execution.runtime-mode STREAMING' "$slide" ;;
    sr-continuous)
      run sr-continuous truth-continuous.txt secret-recon "$runs/sr-continuous.ndjson" bash -c \
          'secret_recon --sink.path "$runs/sr-continuous.ndjson" --detector.mode continuous' ;;
    sr-continuous-streaming)
      run sr-continuous-streaming truth-continuous.txt secret-recon "$runs/sr-continuous-streaming.ndjson" bash -c \
          'secret_recon --sink.path "$runs/sr-continuous-streaming.ndjson" --detector.mode continuous --flink.execution.runtime-mode STREAMING' ;;
    state)
      [ -f "$data/kept.tsv" ] || { echo "benchmark: state needs generated data (kept.tsv)" >&2; continue; }
      for mode in continuous windows; do
        line=$(java $heap $log4j -Dbench.log="$runs/flink.log" -cp "$cp" io.secretrecon.bench.StateSizeProbe \
            --kept "$data/kept.tsv" --detector.mode "$mode" --detector.slide "${slide}m" | tee "$runs/state-$mode.txt" | tail -1)
        state_rows+=("- $mode: ${line#bench: state: }")
      done ;;
    *) echo "benchmark: unknown contender $c" >&2; exit 2 ;;
  esac
done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

{
  echo "Input: $(printf "%'d" "$events") ECS documents, $(printf "%'d" "$bytes") bytes ($((bytes / events)) bytes/event)" \
      "in $files files, $(meta fingerprints) fingerprints ($(meta kept_fingerprints) with kept secret GETs)," \
      "$(meta secret_gets) secret GETs, $(meta kept) kept by the rule, $(meta bursts) attack bursts, $(meta disorder_ms) ms disorder;" \
      "window slide ${slide} min; $(nproc) cores; $(java -version 2>&1 | head -1); $heap; $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "| contender | job time | events/s | peak RSS | alerts right | wall (JVM) | CPU (user+sys) | events per CPU s | load avg |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [ "$rounds" -gt 1 ]; then
    echo
    echo "Medians over $rounds rounds:"
    echo
    echo "| contender | job time | events/s | peak RSS | alerts right (every round) |"
    echo "|---|---|---|---|---|"
    for c in "${contenders[@]}"; do
      [ -n "${ms_of[$c]:-}" ] || continue
      printf '| %s | %.1f s | %s | %s MiB | %s |\n' "$c" "$(awk "BEGIN{print $(echo "${ms_of[$c]}" | median)/1000}")" \
          "$(echo "${eps_of[$c]}" | median)" "$(echo "${rss_of[$c]}" | median)" \
          "$(echo "${right_of[$c]}" | tr ';' '\n' | sed 's/^ *//' | grep . | sort -u | paste -sd ',' -)"
    done
  fi
  if [ ${#state_rows[@]} -gt 0 ]; then
    echo
    echo "secret-recon detector state (serialized, as a checkpoint writes it; heap after GC):"
    printf '%s\n' "${state_rows[@]}"
  fi
} | tee "$results"
echo "benchmark: results in $results, logs in $runs" >&2
