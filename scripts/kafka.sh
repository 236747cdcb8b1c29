#!/usr/bin/env bash
# A real single-node Kafka 4.2.0 KRaft broker (combined broker + controller) for development,
# tests and CI, run from Kafka's jars on Maven Central (fetched through scripts/kafka/pom.xml).
#
#   scripts/kafka.sh start|stop|status|restart|classpath
#
# Environment (defaults in brackets):
#   KAFKA_PORT             client listener, PLAINTEXT on 127.0.0.1 [9092]
#   KAFKA_CONTROLLER_PORT  KRaft controller listener on 127.0.0.1 [KAFKA_PORT+1]
#   KAFKA_DIR              server.properties, data/, broker.log, kafka.pid [<repo>/target/kafka]
#   KAFKA_LIBS             the broker's jars, shared by every KAFKA_DIR
#                          [$HOME/.cache/secret-recon/kafka-4.2.0-libs, or $KAFKA_DIR/libs without HOME]
#   KAFKA_HEAP             heap options of the broker JVM [-Xmx512m]
#   KAFKA_JVM_OPTS         extra options of the broker JVM [none]
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer [60]
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL [30]
#   MVN                    Maven command used to fetch the jars [mvn]
#
# Broker settings worth knowing: auto topic creation is on, num.partitions=1, every internal
# topic has replication factor 1 and min ISR 1 (transactions work on one node), and
# transaction.max.timeout.ms is Kafka's default 15 min (900000): a producer (e.g. Flink's
# KafkaSink with EXACTLY_ONCE, whose default transaction.timeout.ms is 1 h) must ask for at
# most that. Everything binds to 127.0.0.1 only.
#
# Exit codes: 0 ok (status: running), 1 error, 2 usage, 3 status: stopped.
set -euo pipefail

readonly KAFKA_VERSION=4.2.0
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR
readonly POM="$SCRIPT_DIR/kafka/pom.xml"

KAFKA_PORT="${KAFKA_PORT:-9092}"
[[ "$KAFKA_PORT" =~ ^[0-9]+$ ]] && ((KAFKA_PORT > 0 && KAFKA_PORT < 65535)) \
    || { echo "kafka.sh: KAFKA_PORT must be a port number below 65535, got '$KAFKA_PORT'" >&2; exit 2; }
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
[[ "$KAFKA_CONTROLLER_PORT" =~ ^[0-9]+$ ]] && ((KAFKA_CONTROLLER_PORT > 0 && KAFKA_CONTROLLER_PORT < 65536)) \
    || { echo "kafka.sh: KAFKA_CONTROLLER_PORT must be a port number, got '$KAFKA_CONTROLLER_PORT'" >&2; exit 2; }
((KAFKA_CONTROLLER_PORT != KAFKA_PORT)) \
    || { echo "kafka.sh: KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ" >&2; exit 2; }
KAFKA_DIR="${KAFKA_DIR:-$REPO_DIR/target/kafka}"
KAFKA_DIR="$(realpath -m "$KAFKA_DIR")"
if [[ -n "${HOME:-}" ]]; then
    KAFKA_LIBS="${KAFKA_LIBS:-$HOME/.cache/secret-recon/kafka-$KAFKA_VERSION-libs}"
else
    KAFKA_LIBS="${KAFKA_LIBS:-$KAFKA_DIR/libs}"
fi
KAFKA_HEAP="${KAFKA_HEAP:--Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
MVN="${MVN:-mvn}"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

readonly PID_FILE="$KAFKA_DIR/kafka.pid"
readonly BROKER_LOG="$KAFKA_DIR/broker.log"
readonly SERVER_PROPS="$KAFKA_DIR/server.properties"
readonly DATA_DIR="$KAFKA_DIR/data"
readonly BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

say() { echo "kafka.sh: $*"; }
err() { echo "kafka.sh: $*" >&2; }
now() { date +%s; }

# --- jars ------------------------------------------------------------------------------------

pom_digest() { sha256sum "$POM" | cut -d' ' -f1; }

