#!/usr/bin/env bash
# End-to-end test of operating the job on a real Flink session cluster (scripts/cluster.sh) with a
# real Kafka broker (scripts/kafka.sh), everything on 127.0.0.1:
#
#   1. generate seeded ECS audit events in two phases, cut in the middle of an attack burst
#      (ClusterE2eClient generate), and compute the expected alerts with a bounded run of the
#      same events (scripts/run-local.sh);
#   2. start the broker and the cluster; a submission with a mistyped setting must fail without
#      harming the cluster;
#   3. submit the job: Kafka in, alerts and dead letters to Kafka exactly once, RocksDB state
#      backend with incremental checkpoints every 2 s;
#   4. produce phase 1 over ~30 s and kill -9 the TaskManager mid-stream, after a checkpoint;
#      cluster.sh start brings a new one and the job restores from the checkpoint;
#   5. stop-with-savepoint, produce phase 2 while the job is down, resume from the savepoint (the
#      upgrade path: open episodes carry over in the savepoint);
#   6. a read_committed consumer must see every expected alert (id + revision) exactly once, equal
#      to the bounded run's, and nothing else; no dead letters; some incident of the reference
#      must have revisions on both sides of the cut (else the upgrade tests no carried state);
#   7. headless Chromium loads the web UI: the page lists the job and its operators
#      (scripts/web-ui-check.sh; installs Debian's chromium when missing).
#
#   scripts/cluster-e2e.sh
#
# Environment (defaults in brackets):
#   E2E_DIR          work directory, removed and recreated on every run [<repo>/target/cluster-e2e]
#   E2E_KAFKA_PORT   the broker's port (+1 for its controller); auto: a free pair at random in
#                    20000-39999, never 9092, since other tests start brokers too [auto]
#   E2E_TIMEOUT      the whole run's deadline in seconds [900]
#   E2E_EVENTS, E2E_SEED   size and seed of the workload [6000, 11]
#   E2E_BROWSER      auto: check the web UI, installing chromium if possible, skipped (with a
#                    message) where it cannot be installed; require; skip [auto]
#   E2E_SCREENSHOT   also write the job graph screenshot to this file [none]
#   FLINK_REST_PORT  the cluster's REST port [8081]
# It uses its own cluster, broker and state directories under E2E_DIR, stops whatever it started
# on exit (also on failure or interruption) and leaves the logs in E2E_DIR.
# Exit code 0 when every check passed.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR

E2E_DIR="$(realpath -m "${E2E_DIR:-$REPO_DIR/target/cluster-e2e}")"
E2E_KAFKA_PORT="${E2E_KAFKA_PORT:-auto}"
E2E_TIMEOUT="${E2E_TIMEOUT:-900}"
E2E_EVENTS="${E2E_EVENTS:-6000}"
E2E_SEED="${E2E_SEED:-11}"
E2E_BROWSER="${E2E_BROWSER:-auto}"
E2E_SCREENSHOT="${E2E_SCREENSHOT:-}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
readonly MARKER="$E2E_DIR/.made-by-cluster-e2e"
readonly PARTITIONS=3
readonly IN_TOPIC=e2e-audit ALERTS_TOPIC=e2e-alerts DLQ_TOPIC=e2e-dlq

export CLUSTER_DIR="$E2E_DIR/cluster"
export SECRET_RECON_STATE_DIR="$E2E_DIR/state"
export KAFKA_DIR="$E2E_DIR/kafka"
export FLINK_REST_PORT
export TASKMANAGERS=1

T0="$(date +%s)"
log() { echo "cluster-e2e: [$(($(date +%s) - T0))s] $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
now() { date +%s; }

# --- cleanup: only what this run started --------------------------------------------------------

started_kafka=false
started_cluster=false
producer_pid=""
watchdog_pid=""
step_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$step_pid" ]] && kill "$step_pid" 2>/dev/null || true
    [[ -n "$producer_pid" ]] && kill "$producer_pid" 2>/dev/null || true
    if $started_cluster; then timeout 90 "$SCRIPT_DIR/cluster.sh" stop >/dev/null 2>&1 || true; fi
    if $started_kafka; then timeout 60 "$SCRIPT_DIR/kafka.sh" stop >/dev/null 2>&1 || true; fi
    [[ -n "$watchdog_pid" ]] && kill "$watchdog_pid" 2>/dev/null || true
    if ((rc == 0)); then
        log "PASSED in $(($(now) - T0))s"
    else
        log "exit $rc after $(($(now) - T0))s; logs: $CLUSTER_DIR/log, $KAFKA_DIR/broker.log, $E2E_DIR/*.log"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'log "deadline of ${E2E_TIMEOUT}s passed"; exit 124' TERM

# step COMMAND...: runs a (bounded) command so that the deadline and Ctrl-C interrupt it at once
# (a trap waits for a foreground command, but not for the wait builtin).
step() {
    "$@" &
    step_pid=$!
    local rc=0
    wait "$step_pid" || rc=$?
    step_pid=""
    return "$rc"
}

# A second line of defence behind every step's own time-out.
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$E2E_TIMEOUT" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
) </dev/null >/dev/null 2>&1 &
watchdog_pid=$!

