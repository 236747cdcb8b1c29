#!/usr/bin/env bash
# A real single-node Elasticsearch 8.19.21 for development, tests and CI, run from the
# distribution zip on Maven Central (org.elasticsearch.distribution.integ-test-zip:elasticsearch,
# fetched once with mvn dependency:unpack). It listens on 127.0.0.1 only.
#
#   scripts/elasticsearch.sh start|stop|status|restart
#
# Environment (defaults in brackets):
#   ES_PORT            HTTP port on 127.0.0.1 [9200]
#   ES_TRANSPORT_PORT  transport port or range on 127.0.0.1 [9300-9399]
#   ES_DIR             config/, data/, logs/, elasticsearch.pid, elastic-password, script.log
#                      [<repo>/target/elasticsearch]
#   ES_DIST            the unpacked distribution, shared by every ES_DIR; it must be readable by
#                      ES_USER [/var/cache/secret-recon/elasticsearch-8.19.21 when run as root,
#                      else $HOME/.cache/secret-recon/elasticsearch-8.19.21]
#   ES_JAVA_HOME       a Java 17 or newer (the zip has no bundled JDK) [JAVA_HOME if it is one,
#                      else /usr/lib/jvm/java-17-openjdk-amd64, else the java on the PATH]
#   ES_HEAP            heap options [-Xms512m -Xmx512m]
#   ES_SECURITY        true: basic auth for the user `elastic` with a generated password, kept in
#                      $ES_DIR/elastic-password (mode 600) and reused on every start [false]
#   ES_USER            the unprivileged user Elasticsearch runs as when this script runs as root
#                      (Elasticsearch refuses to run as root); created if missing
#                      [secret-recon-es]. Not root: Elasticsearch runs as the calling user.
#   ES_START_TIMEOUT   seconds to wait for yellow health [180]
#   ES_STOP_TIMEOUT    seconds to wait after SIGTERM before SIGKILL [60]
#   MVN                Maven command used to fetch the distribution [mvn]
#
# The zip is the "integ-test" distribution: only the modules transport-netty4, x-pack-core,
# x-pack-security and apm. No ingest processors, no painless, no delete-by-query; with security
# on, basic auth works but API keys and native users do not (the security index needs a module
# the zip lacks). `GET /` answers 405: health is read from /_cluster/health.
#
# Nothing outside ES_DIR, ES_DIST and (as root) the user ES_USER is created, and the script never
# deletes anything but its own PID file: `rm -rf "$ES_DIR"` after a stop is a clean slate.
#
# Exit codes: 0 ok (status: running), 1 error, 2 usage, 3 status: stopped.
set -euo pipefail

readonly ES_VERSION=8.19.21
readonly ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR REPO_DIR

ES_PORT="${ES_PORT:-9200}"
[[ "$ES_PORT" =~ ^[0-9]+$ ]] && ((ES_PORT > 0 && ES_PORT < 65536)) \
    || { echo "elasticsearch.sh: ES_PORT must be a port number, got '$ES_PORT'" >&2; exit 2; }
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-9300-9399}"
[[ "$ES_TRANSPORT_PORT" =~ ^[0-9]+(-[0-9]+)?$ ]] \
    || { echo "elasticsearch.sh: ES_TRANSPORT_PORT must be a port or a range like 9300-9399, got '$ES_TRANSPORT_PORT'" >&2; exit 2; }
ES_DIR="${ES_DIR:-$REPO_DIR/target/elasticsearch}"
ES_DIR="$(realpath -m "$ES_DIR")"
if [[ "$(id -u)" == 0 ]]; then
    ES_DIST="${ES_DIST:-/var/cache/secret-recon/elasticsearch-$ES_VERSION}"
    ES_USER="${ES_USER:-secret-recon-es}"
else
    ES_DIST="${ES_DIST:-${HOME:-$ES_DIR}/.cache/secret-recon/elasticsearch-$ES_VERSION}"
    ES_USER="$(id -un)"