# Downloads the broker's classpath once per pom.xml content into KAFKA_LIBS (into a temporary
# directory first, so an interrupted or concurrent fetch never leaves a half-filled KAFKA_LIBS).
fetch_libs() {
    local digest
    digest="$(pom_digest)"
    if [[ -f "$KAFKA_LIBS/.complete" && "$(cat "$KAFKA_LIBS/.complete")" == "$digest" ]]; then
        return 0
    fi
    mkdir -p "$(dirname "$KAFKA_LIBS")"
    # One download at a time per KAFKA_LIBS (several KAFKA_DIRs may start at once).
    exec 8>"$KAFKA_LIBS.lock"
    flock 8
    if [[ -f "$KAFKA_LIBS/.complete" && "$(cat "$KAFKA_LIBS/.complete")" == "$digest" ]]; then
        exec 8>&-
        return 0
    fi
    say "fetching Kafka $KAFKA_VERSION jars into $KAFKA_LIBS (once) ..."
    local tmp fetch_log="$KAFKA_DIR/fetch.log"
    tmp="$(mktemp -d "$KAFKA_LIBS.tmp.XXXXXX")"
    if ! "$MVN" -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" >"$fetch_log" 2>&1; then
        err "fetching the jars failed (full output: $fetch_log):"
        tail -n 30 "$fetch_log" >&2 || true
        rm -rf "$tmp"
        return 1
    fi
    ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 \
        || { err "no kafka_2.13-$KAFKA_VERSION.jar after the fetch (see $fetch_log)"; rm -rf "$tmp"; return 1; }
    echo "$digest" >"$tmp/.complete"
    # Someone else may have finished first; the newest complete copy wins either way.
    if [[ -f "$KAFKA_LIBS/.complete" && "$(cat "$KAFKA_LIBS/.complete")" == "$digest" ]]; then
        rm -rf "$tmp"
    elif [[ -e "$KAFKA_LIBS" && ! -f "$KAFKA_LIBS/.complete" ]] && ! rmdir "$KAFKA_LIBS" 2>/dev/null; then
        # Only a copy this script made (it has .complete) is ever replaced: KAFKA_LIBS may be the user's.
        rm -rf "$tmp"
        err "$KAFKA_LIBS exists and was not filled by this script; not touching it (set KAFKA_LIBS elsewhere)"
        exec 8>&-
        return 1
    else
        rm -rf "$KAFKA_LIBS"
        mv -T "$tmp" "$KAFKA_LIBS" 2>/dev/null || rm -rf "$tmp"
    fi
    exec 8>&-
    say "jars ready ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars)"
}

# Runs a Kafka tool (class name + args) on the broker classpath in a small client JVM.
kafka_tool() {
    "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
        -Dlog4j2.configurationFile="$KAFKA_DIR/tools-log4j2.properties" \
        -cp "$KAFKA_LIBS/*" "$@"
}

# --- process -------------------------------------------------------------------------------

