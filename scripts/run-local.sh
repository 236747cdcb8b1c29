#!/usr/bin/env bash
# Runs secret-recon in an embedded Flink MiniCluster with the web UI on http://127.0.0.1:8081.
#
#   scripts/run-local.sh [--config FILE] [--resume latest|PATH] [--key value ...]
#
# Without --config it reads flink-conf/secret-recon.yaml (the bundled sample, alerts on stdout).
# --resume latest restores state and Kafka offsets together from the newest retained checkpoint
# of earlier local runs; --resume PATH (or --from-savepoint PATH) from that savepoint or
# checkpoint. Checkpoints and savepoints of local runs go to
# ${SECRET_RECON_STATE_DIR:-${XDG_STATE_HOME:-~/.local/state}/secret-recon}/local/, mode 700.
# --local.progress true|false: a progress line on stderr every 5 s (default: when stderr is a
# terminal). Builds what is missing first. Exits 0 when a bounded input is done, 1 when the job
# failed, 2 on a bad configuration.
set -euo pipefail

# Paths given relative to the caller's directory stay so after the cd to the project.
caller=$PWD
absolute() {
  local out="" item
  IFS=',' read -ra items <<< "$1"
  for item in "${items[@]}"; do
    case "$item" in /*|"") ;; *) item="$caller/$item" ;; esac
    out="${out:+$out,}$item"
  done
  printf '%s' "$out"
}
args=()
have_config=false
while [ $# -gt 0 ]; do
  case "$1" in
    --config|--config=*) have_config=true ;;
  esac
  case "$1" in
    --resume|--from-savepoint|--local.resume)
      [ $# -gt 1 ] || { echo "run-local.sh: $1 needs a value (latest or a path)" >&2; exit 2; }
      if [ "$1" != --from-savepoint ] && [ "$2" = latest ]; then
        args+=(--local.resume latest)
      else
        args+=(--local.resume "$(absolute "$2")")
      fi
      shift ;;
    --source.path|--sink.path|--dead-letter.path|--config)
      args+=("$1"); [ $# -gt 1 ] && { args+=("$(absolute "$2")"); shift; } ;;
    --source.path=*|--sink.path=*|--dead-letter.path=*|--config=*)
      args+=("${1%%=*}=$(absolute "${1#*=}")") ;;
    *) args+=("$1") ;;
  esac
  shift
done
# The job reads no settings file unless told: the bundled one is the default here.
$have_config || args=(--config flink-conf/secret-recon.yaml ${args[@]+"${args[@]}"})

cd "$(dirname "$0")/.."
scripts/build-local.sh

# JVM defaults for one small machine, before the caller's options (the later of two settings wins):
# the serial collector, unless SECRET_RECON_JAVA_OPTS names a collector (two are an error). With
# one job's small live set it needs half G1's resident memory (its regions and remembered sets)
# and no concurrent GC threads competing for the cores; young collections of this job take
# milliseconds. C1/C2 thresholds scaled by 4: only what stays hot is compiled by C2, which halves
# the JIT compiler's CPU time on a short run. README.md, "JVM settings of local runs", has the figures.
jvm_defaults=(-XX:CompileThresholdScaling=4)
collector=-XX:+UseSerialGC
for opt in ${SECRET_RECON_JAVA_OPTS:-}; do
  case "$opt" in -XX:+Use*GC) collector="" ;; esac
done
[ -z "$collector" ] || jvm_defaults+=("$collector")
# The class-data sharing archive that build-local.sh recorded, if any: a stale one (the classpath
# changed under it) is ignored by the JVM, and its warning is not shown.
if [ -f target/secret-recon-local.jsa ]; then
  jvm_defaults+=(-XX:SharedArchiveFile=target/secret-recon-local.jsa -Xlog:cds=off -Xlog:cds+dynamic=off)
fi
# Not exec: a JVM that dies (out of memory: Flink's fatal-error handler exits with 239) must still
# say why on stderr, and its stack goes to flink.log too (-XX:+ExitOnOutOfMemoryError prints it).
rc=0
java "${jvm_defaults[@]}" ${SECRET_RECON_JAVA_OPTS:-} -XX:+ExitOnOutOfMemoryError \
  -Dlog4j.configurationFile=flink-conf/log4j-local.properties \
  -cp "target/secret-recon-local.jar:$(cat target/local-classpath.txt)" \
  io.secretrecon.LocalRunner ${args[@]+"${args[@]}"} || rc=$?
if [ "$rc" -gt 2 ]; then
  {
    echo "secret-recon: the JVM exited with code $rc"
    case "$rc" in
      3|239) echo "secret-recon: most likely out of memory (java.lang.OutOfMemoryError): give it more heap," \
                  "e.g. SECRET_RECON_JAVA_OPTS=-Xmx4g, or see the Bounds section of README.md" ;;
      130|143) echo "secret-recon: interrupted" ;;
    esac
    if [ -s target/secret-recon/flink.log ]; then
      echo "secret-recon: last lines of target/secret-recon/flink.log:"
      grep -E "ERROR|FATAL|OutOfMemory|Exception" target/secret-recon/flink.log | tail -n 5 | sed 's/^/  /'
    fi
  } >&2
fi
exit "$rc"