# --- preflight -------------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$FLINK_REST_PORT" 6123; do
    port_open "$port" && fail "127.0.0.1:$port is in use (another cluster?); stop it or choose FLINK_REST_PORT"
done
pick_kafka_port() {
    if [[ "$E2E_KAFKA_PORT" != auto ]]; then
        echo "$E2E_KAFKA_PORT"
        return
    fi
    local p i
    for ((i = 0; i < 50; i++)); do
        p=$((20000 + RANDOM % 10000 * 2))
        port_open "$p" || port_open "$((p + 1))" || { echo "$p"; return; }
    done
    fail "no free port pair for the broker"
}
command -v python3 >/dev/null && command -v curl >/dev/null || fail "needs python3 and curl"

if [[ -e "$E2E_DIR" ]]; then
    [[ -f "$MARKER" ]] || fail "$E2E_DIR exists but was not made by this script: not removing it"
    rm -rf "$E2E_DIR"
fi
mkdir -p "$E2E_DIR/data"
touch "$MARKER"

# --- build -----------------------------------------------------------------------------------

cd "$REPO_DIR"
log "building what is missing (main classes, the job jar, the test client) ..."
step timeout 900 scripts/build-local.sh
client_class=target/test-classes/io/secretrecon/cluster/ClusterE2eClient.class
if [[ ! -f "$client_class" || ! -f target/test-classpath.txt \
    || -n "$(find pom.xml src -newer "$client_class" -name '*.java' -print -quit 2>/dev/null)" \
    || pom.xml -nt target/test-classpath.txt ]]; then
    step timeout 900 mvn -q -B -ntp test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
fi
printf 'status = error\nrootLogger.level = ERROR\n' >"$E2E_DIR/client-log4j2.properties"
client_command=(java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    -Dlog4j2.configurationFile="$E2E_DIR/client-log4j2.properties"
    -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)"
    io.secretrecon.cluster.ClusterE2eClient)
client() { step timeout "${CLIENT_TIMEOUT:-120}" "${client_command[@]}" "$@"; }

# --- 1. workload and reference ------------------------------------------------------------------

client generate --out "$E2E_DIR/data" --events "$E2E_EVENTS" --bursts 8 --seed "$E2E_SEED" --partitions "$PARTITIONS"
log "reference: a bounded run of the same events (run-local.sh) ..."
step timeout 300 scripts/run-local.sh --config flink-conf/secret-recon.yaml --local.progress false \
    --flink.rest.bind-port 18081-18181 --source.path "$E2E_DIR/data/all.ndjson" \
    --sink.type file --sink.path "$E2E_DIR/expected-alerts.ndjson" \
    --dead-letter.type file --dead-letter.path "$E2E_DIR/expected-dead-letters.ndjson" \
    >"$E2E_DIR/reference.log" 2>&1 || { tail -n 20 "$E2E_DIR/reference.log" >&2; fail "the reference run failed"; }
expected_alerts="$(wc -l <"$E2E_DIR/expected-alerts.ndjson")"
expected_dlq="$(cat "$E2E_DIR/expected-dead-letters.ndjson" 2>/dev/null | wc -l)"
((expected_alerts > 0)) || fail "the reference run gave no alerts: the workload tests nothing"
log "reference: $expected_alerts alerts, $expected_dlq dead letters"

# --- 2. broker and cluster ----------------------------------------------------------------------

# The broker in the background, next to the cluster; a port taken meanwhile by another test's
# broker means another pair.
start_kafka() {
    local attempt
    for attempt in 1 2 3; do
        KAFKA_PORT="$(pick_kafka_port)"
        export KAFKA_PORT
        echo "$KAFKA_PORT" >"$E2E_DIR/kafka.port"
        timeout 180 scripts/kafka.sh start >>"$E2E_DIR/kafka-start.log" 2>&1 && return 0
        grep -q "already in use" "$E2E_DIR/kafka-start.log" && [[ "$E2E_KAFKA_PORT" == auto ]] || return 1
    done
    return 1
}
started_kafka=true
start_kafka &
kafka_start=$!
started_cluster=true
step timeout 240 scripts/cluster.sh start 2>"$E2E_DIR/cluster-start.log" || { cat "$E2E_DIR/cluster-start.log" >&2; fail "the cluster did not start"; }
wait "$kafka_start" || { cat "$E2E_DIR/kafka-start.log" >&2; fail "the broker did not start"; }
KAFKA_PORT="$(cat "$E2E_DIR/kafka.port")"
export KAFKA_PORT
readonly BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
log "broker on $BOOTSTRAP and cluster on http://127.0.0.1:$FLINK_REST_PORT up"
client topics --bootstrap "$BOOTSTRAP" "$IN_TOPIC:$PARTITIONS" "$ALERTS_TOPIC:2" "$DLQ_TOPIC:1"