# Prints the PID of this KAFKA_DIR's broker if it is alive (and really is that broker).
running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid args
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    else
        args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
    fi
    # A recycled PID that is not our broker counts as "not running".
    [[ "$args" == *kafka.Kafka*"$SERVER_PROPS"* ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

configured_port() {
    # The client port this KAFKA_DIR was last started with (status after a start with other env).
    local p
    p="$(sed -n 's#^listeners=PLAINTEXT://127\.0\.0\.1:\([0-9]*\),.*#\1#p' "$SERVER_PROPS" 2>/dev/null || true)"
    echo "${p:-$KAFKA_PORT}"
}

write_config() {
    cat >"$SERVER_PROPS" <<EOF
# Written by scripts/kafka.sh on every start: edit the script, not this file.
# Single-node KRaft: this process is both broker and (the only) controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT

log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0

# Internal topics on one node: replication factor 1, few partitions (fast first use).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Kafka's default (15 min). Producers' transaction.timeout.ms must not exceed it: Flink's
# KafkaSink EXACTLY_ONCE defaults to 1 h and must be configured lower.
transaction.max.timeout.ms=900000
EOF
    local log4j
    for log4j in log4j2.properties tools-log4j2.properties; do
        local level=INFO
        [[ "$log4j" == tools-* ]] && level=WARN
        cat >"$KAFKA_DIR/$log4j" <<EOF
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = SYSTEM_ERR
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $level
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
    done
}

format_storage_once() {
    [[ -f "$DATA_DIR/meta.properties" ]] && return 0
    local cluster_id
    if [[ -s "$KAFKA_DIR/cluster.id" ]]; then
        cluster_id="$(cat "$KAFKA_DIR/cluster.id")"
    else
        cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid 2>>"$KAFKA_DIR/format.log" | tail -n 1)"
        [[ -n "$cluster_id" ]] || { err "StorageTool random-uuid failed (see $KAFKA_DIR/format.log)"; return 1; }
        echo "$cluster_id" >"$KAFKA_DIR/cluster.id"
    fi
    say "formatting $DATA_DIR (cluster id $cluster_id)"
    # Static quorum (controller.quorum.voters): no --standalone needed for one combined node.
    if ! kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$SERVER_PROPS" >>"$KAFKA_DIR/format.log" 2>&1; then
        err "formatting the storage failed:"
        tail -n 20 "$KAFKA_DIR/format.log" >&2 || true
        return 1
    fi
}

broker_answers() {
    timeout 30 "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
        -Dlog4j2.configurationFile="$KAFKA_DIR/tools-log4j2.properties" -cp "$KAFKA_LIBS/*" \
        org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
        --command-config "$KAFKA_DIR/probe.properties" --list >/dev/null 2>>"$KAFKA_DIR/probe.log"
}

log_tail() {
    err "last lines of $BROKER_LOG:"
    tail -n "${1:-40}" "$BROKER_LOG" >&2 2>/dev/null || true
}

cmd_start() {
    local pid
    if pid="$(running_pid)"; then
        say "already running (pid $pid), bootstrap 127.0.0.1:$(configured_port)"
        return 0
    fi
    rm -f "$PID_FILE"
    local port
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
        if port_open "$port"; then
            err "port 127.0.0.1:$port is already in use by another process; choose KAFKA_PORT/KAFKA_CONTROLLER_PORT"
            return 1
        fi
    done

    local t0
    t0="$(now)"
    mkdir -p "$KAFKA_DIR"
    fetch_libs
    write_config
    printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n' >"$KAFKA_DIR/probe.properties"
    format_storage_once

    say "starting broker on $BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT, dir $KAFKA_DIR)"
    echo "===== kafka.sh start $(date -u +%Y-%m-%dT%H:%M:%SZ) =====" >>"$BROKER_LOG"
    # shellcheck disable=SC2086 # KAFKA_HEAP and KAFKA_JVM_OPTS are lists of options
    nohup "$JAVA" $KAFKA_HEAP $KAFKA_JVM_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
        -Djava.awt.headless=true -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$SERVER_PROPS" </dev/null >>"$BROKER_LOG" 2>&1 8>&- 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"

    local deadline=$(($(now) + KAFKA_START_TIMEOUT))
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$PID_FILE"
            err "the broker exited during startup"
            log_tail 60
            return 1
        fi
        if port_open "$KAFKA_PORT" && broker_answers; then
            break
        fi
        if (($(now) >= deadline)); then
            err "the broker did not answer on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s; stopping it"
            log_tail 60
            cmd_stop >&2 || true
            return 1
        fi
        sleep 0.5
    done
    say "started (pid $pid) in $(($(now) - t0))s, bootstrap $BOOTSTRAP"
}

cmd_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        say "not running ($KAFKA_DIR)"
        return 0
    fi
    say "stopping broker (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(($(now) + KAFKA_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if (($(now) >= deadline)); then
            err "still alive after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.2
    done
    rm -f "$PID_FILE"
    say "stopped"
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        say "running (pid $pid), bootstrap 127.0.0.1:$(configured_port), dir $KAFKA_DIR"
        return 0
    fi
    say "stopped ($KAFKA_DIR)"
    return 3
}

usage() {
    echo "usage: $0 start|stop|status|restart|classpath  (see the header of this script for the environment)" >&2
    exit 2
}

[[ $# -eq 1 ]] || usage
case "$1" in
    start | stop | restart)
        # Serialise start/stop of one KAFKA_DIR.
        mkdir -p "$KAFKA_DIR"
        exec 9>"$KAFKA_DIR/.kafka.sh.lock"
        flock 9
        ;;
esac
case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop && cmd_start ;;
    classpath) mkdir -p "$KAFKA_DIR" && fetch_libs >&2 && echo "$KAFKA_LIBS/*" ;;
    *) usage ;;
esac
