#!/usr/bin/env bash
# Runs secret-recon in an embedded Flink MiniCluster with the web UI on http://localhost:8081.
#
#   scripts/run-local.sh [--config FILE] [--key value ...]
#
# Without arguments it reads flink-conf/secret-recon.yaml (the bundled sample, alerts on stdout).
# Builds what is missing first. Exits 0 when a bounded input is done, 2 on a bad configuration.
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
while [ $# -gt 0 ]; do
  case "$1" in
    --source.path|--sink.path|--dead-letter.path|--config)
      args+=("$1"); [ $# -gt 1 ] && { args+=("$(absolute "$2")"); shift; } ;;
    --source.path=*|--sink.path=*|--dead-letter.path=*|--config=*)
      args+=("${1%%=*}=$(absolute "${1#*=}")") ;;
    *) args+=("$1") ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
scripts/build-local.sh

exec java ${SECRET_RECON_JAVA_OPTS:-} \
  -Dlog4j.configurationFile=flink-conf/log4j-local.properties \
  -cp "target/classes:$(cat target/local-classpath.txt)" \
  io.secretrecon.LocalRunner ${args[@]+"${args[@]}"}