if step timeout 180 scripts/cluster.sh submit --detector.treshold 4 >"$E2E_DIR/bad-submit.log" 2>&1; then
    fail "a submission with a mistyped setting was accepted"
fi
grep -q "detector.treshold" "$E2E_DIR/bad-submit.log" || { cat "$E2E_DIR/bad-submit.log" >&2; fail "the rejected submission does not name the mistyped key"; }
timeout 30 scripts/cluster.sh status >/dev/null || fail "the cluster is down after a bad submission"
log "a mistyped setting is refused with its name, and the cluster stays up"

# --- 3. submit ---------------------------------------------------------------------------------

run_id="$(date +%s)"
job_args=(
    --source.type kafka --kafka.bootstrap-servers "$BOOTSTRAP" --kafka.topics "$IN_TOPIC"
    --kafka.group-id "e2e-$run_id" --kafka.starting-offsets earliest
    --sink.type kafka --kafka.alerts-topic "$ALERTS_TOPIC"
    --dead-letter.type kafka --kafka.dead-letter-topic "$DLQ_TOPIC"
    --kafka.transactional-id-prefix "secret-recon-e2e-$run_id"
    --flink.execution.checkpointing.interval 2s
    --flink.execution.checkpointing.min-pause 500ms
    --flink.state.backend.type rocksdb
    --flink.execution.checkpointing.incremental true
)
jid="$(timeout 240 scripts/cluster.sh submit "${job_args[@]}" 2>"$E2E_DIR/submit.log" | tail -n 1)" \
    || { cat "$E2E_DIR/submit.log" >&2; fail "submit failed"; }
[[ "$jid" =~ ^[0-9a-f]{32}$ ]] || { cat "$E2E_DIR/submit.log" >&2; fail "submit printed no job id"; }
log "job $jid submitted"

rest() { curl -sS --noproxy '*' --max-time 10 "http://127.0.0.1:$FLINK_REST_PORT$1"; }
# checkpoints JOB: "restored completed" counts
checkpoints() { rest "/jobs/$1/checkpoints" | python3 -c 'import json,sys; c=json.load(sys.stdin)["counts"]; print(c["restored"], c["completed"])'; }
# all_running JOB: the job and every one of its tasks RUNNING
all_running() {
    rest "/jobs/$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["state"] == "RUNNING" and all(v["status"] == "RUNNING" for v in d["vertices"]) else 1)' 2>/dev/null
}
# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds
wait_for() {
    local limit=$1 what=$2 deadline
    shift 2
    deadline=$(($(now) + limit))
    until "$@"; do
        (($(now) < deadline)) || fail "no $what within ${limit}s"
        sleep 0.5
    done
}
wait_for 120 "running tasks of job $jid" all_running "$jid"

# --- 4. kill -9 the TaskManager mid-stream --------------------------------------------------------

progress_file="$E2E_DIR/produce-1.progress"
timeout 180 "${client_command[@]}" produce --bootstrap "$BOOTSTRAP" --topic "$IN_TOPIC" --partitions "$PARTITIONS" \
    --file "$E2E_DIR/data/phase-1.ndjson" --duration-ms 30000 --progress "$progress_file" \
    >"$E2E_DIR/produce-1.log" 2>&1 &
