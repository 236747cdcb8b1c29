#!/usr/bin/env bash
# A standalone Flink 2.2.1 session cluster (one JobManager, TASKMANAGERS TaskManagers) run from
# Flink's jars on Maven Central (fetched through scripts/cluster/pom.xml; flink-dist is not
# there), configured by flink-conf/config.yaml, and the job's life cycle on it through the REST
# API. Web UI and REST on http://127.0.0.1:8081; everything binds to 127.0.0.1.
#
#   scripts/cluster.sh start                      start what is not running (idempotent); returns
#                                                 when REST answers and every TaskManager it
#                                                 started is registered
#   scripts/cluster.sh stop                       stop the TaskManagers, then the JobManager
#                                                 (running jobs get no savepoint: take one first)
#   scripts/cluster.sh status                     state and PID of each process, then the jobs
#   scripts/cluster.sh submit [--key value ...]   upload the job jar and run it; last line: job id
#   scripts/cluster.sh savepoint JOB_ID [DIR]     last line: the savepoint's path
#   scripts/cluster.sh stop-with-savepoint JOB_ID [DIR] [--drain]
#                                                 stop the job after a savepoint; last line: path
#   scripts/cluster.sh resume SAVEPOINT [--allow-non-restored-state] [--key value ...]
#                                                 submit restoring SAVEPOINT (or a retained
#                                                 checkpoint); last line: the new job id
#   scripts/cluster.sh cancel JOB_ID              cancel and wait until it is CANCELED
#   scripts/cluster.sh logs [PROCESS]             where the logs are; with jobmanager or
#                                                 taskmanager-<n>: the end of that log
#
# submit and resume pass the job's settings as --key value (SecretReconJob's arguments; any Flink
# option of the job as --flink.<option> value). Without --config they add
# --config flink-conf/secret-recon.yaml. Paths given as --config, --source.path, --sink.path and
# --dead-letter.path are made absolute against the caller's directory; the job's main() runs in
# the JobManager, whose working directory is the project.
#
# Environment (defaults in brackets):
#   TASKMANAGERS          TaskManagers that start keeps running [1]
#   PARALLELISM           submit/resume: the job's parallelism [the cluster's parallelism.default]
#   FLINK_REST_PORT       web UI and REST port on 127.0.0.1 [8081]
#   FLINK_RPC_PORT        JobManager RPC port on 127.0.0.1 [6123]
#   JM_MEMORY, TM_MEMORY  process sizes [1g, 2g]
#   PROMETHEUS_PORT       a port or range (9249-9259) switches the Prometheus reporter on [off]
#   FLINK_PROPERTIES      extra Flink options for every process, "key=value" per line or word
#   FLINK_JVM_OPTS        extra JVM options of every process
#   CLUSTER_DIR           logs, PID files, temporary files [<repo>/target/cluster]
#   SECRET_RECON_STATE_DIR  checkpoints/ and savepoints/ go to $SECRET_RECON_STATE_DIR/cluster,
#                         mode 700 [${XDG_STATE_HOME:-$HOME/.local/state}/secret-recon]
#   SECRET_RECON_JAR      the job jar [target/secret-recon-<version>.jar, built when missing or
#                         older than the sources]
#   FLINK_LIBS            the cluster's jars [$HOME/.cache/secret-recon/flink-2.2.1-libs]
#   START_TIMEOUT, JOB_TIMEOUT, SAVEPOINT_TIMEOUT, STOP_TIMEOUT   seconds [120, 120, 300, 30]
#   MVN                   Maven command [mvn]
#
# Exit codes: 0 ok, 1 error, 2 usage, 3 status: the JobManager is not running.
set -euo pipefail
# Logs, PID files, temporary files and state are the user's only.
umask 077

readonly FLINK_VERSION=2.2.1
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly POM="$SCRIPT_DIR/cluster/pom.xml"
readonly CONF_DIR="$REPO_DIR/flink-conf"
readonly JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
readonly TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner
readonly ENTRY_CLASS=io.secretrecon.SecretReconJob