fi
ES_DIST="$(realpath -m "$ES_DIST")"
ES_HEAP="${ES_HEAP:--Xms512m -Xmx512m}"
ES_SECURITY="${ES_SECURITY:-false}"
[[ "$ES_SECURITY" == true || "$ES_SECURITY" == false ]] \
    || { echo "elasticsearch.sh: ES_SECURITY must be true or false, got '$ES_SECURITY'" >&2; exit 2; }
ES_START_TIMEOUT="${ES_START_TIMEOUT:-180}"
ES_STOP_TIMEOUT="${ES_STOP_TIMEOUT:-60}"
MVN="${MVN:-mvn}"

readonly CONF_DIR="$ES_DIR/config"
readonly DATA_DIR="$ES_DIR/data"
readonly LOGS_DIR="$ES_DIR/logs"
readonly TMP_DIR="$ES_DIR/tmp"
readonly RUN_DIR="$ES_DIR/run"
readonly PID_FILE="$RUN_DIR/elasticsearch.pid"
readonly PASSWORD_FILE="$ES_DIR/elastic-password"
readonly STDOUT_LOG="$LOGS_DIR/stdout.log"
readonly URL="http://127.0.0.1:$ES_PORT"

say() { echo "elasticsearch.sh: $*"; }
err() { echo "elasticsearch.sh: $*" >&2; }
now() { date +%s; }

# --- Java ------------------------------------------------------------------------------------

