#!/usr/bin/env bash
# Rewrites README.md's configuration table from the settings' definitions (config/Settings.java).
# SettingsDocumentationTest fails when the table and the definitions disagree; run this to mend it.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -Plocal compile exec:java -Dexec.mainClass=io.secretrecon.config.SettingsTable -Dexec.args=README.md