is_port() { [[ "$1" =~ ^[0-9]+$ ]] && (($1 > 0 && $1 < 65536)); }
TASKMANAGERS="${TASKMANAGERS:-1}"
[[ "$TASKMANAGERS" =~ ^[0-9]+$ ]] && ((TASKMANAGERS >= 1 && TASKMANAGERS <= 16)) \
    || { echo "cluster.sh: TASKMANAGERS must be 1..16, got '$TASKMANAGERS'" >&2; exit 2; }
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-6123}"
is_port "$FLINK_REST_PORT" && is_port "$FLINK_RPC_PORT" \
    || { echo "cluster.sh: FLINK_REST_PORT and FLINK_RPC_PORT must be port numbers" >&2; exit 2; }
JM_MEMORY="${JM_MEMORY:-1g}"
TM_MEMORY="${TM_MEMORY:-2g}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-}"
FLINK_PROPERTIES="${FLINK_PROPERTIES:-}"
FLINK_JVM_OPTS="${FLINK_JVM_OPTS:-}"
CLUSTER_DIR="$(realpath -m "${CLUSTER_DIR:-$REPO_DIR/target/cluster}")"
if [[ -n "${SECRET_RECON_STATE_DIR:-}" ]]; then
    STATE_ROOT="$SECRET_RECON_STATE_DIR"
elif [[ -n "${XDG_STATE_HOME:-}" ]]; then
    STATE_ROOT="$XDG_STATE_HOME/secret-recon"
elif [[ -n "${HOME:-}" ]]; then
    STATE_ROOT="$HOME/.local/state/secret-recon"
else
    STATE_ROOT="$CLUSTER_DIR/state"
fi
STATE_DIR="$(realpath -m "$STATE_ROOT")/cluster"
if [[ -n "${HOME:-}" ]]; then
    FLINK_LIBS="${FLINK_LIBS:-$HOME/.cache/secret-recon/flink-$FLINK_VERSION-libs}"
else
    FLINK_LIBS="${FLINK_LIBS:-$CLUSTER_DIR/libs}"
fi
START_TIMEOUT="${START_TIMEOUT:-120}"
JOB_TIMEOUT="${JOB_TIMEOUT:-120}"
SAVEPOINT_TIMEOUT="${SAVEPOINT_TIMEOUT:-300}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
MVN="${MVN:-mvn}"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

readonly LOG_DIR="$CLUSTER_DIR/log"
readonly PID_DIR="$CLUSTER_DIR/pid"
readonly REST="http://127.0.0.1:$FLINK_REST_PORT"

say() { echo "cluster.sh: $*" >&2; }
err() { echo "cluster.sh: $*" >&2; }
die() { err "$*"; exit 1; }
now() { date +%s; }

# Java 17 needs these for Flink's reflection (the flags of Flink's own config.yaml).
readonly JAVA17_OPTS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED \
--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
--add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

# --- JSON (python3 is on every machine this runs on; no jq needed) ----------------------------

# json EXPR: evaluates the Python expression EXPR with d = the JSON document on stdin and prints
# the result ('' for None). Fails (exit 1) when stdin is not JSON or EXPR does not apply.
json() {
    python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1], {"d": d})
except Exception:
    sys.exit(1)
print("" if v is None else v)' "$1"
}

# REST calls: bounded in time, never through a proxy (loopback only).
api() {
    local method=$1 path=$2
    shift 2
    curl -sS --noproxy '*' --connect-timeout 3 --max-time "${API_TIMEOUT:-30}" -X "$method" "$@" "$REST$path"
}
api_json() { api "$1" "$2" -H 'Content-Type: application/json' -d "$3"; }

# Prints the REST errors of a response (of a stack trace: its first line and every cause), or the
# response itself.
rest_errors() {
    python3 -c '
import json, sys
try:
    errors = json.loads(sys.argv[1])["errors"]
except Exception:
    errors = [sys.argv[1]]
for e in errors:
    lines = [l.strip() for l in str(e).splitlines() if l.strip()]
    keep = lines[:1] + [l for l in lines[1:] if l.startswith("Caused by:")]
    print("\n".join("  " + l for l in keep[:12]))' "$1" >&2
}

