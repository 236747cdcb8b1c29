#!/usr/bin/env bash
# Loads the Flink web UI of the running session cluster in headless Chromium and checks that the
# job's page lists the job and its operators; optionally takes a screenshot of the job graph.
#
#   scripts/web-ui-check.sh JOB_ID [--screenshot FILE.png] [--expect NAME]...
#
# The page must show the job id, the job name (secret-recon) and the operators "Audit events",
# "Secret GET rule filter", "Secret burst detector", "Alerts to " and "Dead letters to " (the
# sinks), plus every --expect NAME. Installs Debian's chromium first when it is missing
# (scripts/chromium.sh install). Environment: FLINK_REST_PORT [8081], DOM_OUT (keep the DOM there).
# Exit codes: 0 ok, 1 a check failed, 2 usage, 3 no browser and none can be installed here.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly UI="http://127.0.0.1:${FLINK_REST_PORT:-8081}"

err() { echo "web-ui-check.sh: $*" >&2; }

[[ "${1:-}" =~ ^[0-9a-f]{32}$ ]] || { err "usage: $0 JOB_ID [--screenshot FILE.png] [--expect NAME]..."; exit 2; }
jid=$1
shift
screenshot=""
expected=("secret-recon" "Audit events" "Secret GET rule filter" "Secret burst detector" "Alerts to " "Dead letters to ")
while [[ $# -gt 0 ]]; do
    case "$1" in
        --screenshot) screenshot="${2:?}"; shift ;;
        --expect) expected+=("${2:?}"); shift ;;
        *) err "unknown option $1"; exit 2 ;;
    esac
    shift
done

rc=0
"$SCRIPT_DIR/chromium.sh" install || rc=$?
((rc == 0)) || exit "$rc"

state="$(curl -sS --noproxy '*' --max-time 10 "$UI/jobs/$jid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' 2>/dev/null || true)"
[[ -n "$state" ]] || { err "REST at $UI does not know job $jid"; exit 1; }
case "$state" in
    RUNNING | CREATED | RESTARTING | INITIALIZING) page="$UI/#/job/running/$jid/overview" ;;
    *) page="$UI/#/job/completed/$jid/overview" ;;
esac

dom="$("$SCRIPT_DIR/chromium.sh" dump-dom "$page" 8000)" || { err "chromium could not load $page"; exit 1; }
[[ -n "${DOM_OUT:-}" ]] && printf '%s\n' "$dom" >"$DOM_OUT"
# The DOM as text: tags out, entities decoded, whitespace collapsed.
text="$(python3 -c '
import html, re, sys
t = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", sys.stdin.read(), flags=re.S)
print(re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", t))))' <<<"$dom")"

missing=()
for name in "$jid" "${expected[@]}"; do
    [[ "$text" == *"$name"* ]] || missing+=("$name")
done
if ((${#missing[@]} > 0)); then
    err "the web UI page $page does not show: ${missing[*]}"
    err "page text (start): ${text:0:600}"
    exit 1
fi
err "OK: $page shows job $jid ($state) and its operators: ${expected[*]:1}"

if [[ -n "$screenshot" ]]; then
    "$SCRIPT_DIR/chromium.sh" screenshot "$page" "$screenshot" 1600x1000 8000
fi