producer_pid=$!
sent_fraction() { [[ -f "$progress_file" ]] && python3 -c 'import sys; s,t=open(sys.argv[1]).read().split(); print(int(s)*100//int(t))' "$progress_file" 2>/dev/null || echo 0; }
checkpointed_after_data() {
    local c
    c="$(checkpoints "$jid" 2>/dev/null)" || return 1
    (($(sent_fraction) >= 30)) && ((${c#* } >= 1))
}
wait_for 90 "completed checkpoint with 30% of phase 1 sent" checkpointed_after_data
read -r restored_before _ < <(checkpoints "$jid")
tm_pid="$(cat "$CLUSTER_DIR/pid/taskmanager-1.pid")"
at_kill="$(sent_fraction)"
kill -9 "$tm_pid"
log "kill -9 TaskManager (pid $tm_pid) with ${at_kill}% of phase 1 sent"
((at_kill < 100)) || fail "phase 1 was all sent before the kill: not mid-stream"
step timeout 240 scripts/cluster.sh start 2>"$E2E_DIR/cluster-restart.log" || { cat "$E2E_DIR/cluster-restart.log" >&2; fail "cluster.sh start did not bring a new TaskManager"; }
log "a new TaskManager (pid $(cat "$CLUSTER_DIR/pid/taskmanager-1.pid")) is registered"
restored_again() {
    local r c
    read -r r c < <(checkpoints "$jid" 2>/dev/null) || return 1
    ((r > restored_before)) && all_running "$jid"
}
wait_for 180 "restore of job $jid from its checkpoint on the new TaskManager" restored_again
log "job $jid restored from a checkpoint and running again"
wait "$producer_pid" || { cat "$E2E_DIR/produce-1.log" >&2; producer_pid=""; fail "producing phase 1 failed"; }
producer_pid=""
# One completed checkpoint after the restore: the job is processing, not just scheduled.
read -r _ completed_now < <(checkpoints "$jid")
one_more_checkpoint() { local r c; read -r r c < <(checkpoints "$jid" 2>/dev/null) || return 1; ((c > completed_now)); }
wait_for 120 "checkpoint after the restore" one_more_checkpoint

# --- 5. upgrade: stop with a savepoint, more data, resume ----------------------------------------

savepoint="$(timeout 360 scripts/cluster.sh stop-with-savepoint "$jid" 2>"$E2E_DIR/stop.log" | tail -n 1)" \
    || { cat "$E2E_DIR/stop.log" >&2; fail "stop-with-savepoint failed"; }
[[ "$savepoint" == *savepoint-* ]] || { cat "$E2E_DIR/stop.log" >&2; fail "stop-with-savepoint printed no path"; }
log "job $jid stopped with savepoint $savepoint"
client produce --bootstrap "$BOOTSTRAP" --topic "$IN_TOPIC" --partitions "$PARTITIONS" \
    --file "$E2E_DIR/data/phase-2.ndjson" >"$E2E_DIR/produce-2.log" 2>&1 \
    || { cat "$E2E_DIR/produce-2.log" >&2; fail "producing phase 2 failed"; }
log "phase 2 produced while the job was down"
jid2="$(timeout 240 scripts/cluster.sh resume "$savepoint" "${job_args[@]}" 2>"$E2E_DIR/resume.log" | tail -n 1)" \
    || { cat "$E2E_DIR/resume.log" >&2; fail "resume failed"; }
[[ "$jid2" =~ ^[0-9a-f]{32}$ && "$jid2" != "$jid" ]] || { cat "$E2E_DIR/resume.log" >&2; fail "resume printed no new job id"; }
restored_from_savepoint() { rest "/jobs/$jid2/checkpoints" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["latest"].get("restored") or {}
sys.exit(0 if r.get("is_savepoint") and "savepoint-" in (r.get("external_path") or "") else 1)' 2>/dev/null; }
wait_for 120 "restore of job $jid2 from the savepoint" restored_from_savepoint
log "job $jid2 resumed from the savepoint"

# --- 6. exactly once, equal to the reference ------------------------------------------------------

CLIENT_TIMEOUT=300 client check --bootstrap "$BOOTSTRAP" --topic "$ALERTS_TOPIC" \
    --expect "$E2E_DIR/expected-alerts.ndjson" --dlq-topic "$DLQ_TOPIC" --expect-dlq "$expected_dlq" \
    --across "$(cat "$E2E_DIR/data/cut.txt")" \
    --timeout-s 180 --linger-s 8 || fail "the committed alerts are not the reference's, exactly once"

# --- 7. the web UI in a real browser --------------------------------------------------------------

case "$E2E_BROWSER" in
    skip) log "web UI check skipped (E2E_BROWSER=skip)" ;;
    auto | require)
        rc=0
        DOM_OUT="$E2E_DIR/web-ui.html" step timeout 600 scripts/web-ui-check.sh "$jid2" \
            --expect "Alerts to Kafka topic $ALERTS_TOPIC" --expect "Dead letters to Kafka topic $DLQ_TOPIC" \
            --screenshot "$E2E_DIR/web-ui-job-graph.png" || rc=$?
        if ((rc == 3)) && [[ "$E2E_BROWSER" == auto ]]; then
            log "web UI check SKIPPED: no chromium and it cannot be installed here (E2E_BROWSER=require makes this a failure)"
        elif ((rc != 0)); then
            fail "the web UI check failed"
        else
            [[ -n "$E2E_SCREENSHOT" ]] && cp "$E2E_DIR/web-ui-job-graph.png" "$E2E_SCREENSHOT"
            log "the web UI lists job $jid2 and its operators (screenshot $E2E_DIR/web-ui-job-graph.png)"
        fi ;;
    *) fail "E2E_BROWSER must be auto, require or skip" ;;
esac

timeout 120 scripts/cluster.sh cancel "$jid2" 2>/dev/null || fail "cancel of $jid2 failed"
log "all checks passed: $expected_alerts alerts exactly once across a TaskManager kill and a savepoint upgrade"