# --- jars ------------------------------------------------------------------------------------

pom_digest() { sha256sum "$POM" | cut -d' ' -f1; }

# Downloads the cluster's classpath once per pom.xml content into FLINK_LIBS (into a temporary
# directory first, so an interrupted or concurrent fetch never leaves a half-filled FLINK_LIBS).
fetch_libs() {
    local digest
    digest="$(pom_digest)"
    [[ -f "$FLINK_LIBS/.complete" && "$(cat "$FLINK_LIBS/.complete")" == "$digest" ]] && return 0
    mkdir -p "$(dirname "$FLINK_LIBS")"
    exec 8>"$FLINK_LIBS.lock"
    flock 8
    if [[ -f "$FLINK_LIBS/.complete" && "$(cat "$FLINK_LIBS/.complete")" == "$digest" ]]; then
        exec 8>&-
        return 0
    fi
    say "fetching Flink $FLINK_VERSION jars into $FLINK_LIBS (once) ..."
    local tmp fetch_log="$CLUSTER_DIR/fetch.log"
    tmp="$(mktemp -d "$FLINK_LIBS.tmp.XXXXXX")"
    if ! "$MVN" -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >"$fetch_log" 2>&1; then
        err "fetching the jars failed (full output: $fetch_log):"
        tail -n 30 "$fetch_log" >&2 || true
        rm -rf "$tmp"
        exec 8>&-
        return 1
    fi
    [[ -f "$tmp/flink-runtime-$FLINK_VERSION.jar" ]] \
        || { err "no flink-runtime-$FLINK_VERSION.jar after the fetch (see $fetch_log)"; rm -rf "$tmp"; exec 8>&-; return 1; }
    echo "$digest" >"$tmp/.complete"
    if [[ -f "$FLINK_LIBS/.complete" && "$(cat "$FLINK_LIBS/.complete")" == "$digest" ]]; then
        rm -rf "$tmp"
    else
        rm -rf "$FLINK_LIBS"
        mv -T "$tmp" "$FLINK_LIBS" 2>/dev/null || rm -rf "$tmp"
    fi
    exec 8>&-
    say "jars ready ($(find "$FLINK_LIBS" -name '*.jar' | wc -l) jars)"
}

project_version() {
    python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
print(ET.parse(sys.argv[1]).getroot().find("m:version", ns).text.strip())' "$REPO_DIR/pom.xml"
}