java_major() {
    # Prints the feature version of the java binary given, e.g. 17.
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_java_home() {
    local candidate major
    for candidate in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk \
        "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
        [[ -n "$candidate" && -x "$candidate/bin/java" ]] || continue
        major="$(java_major "$candidate/bin/java")"
        if [[ -n "$major" ]] && ((major >= 17)); then
            echo "$candidate"
            return 0
        fi
        if [[ "$candidate" == "${ES_JAVA_HOME:-}" ]]; then
            err "ES_JAVA_HOME=$candidate is Java $major; Elasticsearch $ES_VERSION needs Java 17 or newer"
            return 1
        fi
    done
    err "no Java 17 or newer found: set ES_JAVA_HOME"
    return 1
}

# --- distribution ------------------------------------------------------------------------------

# Unpacks the distribution once into ES_DIST (through a temporary directory, so an interrupted or
# concurrent fetch never leaves a half-filled ES_DIST).
fetch_dist() {
    if [[ -f "$ES_DIST/.complete" ]]; then
        return 0
    fi
    mkdir -p "$(dirname "$ES_DIST")"
    exec 8>"$ES_DIST.lock"
    flock 8
    if [[ -f "$ES_DIST/.complete" ]]; then
        exec 8>&-
        return 0
    fi
    say "fetching Elasticsearch $ES_VERSION ($ES_ARTIFACT) into $ES_DIST (once) ..."
    local tmp fetch_log="$ES_DIR/fetch.log"
    tmp="$(mktemp -d "$ES_DIST.tmp.XXXXXX")"
    if ! (cd "$tmp" && "$MVN" -q -B dependency:unpack -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$tmp") >"$fetch_log" 2>&1; then
        err "fetching the distribution failed (full output: $fetch_log):"
        tail -n 30 "$fetch_log" >&2 || true
        rm -rf "$tmp"
        return 1
    fi
    [[ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ]] \
        || { err "no bin/elasticsearch after the fetch (see $fetch_log)"; rm -rf "$tmp"; return 1; }
    chmod -R a+rX "$tmp"
    touch "$tmp/elasticsearch-$ES_VERSION/.complete"
    mv -T "$tmp/elasticsearch-$ES_VERSION" "$ES_DIST"
    rm -rf "$tmp"
    exec 8>&-
    say "distribution ready in $ES_DIST"
}

# --- user ------------------------------------------------------------------------------------

ensure_user() {
    [[ "$(id -u)" == 0 ]] || return 0
    if ! id -u "$ES_USER" >/dev/null 2>&1; then
        say "creating the unprivileged user $ES_USER (Elasticsearch refuses to run as root)"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
    fi
    # Elasticsearch must be able to reach ES_DIR and read ES_DIST.
    local d
    for d in "$ES_DIST" "$ES_DIR"; do
        runuser -u "$ES_USER" -- test -r "$d" -a -x "$d" \
            || { err "$ES_USER cannot read $d: put it under a directory every user can traverse"; return 1; }
    done
}

# Runs a command as the Elasticsearch user with its environment.
as_es() {
    local env=(ES_JAVA_HOME="$JAVA_HOME_FOR_ES" ES_PATH_CONF="$CONF_DIR" ES_TMPDIR="$TMP_DIR" ES_JAVA_OPTS=)
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u "$ES_USER" -- env "${env[@]}" "$@"
    else
        env "${env[@]}" "$@"
    fi
}

# --- process -------------------------------------------------------------------------------

# Prints the PID of this ES_DIR's Elasticsearch if it is alive (and really is that server).
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
    # A recycled PID that is not our server counts as "not running".
    [[ "$args" == *" -Djava.io.tmpdir=$TMP_DIR "*org.elasticsearch.bootstrap.Elasticsearch* ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

configured_port() {
    local p
    p="$(sed -n 's/^http\.port: *\([0-9]*\)$/\1/p' "$CONF_DIR/elasticsearch.yml" 2>/dev/null || true)"
    echo "${p:-$ES_PORT}"
}

curl_es() {
    local auth=()
    if [[ -s "$PASSWORD_FILE" ]] && grep -q '^xpack.security.enabled: true' "$CONF_DIR/elasticsearch.yml" 2>/dev/null; then
        auth=(--user "elastic:$(cat "$PASSWORD_FILE")")
    fi
    curl -sS --max-time 10 "${auth[@]}" "$@"
}

write_config() {
    mkdir -p "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$TMP_DIR" "$RUN_DIR"
    # The distribution's defaults (log4j2, roles, users), once; elasticsearch.yml and jvm.options
    # are ours and rewritten on every start.
    local f
    for f in log4j2.properties role_mapping.yml roles.yml users users_roles; do
        [[ -e "$CONF_DIR/$f" ]] || cp "$ES_DIST/config/$f" "$CONF_DIR/$f"
    done
    cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Written by scripts/elasticsearch.sh on every start: edit the script, not this file.
cluster.name: secret-recon-dev
node.name: secret-recon-es-$ES_PORT
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $DATA_DIR
path.logs: $LOGS_DIR
# A development node on a shared disk: never turn indices read-only because the disk is full-ish.
cluster.routing.allocation.disk.threshold_enabled: false
xpack.security.enabled: $ES_SECURITY
xpack.security.autoconfiguration.enabled: false
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
EOF
    cat >"$CONF_DIR/jvm.options" <<EOF
# Written by scripts/elasticsearch.sh on every start.
$(printf '%s\n' $ES_HEAP)
-XX:+UseG1GC
-Djava.io.tmpdir=$TMP_DIR
20-:--add-modules=jdk.incubator.vector
-XX:+HeapDumpOnOutOfMemoryError
-XX:HeapDumpPath=$LOGS_DIR
-XX:+ExitOnOutOfMemoryError
-XX:ErrorFile=$LOGS_DIR/hs_err_pid%p.log
-Xlog:gc*:file=$LOGS_DIR/gc.log:utctime,level,pid,tags:filecount=4,filesize=16m
EOF
    if [[ "$(id -u)" == 0 ]]; then
        chown -R "$ES_USER" "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$TMP_DIR" "$RUN_DIR"
    fi
}

# With security on, the `elastic` user's password is the keystore's bootstrap.password (this zip
# cannot store users in the security index, so that password stays in force on every start).
setup_security() {
    [[ "$ES_SECURITY" == true ]] || return 0
    if [[ ! -s "$PASSWORD_FILE" ]]; then
        (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 24 >"$PASSWORD_FILE")
        chmod 600 "$PASSWORD_FILE"
        rm -f "$CONF_DIR/elasticsearch.keystore" "$CONF_DIR/.keystore-password-set"
        say "generated a password for the user elastic in $PASSWORD_FILE"
    fi
    if [[ ! -f "$CONF_DIR/.keystore-password-set" ]]; then
        local ks="$ES_DIST/bin/elasticsearch-keystore"
        [[ -f "$CONF_DIR/elasticsearch.keystore" ]] || as_es "$ks" create >>"$ES_DIR/script.log" 2>&1 \
            || { err "elasticsearch-keystore create failed (see $ES_DIR/script.log)"; return 1; }
        as_es "$ks" add --force --stdin bootstrap.password <"$PASSWORD_FILE" >>"$ES_DIR/script.log" 2>&1 \
            || { err "elasticsearch-keystore add bootstrap.password failed (see $ES_DIR/script.log)"; return 1; }
        touch "$CONF_DIR/.keystore-password-set"
    fi
}

log_tail() {
    local log="$LOGS_DIR/secret-recon-dev.log"
    err "last lines of $log and $STDOUT_LOG:"
    tail -n "${1:-40}" "$log" >&2 2>/dev/null || true
    tail -n 20 "$STDOUT_LOG" >&2 2>/dev/null || true
}

cmd_start() {
    local pid
    if pid="$(running_pid)"; then
        say "already running (pid $pid), $URL:$(configured_port), dir $ES_DIR"
        return 0
    fi
    rm -f "$PID_FILE"
    if port_open "$ES_PORT"; then
        err "port 127.0.0.1:$ES_PORT is already in use by another process; choose ES_PORT"
        return 1
    fi
    local t0
    t0="$(now)"
    mkdir -p "$ES_DIR"
    JAVA_HOME_FOR_ES="$(find_java_home)"
    fetch_dist
    ensure_user
    write_config
    setup_security

    say "starting Elasticsearch $ES_VERSION on $URL (security $ES_SECURITY, dir $ES_DIR, user $ES_USER)"
    echo "===== elasticsearch.sh start $(date -u +%Y-%m-%dT%H:%M:%SZ) =====" >>"$STDOUT_LOG"
    # -d: the launcher returns once the server JVM runs; -p: the server writes its own PID.
    if ! (cd "$ES_DIR" && as_es "$ES_DIST/bin/elasticsearch" -d -p "$PID_FILE") </dev/null >>"$STDOUT_LOG" 2>&1 8>&- 9>&-; then
        err "the server did not start"
        log_tail 60
        return 1
    fi

    local deadline=$(($(now) + ES_START_TIMEOUT)) code
    while :; do
        if ! pid="$(running_pid)"; then
            err "the server exited during startup"
            log_tail 60
            return 1
        fi
        code="$(curl_es -o /dev/null -w '%{http_code}' "$URL/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null || true)"
        if [[ "$code" == 200 ]]; then
            break
        fi
        if (($(now) >= deadline)); then
            err "no yellow health on $URL within ${ES_START_TIMEOUT}s (last HTTP status '$code'); stopping it"
            log_tail 60
            cmd_stop >&2 || true
            return 1
        fi
        sleep 0.5
    done
    say "started (pid $pid) in $(($(now) - t0))s, $URL$([[ "$ES_SECURITY" == true ]] && echo ", user elastic, password in $PASSWORD_FILE")"
}

cmd_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        say "not running ($ES_DIR)"
        return 0
    fi
    say "stopping Elasticsearch (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(($(now) + ES_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if (($(now) >= deadline)); then
            err "still alive after ${ES_STOP_TIMEOUT}s; sending SIGKILL"
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
        say "running (pid $pid), http://127.0.0.1:$(configured_port), dir $ES_DIR"
        return 0
    fi
    say "stopped ($ES_DIR)"
    return 3
}

usage() {
    echo "usage: $0 start|stop|status|restart  (see the header of this script for the environment)" >&2
    exit 2
}

[[ $# -eq 1 ]] || usage
case "$1" in
    start | stop | restart)
        # Serialise start/stop of one ES_DIR.
        mkdir -p "$ES_DIR"
        exec 9>"$ES_DIR/.elasticsearch.sh.lock"
        flock 9
        ;;
esac
case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop && cmd_start ;;
    *) usage ;;
esac
