#!/usr/bin/env bash
# Headless Chromium (Debian's package) for looking at the Flink web UI from scripts and tests.
#
#   scripts/chromium.sh install                     apt-get install chromium if it is missing
#   scripts/chromium.sh dump-dom URL [BUDGET_MS]    the page's DOM after BUDGET_MS [8000] of
#                                                   virtual time (the UI's scripts have run)
#   scripts/chromium.sh screenshot URL FILE.png [WIDTHxHEIGHT] [BUDGET_MS]
#                                                   [1600x1000] [8000]
#
# Every run uses a new, private profile directory (removed afterwards), no sandbox (root in a
# container), no GPU, no QUIC, no background networking, component updates or sync: the only
# connections are the ones the page makes. Give it 127.0.0.1 URLs only.
#
# Environment: CHROMIUM (the browser binary [chromium]), CHROMIUM_TIMEOUT (seconds per run [90]),
# CHROMIUM_ATTEMPTS (runs tried when one hangs past the time-out [3]).
# Exit codes: 0 ok, 1 error, 2 usage, 3 install: not possible here (not root or no apt-get).
set -euo pipefail

CHROMIUM="${CHROMIUM:-chromium}"
CHROMIUM_TIMEOUT="${CHROMIUM_TIMEOUT:-90}"
CHROMIUM_ATTEMPTS="${CHROMIUM_ATTEMPTS:-3}"

err() { echo "chromium.sh: $*" >&2; }

cmd_install() {
    if command -v "$CHROMIUM" >/dev/null 2>&1; then
        err "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") is installed"
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1 || [[ "$(id -u)" -ne 0 ]]; then
        err "chromium is missing and cannot be installed here (needs root and apt-get): apt-get install -y chromium"
        return 3
    fi
    err "installing Debian's chromium (apt-get update && apt-get install -y chromium; about a minute) ..."
    local log
    log="$(mktemp)"
    if ! { timeout 600 apt-get update -q && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q --no-install-recommends chromium; } >"$log" 2>&1; then
        err "the installation failed:"
        tail -n 20 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    err "installed $("$CHROMIUM" --version 2>/dev/null)"
}

# run_chromium ARGS...: headless, with a throw-away profile, bounded in time. Headless Chromium
# now and then hangs on a loaded 2-core machine (its zygote stops answering) with the page already
# loaded: a run killed by the time-out (exit 124) is tried again with a fresh profile, at most
# CHROMIUM_ATTEMPTS times in all; any other failure is final.
run_chromium() {
    command -v "$CHROMIUM" >/dev/null 2>&1 || { err "no $CHROMIUM: run scripts/chromium.sh install"; return 1; }
    local profile rc attempt
    for ((attempt = 1; attempt <= CHROMIUM_ATTEMPTS; attempt++)); do
        rc=0
        profile="$(mktemp -d "${TMPDIR:-/tmp}/secret-recon-chromium.XXXXXX")"
        timeout --kill-after=10 "$CHROMIUM_TIMEOUT" "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
            --no-first-run --disable-background-networking --disable-component-update --disable-sync \
            --disable-dev-shm-usage --user-data-dir="$profile" "$@" 2>"$profile.log" || rc=$?
        if ((rc != 0)); then
            err "chromium failed (exit $rc, attempt $attempt of $CHROMIUM_ATTEMPTS):"
            grep -v -e '^$' "$profile.log" | tail -n 15 >&2 || true
        fi
        rm -rf "$profile" "$profile.log"
        ((rc == 124)) || break
    done
    return "$rc"
}

check_url() {
    [[ "$1" =~ ^http://(127\.0\.0\.1|localhost)(:[0-9]+)?/ ]] || { err "only http://127.0.0.1 URLs: '$1'"; exit 2; }
}

case "${1:-}" in
    install) cmd_install ;;
    dump-dom)
        [[ $# -ge 2 ]] || { err "usage: dump-dom URL [BUDGET_MS]"; exit 2; }
        check_url "$2"
        run_chromium --virtual-time-budget="${3:-8000}" --dump-dom "$2" ;;
    screenshot)
        [[ $# -ge 3 ]] || { err "usage: screenshot URL FILE.png [WIDTHxHEIGHT] [BUDGET_MS]"; exit 2; }
        check_url "$2"
        size="${4:-1600x1000}"
        [[ "$size" =~ ^[0-9]+x[0-9]+$ ]] || { err "size must be WIDTHxHEIGHT, got '$size'"; exit 2; }
        out="$(realpath -m "$3")"
        mkdir -p "$(dirname "$out")"
        run_chromium --window-size="${size/x/,}" --hide-scrollbars --virtual-time-budget="${5:-8000}" \
            --screenshot="$out" "$2" >/dev/null
        [[ -s "$out" ]] || { err "no screenshot written to $out"; exit 1; }
        err "screenshot: $out" ;;
    *)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
        exit 2 ;;
esac