# The job jar: SECRET_RECON_JAR as given, or the project's, (re)built when missing or stale.
job_jar() {
    if [[ -n "${SECRET_RECON_JAR:-}" ]]; then
        [[ -f "$SECRET_RECON_JAR" ]] || die "SECRET_RECON_JAR=$SECRET_RECON_JAR does not exist"
        realpath "$SECRET_RECON_JAR"
        return
    fi
    local jar
    jar="$REPO_DIR/target/secret-recon-$(project_version).jar"
    if [[ ! -f "$jar" || -n "$(find "$REPO_DIR/pom.xml" "$REPO_DIR/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
        say "building $jar (mvn package -DskipTests) ..."
        (cd "$REPO_DIR" && "$MVN" -q -B -ntp package -DskipTests 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2) \
            || die "the build failed"
        [[ -f "$jar" ]] || die "the build made no $jar"
    fi
    echo "$jar"
}

# --- processes -------------------------------------------------------------------------------

# Each process carries -Dsecret-recon.cluster=<CLUSTER_DIR>:<name> so that only this cluster's
# processes are recognised (a recycled PID, or another CLUSTER_DIR's cluster, never is).
marker() { echo "-Dsecret-recon.cluster=$CLUSTER_DIR:$1"; }

# Prints the PID of process NAME (jobmanager, taskmanager-<n>) if it is alive and really ours.
running_pid() {
    local name=$1 file="$PID_DIR/$1.pid" pid args
    [[ -f "$file" ]] || return 1
    pid="$(cat "$file" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    else
        args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
    fi
    [[ "$args" == *"$(marker "$name") "* ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The -D options every process gets: what config.yaml cannot know (paths, ports, sizes).
dynamic_properties() {
    local props=(
        "jobmanager.rpc.address=127.0.0.1"
        "jobmanager.rpc.port=$FLINK_RPC_PORT"
        "rest.address=127.0.0.1"
        "rest.bind-address=127.0.0.1"
        "rest.port=$FLINK_REST_PORT"
        "jobmanager.memory.process.size=$JM_MEMORY"
        "taskmanager.memory.process.size=$TM_MEMORY"
        "execution.checkpointing.dir=file://$STATE_DIR/checkpoints"
        "execution.checkpointing.savepoint-dir=file://$STATE_DIR/savepoints"
        "io.tmp.dirs=$CLUSTER_DIR/tmp"
        "web.tmpdir=$CLUSTER_DIR/web"
    )
    if [[ -n "$PROMETHEUS_PORT" ]]; then
        props+=("metrics.reporter.prom.factory.class=org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
                "metrics.reporter.prom.port=$PROMETHEUS_PORT")
    fi
    local p
    for p in $FLINK_PROPERTIES; do
        [[ "$p" == *=* ]] || die "FLINK_PROPERTIES: '$p' is not key=value"
        props+=("$p")
    done
    for p in "${props[@]}"; do printf -- '-D\n%s\n' "$p"; done
}

# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS: prints two lines, the JVM memory
# options and the -D memory options, as Flink's shell scripts compute them.
resource_params() {
    local out
    local -a dyn
    mapfile -t dyn < <(dynamic_properties)
    out="$("$JAVA" -Xmx128m -XX:+UseSerialGC -cp "$FLINK_LIBS/*" org.apache.flink.runtime.util.bash.BashJavaUtils \
        "$1" --configDir "$CONF_DIR" "${dyn[@]}" 2>&1)" \
        || { err "BashJavaUtils $1 failed:"; printf '%s\n' "$out" | tail -n 20 >&2; return 1; }
    out="$(printf '%s\n' "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' | tail -n 2)"
    [[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]] || { err "unexpected output of BashJavaUtils $1"; return 1; }
    printf '%s\n' "$out"
}

# launch NAME MAIN_CLASS PARAMS_KIND [extra -D key=value ...]: starts one process in the background.
launch() {
    local name=$1 main=$2 kind=$3
    shift 3
    local params jvm_mem dyn_mem
    params="$(resource_params "$kind")" || return 1
    jvm_mem="$(sed -n 1p <<<"$params")"
    dyn_mem="$(sed -n 2p <<<"$params")"
    local -a dyn extra=()
    mapfile -t dyn < <(dynamic_properties)
    local p
    for p in "$@"; do extra+=(-D "$p"); done
    echo "===== cluster.sh start $name $(date -u +%Y-%m-%dT%H:%M:%SZ) =====" >>"$LOG_DIR/$name.out"
    # shellcheck disable=SC2086 # memory options, JAVA17_OPTS and FLINK_JVM_OPTS are option lists
    (cd "$REPO_DIR" && exec nohup "$JAVA" $jvm_mem $JAVA17_OPTS $FLINK_JVM_OPTS \
        "$(marker "$name")" -Dlog.file="$LOG_DIR/$name.log" \
        -Dlog4j.configurationFile="file:$CONF_DIR/log4j-cluster.properties" \
        -cp "$FLINK_LIBS/*" "$main" --configDir "$CONF_DIR" "${dyn[@]}" $dyn_mem "${extra[@]}" \
        </dev/null >>"$LOG_DIR/$name.out" 2>&1 8>&- 9>&-) &
    echo $! >"$PID_DIR/$name.pid"
}

rest_answers() { API_TIMEOUT=3 api GET /overview 2>/dev/null | json 'd["taskmanagers"]' >/dev/null 2>&1; }

registered() {
    API_TIMEOUT=3 api GET /taskmanagers 2>/dev/null | json '" ".join(t["id"] for t in d["taskmanagers"])' 2>/dev/null
}

log_tail() {
    err "last lines of $LOG_DIR/$1.log and .out:"
    tail -n "${2:-30}" "$LOG_DIR/$1.log" >&2 2>/dev/null || true
    tail -n 10 "$LOG_DIR/$1.out" >&2 2>/dev/null || true
}

make_private_dir() {
    local d
    for d in "$@"; do
        mkdir -p "$d"
        chmod 700 "$d"
    done
}

cmd_start() {
    local t0 pid
    t0="$(now)"
    make_private_dir "$CLUSTER_DIR" "$LOG_DIR" "$PID_DIR" "$CLUSTER_DIR/tmp" "$CLUSTER_DIR/web"
    # The state directory's parents may be shared (~/.local/state): only ours is made private.
    mkdir -p "$(dirname "$STATE_DIR")"
    [[ -d "$(dirname "$STATE_DIR")" ]] && [[ -O "$(dirname "$STATE_DIR")" ]] && chmod 700 "$(dirname "$STATE_DIR")"
    make_private_dir "$STATE_DIR" "$STATE_DIR/checkpoints" "$STATE_DIR/savepoints"
    fetch_libs

    local deadline=$(($(now) + START_TIMEOUT))
    if pid="$(running_pid jobmanager)"; then
        say "jobmanager already running (pid $pid)"
    else
        rm -f "$PID_DIR/jobmanager.pid"
        local port
        for port in "$FLINK_REST_PORT" "$FLINK_RPC_PORT"; do
            port_open "$port" && die "port 127.0.0.1:$port is in use by another process (FLINK_REST_PORT/FLINK_RPC_PORT)"
        done
        say "starting jobmanager (REST $REST, checkpoints and savepoints under $STATE_DIR)"
        launch jobmanager "$JM_CLASS" GET_JM_RESOURCE_PARAMS || die "could not start the jobmanager"
    fi
    pid="$(cat "$PID_DIR/jobmanager.pid")"
    until rest_answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_DIR/jobmanager.pid"
            log_tail jobmanager 40
            die "the jobmanager exited during start-up"
        fi
        (($(now) < deadline)) || { log_tail jobmanager 40; die "REST did not answer on $REST within ${START_TIMEOUT}s"; }
        sleep 0.5
    done

    local i name started=()
    for ((i = 1; i <= TASKMANAGERS; i++)); do
        name="taskmanager-$i"
        if pid="$(running_pid "$name")"; then
            say "$name already running (pid $pid)"
            continue
        fi
        rm -f "$PID_DIR/$name.pid"
        local rid
        rid="$name-$(date +%s%N | cut -c1-13)"
        say "starting $name (resource id $rid)"
        launch "$name" "$TM_CLASS" GET_TM_RESOURCE_PARAMS "taskmanager.resource-id=$rid" \
            || die "could not start $name"
        started+=("$name:$rid")
    done
    local entry ids
    for entry in "${started[@]}"; do
        name="${entry%%:*}"
        rid="${entry#*:}"
        pid="$(cat "$PID_DIR/$name.pid")"
        while :; do
            ids="$(registered || true)"
            [[ " $ids " == *" $rid "* ]] && break
            if ! kill -0 "$pid" 2>/dev/null; then
                rm -f "$PID_DIR/$name.pid"
                log_tail "$name" 40
                die "$name exited during start-up"
            fi
            (($(now) < deadline)) || { log_tail "$name" 40; die "$name did not register within ${START_TIMEOUT}s"; }
            sleep 0.5
        done
        say "$name registered (pid $pid)"
    done
    say "cluster ready in $(($(now) - t0))s: web UI $REST, logs $LOG_DIR"
}

stop_process() {
    local name=$1 pid
    if ! pid="$(running_pid "$name")"; then
        rm -f "$PID_DIR/$name.pid"
        return 0
    fi
    say "stopping $name (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(($(now) + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if (($(now) >= deadline)); then
            err "$name still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.2
    done
    rm -f "$PID_DIR/$name.pid"
}

taskmanager_names() {
    local f
    for f in "$PID_DIR"/taskmanager-*.pid; do
        if [[ -e "$f" ]]; then basename "$f" .pid; fi
    done | sort -t- -k2 -n
}

cmd_stop() {
    local name
    for name in $(taskmanager_names); do stop_process "$name"; done
    stop_process jobmanager
    say "stopped (logs stay in $LOG_DIR)"
}

cmd_status() {
    local pid name rc=0
    if pid="$(running_pid jobmanager)"; then
        if rest_answers; then
            echo "jobmanager    running  pid $pid  web UI $REST"
        else
            echo "jobmanager    starting pid $pid  (REST not answering yet)"
        fi
    else
        echo "jobmanager    stopped"
        rc=3
    fi
    local names
    names="$(taskmanager_names)"
    [[ -n "$names" ]] || names="taskmanager-1"
    for name in $names; do
        if pid="$(running_pid "$name")"; then
            echo "$name running  pid $pid"
        else
            echo "$name stopped"
        fi
    done
    if ((rc == 0)) && rest_answers; then
        api GET /overview | json '"registered taskmanagers: %d, slots: %d free of %d" % (d["taskmanagers"], d["slots-available"], d["slots-total"])' || true
        api GET /jobs/overview | json '"\n".join("job %s  %-10s %s" % (j["jid"], j["state"], j["name"]) for j in d["jobs"]) or "no jobs"' || true
    fi
    return "$rc"
}

cmd_logs() {
    if [[ $# -ge 1 ]]; then
        local f="$LOG_DIR/$1.log"
        [[ -f "$f" ]] || die "no log $f (processes: jobmanager, taskmanager-<n>)"
        echo "== $f (last ${LOG_LINES:-60} lines; its stdout/stderr: $LOG_DIR/$1.out)"
        tail -n "${LOG_LINES:-60}" "$f"
        return
    fi
    echo "logs of the cluster: $LOG_DIR"
    echo "  <process>.log  Flink's log (log4j, rolled at 100 MB, 5 kept)"
    echo "  <process>.out  stdout/stderr: alerts of the stdout sink, JVM errors"
    ls -l "$LOG_DIR" 2>/dev/null | tail -n +2 | sed 's/^/  /' || true
    echo "also in the web UI: $REST/#/job-manager/logs and each TaskManager's Logs tab"
}

# --- jobs ------------------------------------------------------------------------------------

require_running() {
    running_pid jobmanager >/dev/null && rest_answers \
        || die "the cluster is not running (scripts/cluster.sh start); REST $REST does not answer"
}

# Job arguments with caller-relative paths made absolute, and --config added when missing.
job_args() {
    local caller=$1
    shift
    local out=() have_config=false
    absolute() {
        local res="" item
        IFS=',' read -ra items <<<"$1"
        for item in "${items[@]}"; do
            case "$item" in /* | *://* | "") ;; *) item="$caller/$item" ;; esac
            res="${res:+$res,}$item"
        done
        printf '%s' "$res"
    }
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --config | --source.path | --sink.path | --dead-letter.path)
                [[ "$1" == --config ]] && have_config=true
                out+=("$1")
                [[ $# -gt 1 ]] && { out+=("$(absolute "$2")"); shift; } ;;
            --config=* | --source.path=* | --sink.path=* | --dead-letter.path=*)
                [[ "$1" == --config=* ]] && have_config=true
                out+=("${1%%=*}=$(absolute "${1#*=}")") ;;
            *) out+=("$1") ;;
        esac
        shift
    done
    $have_config || out=(--config "$CONF_DIR/secret-recon.yaml" ${out[@]+"${out[@]}"})
    printf '%s\0' ${out[@]+"${out[@]}"}
}

job_state() { API_TIMEOUT=10 api GET "/jobs/$1" 2>/dev/null | json 'd["state"]' 2>/dev/null; }

# run_jar SAVEPOINT|"" ALLOW_NON_RESTORED ARGS...: uploads the jar, runs it, prints the job id.
run_jar() {
    local savepoint=$1 allow=$2
    shift 2
    require_running
    local jar upload jar_id body reply jid
    jar="$(job_jar)"
    say "uploading $(basename "$jar") ..."
    upload="$(API_TIMEOUT=300 api POST /jars/upload -H 'Expect:' -F "jarfile=@$jar;type=application/x-java-archive")" \
        || die "the upload failed: $upload"
    jar_id="$(json 'd["filename"].rsplit("/", 1)[-1]' <<<"$upload")" || { rest_errors "$upload"; die "the upload failed"; }
    # The jar-run handler sets the job's default parallelism to the request's (1 when absent),
    # not to the cluster's parallelism.default: send that one (--flink.parallelism.default wins).
    local parallelism
    parallelism="${PARALLELISM:-$(api GET /jobmanager/config | json 'next((e["value"] for e in d if e["key"] == "parallelism.default"), "")' || true)}"
    body="$(python3 -c '
import json, sys
savepoint, allow, entry, parallelism = sys.argv[1:5]
body = {"entryClass": entry, "programArgsList": sys.argv[5:]}
if parallelism:
    body["parallelism"] = int(parallelism)
if savepoint:
    body.update(savepointPath=savepoint, allowNonRestoredState=(allow == "true"), claimMode="NO_CLAIM")
print(json.dumps(body))' "$savepoint" "$allow" "$ENTRY_CLASS" "$parallelism" "$@")"
    say "running $ENTRY_CLASS $*${savepoint:+ from $savepoint}"
    # main() runs in the JobManager: what it prints lands in jobmanager.out (shown on failure).
    local out_size
    out_size="$(stat -c %s "$LOG_DIR/jobmanager.out" 2>/dev/null || echo 0)"
    reply="$(API_TIMEOUT="$JOB_TIMEOUT" api_json POST "/jars/$jar_id/run" "$body" || true)"
    # The JobManager has the job's jar in its blob store now: the uploaded copy is not needed.
    API_TIMEOUT=10 api DELETE "/jars/$jar_id" >/dev/null 2>&1 || true
    jid="$(json 'd["jobid"]' <<<"$reply" 2>/dev/null)" || jid=""
    if [[ -z "$jid" ]]; then
        err "the job was not submitted:"
        rest_errors "$reply"
        tail -c "+$((out_size + 1))" "$LOG_DIR/jobmanager.out" 2>/dev/null | grep -a '^secret-recon:' | tail -n 5 \
            | sed 's/^/  (jobmanager.out) /' >&2 || true
        return 1
    fi
    # Wait until it is scheduled (or already done, for a small bounded input).
    local deadline=$(($(now) + JOB_TIMEOUT)) state=""
    while :; do
        state="$(job_state "$jid" || true)"
        case "$state" in
            RUNNING | FINISHED) break ;;
            FAILED | CANCELED) err "job $jid is $state; see $LOG_DIR/jobmanager.log"; echo "$jid"; return 1 ;;
        esac
        (($(now) < deadline)) || { err "job $jid still ${state:-unknown} after ${JOB_TIMEOUT}s"; break; }
        sleep 0.5
    done
    say "job $jid ${state:-submitted}: $REST/#/job/running/$jid/overview"
    echo "$jid"
}

check_job_id() { [[ "${1:-}" =~ ^[0-9a-f]{32}$ ]] || { err "not a job id: '${1:-}'"; exit 2; }; }

# wait_savepoint JOB_ID TRIGGER_ID: waits for the asynchronous savepoint operation, prints its path.
wait_savepoint() {
    local jid=$1 trigger=$2 reply status deadline=$(($(now) + SAVEPOINT_TIMEOUT))
    while :; do
        reply="$(API_TIMEOUT=10 api GET "/jobs/$jid/savepoints/$trigger" 2>/dev/null || true)"
        status="$(json 'd["status"]["id"]' <<<"$reply" 2>/dev/null || true)"
        if [[ "$status" == COMPLETED ]]; then
            local location
            if location="$(json 'd["operation"]["location"]' <<<"$reply")" && [[ -n "$location" ]]; then
                echo "$location"
                return 0
            fi
            err "the savepoint failed:"
            json 'd["operation"]["failure-cause"]["stack-trace"]' <<<"$reply" 2>/dev/null | head -n 30 >&2 || rest_errors "$reply"
            return 1
        fi
        (($(now) < deadline)) || { err "no savepoint after ${SAVEPOINT_TIMEOUT}s (last answer: $reply)"; return 1; }
        sleep 0.5
    done
}

cmd_savepoint() {
    local stop=$1
    shift
    check_job_id "${1:-}"
    local jid=$1 dir="" drain=false
    shift
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --drain) drain=true ;;
            -*) err "unknown option $1"; exit 2 ;;
            *) dir="$(realpath -m "$1")" ;;
        esac
        shift
    done
    require_running
    local body reply trigger path
    if $stop; then
        body="$(python3 -c 'import json,sys; b={"drain": sys.argv[2]=="true", "formatType": "CANONICAL"}; sys.argv[1] and b.update(targetDirectory=sys.argv[1]); print(json.dumps(b))' "$dir" "$drain")"
        say "stopping job $jid with a savepoint${dir:+ in $dir}$($drain && echo ' (drain: final watermark, episodes close)') ..."
        reply="$(api_json POST "/jobs/$jid/stop" "$body" || true)"
    else
        body="$(python3 -c 'import json,sys; b={"cancel-job": False, "formatType": "CANONICAL"}; sys.argv[1] and b.update({"target-directory": sys.argv[1]}); print(json.dumps(b))' "$dir")"
        say "savepoint of job $jid${dir:+ in $dir} ..."
        reply="$(api_json POST "/jobs/$jid/savepoints" "$body" || true)"
    fi
    trigger="$(json 'd["request-id"]' <<<"$reply" 2>/dev/null)" || { rest_errors "$reply"; die "the savepoint was not triggered"; }
    path="$(wait_savepoint "$jid" "$trigger")" || exit 1
    if $stop; then
        local deadline=$(($(now) + JOB_TIMEOUT)) state
        until state="$(job_state "$jid")" && [[ "$state" =~ ^(FINISHED|CANCELED|FAILED)$ ]]; do
            (($(now) < deadline)) || { err "job $jid is still ${state:-unknown} after the savepoint"; break; }
            sleep 0.5
        done
        say "job $jid ${state:-stopped}; savepoint:"
    else
        say "savepoint:"
    fi
    echo "$path"
}

cmd_cancel() {
    check_job_id "${1:-}"
    local jid=$1
    require_running
    api PATCH "/jobs/$jid?mode=cancel" >/dev/null || die "cancel request failed"
    local deadline=$(($(now) + JOB_TIMEOUT)) state
    until state="$(job_state "$jid")" && [[ "$state" =~ ^(CANCELED|FINISHED|FAILED)$ ]]; do
        (($(now) < deadline)) || die "job $jid still ${state:-unknown} after ${JOB_TIMEOUT}s"
        sleep 0.5
    done
    say "job $jid $state (its retained checkpoints stay under $STATE_DIR/checkpoints/$jid)"
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -ge 1 ]] || usage
cmd=$1
shift
case "$cmd" in
    start | stop)
        # Serialise start/stop of one CLUSTER_DIR.
        mkdir -p "$CLUSTER_DIR"
        exec 9>"$CLUSTER_DIR/.cluster.sh.lock"
        flock 9
        ;;
esac
case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    submit)
        mapfile -d '' args < <(job_args "$PWD" "$@")
        run_jar "" false ${args[@]+"${args[@]}"} ;;
    resume)
        [[ $# -ge 1 && "$1" != --* ]] || { err "usage: resume SAVEPOINT [--allow-non-restored-state] [--key value ...]"; exit 2; }
        savepoint=$1
        shift
        case "$savepoint" in /*) savepoint="file://$savepoint" ;; *://* | file:*) ;; *) savepoint="file://$(realpath -m "$savepoint")" ;; esac
        allow=false
        if [[ "${1:-}" == --allow-non-restored-state ]]; then allow=true; shift; fi
        mapfile -d '' args < <(job_args "$PWD" "$@")
        run_jar "$savepoint" "$allow" ${args[@]+"${args[@]}"} ;;
    savepoint) cmd_savepoint false "$@" ;;
    stop-with-savepoint) cmd_savepoint true "$@" ;;
    cancel) cmd_cancel "$@" ;;
    -h | --help | help) usage ;;
    *) err "unknown command '$cmd'"; usage ;;
esac
