#!/usr/bin/env bash
# Compiles the job and writes its local runtime classpath (Flink included) to
# target/local-classpath.txt, unless both are newer than every source. Used by run-local.sh and
# benchmark.sh.
#
# Then, for run-local.sh: the job's classes as one jar (target/secret-recon-local.jar), and a
# class-data sharing archive (Java's AppCDS, target/secret-recon-local.jsa) of every class a local
# run loads, recorded by one run over the bundled sample. A JVM that maps the archive skips
# loading, parsing and verifying those ~9,000 classes: about 1 s less start-up and CPU on this
# machine (README.md, "JVM settings of local runs"). The archive is only an optimisation: if it
# cannot be recorded, or no longer matches the classpath, runs go on without it.
# SECRET_RECON_CDS=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=target/.local-build
if [ ! -f "$stamp" ] || [ ! -f target/local-classpath.txt ] \
    || [ -n "$(find pom.xml src/main -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "secret-recon: building (mvn -Plocal compile)..." >&2
  # -q leaves only errors; Maven 3.8 still writes colour resets, which are dropped here.
  mvn -q -B -ntp -Plocal compile dependency:build-classpath \
      -Dmdep.outputFile=target/local-classpath.txt -Dmdep.includeScope=runtime 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' >&2
  touch "$stamp"
fi

# Class-data sharing needs jars on the classpath, not a directory.
jar=target/secret-recon-local.jar
cds=target/secret-recon-local.jsa
if [ ! -f "$jar" ] || [ "$stamp" -nt "$jar" ]; then
  rm -f "$jar" "$cds"
  jar --create --file "$jar" -C target/classes .
fi
# The JVM ignores an archive whose jars changed after it was recorded: record it again then.
if [ -f "$cds" ] && { [ "$jar" -nt "$cds" ] || [ target/local-classpath.txt -nt "$cds" ]; }; then
  rm -f "$cds"
fi
if [ "${SECRET_RECON_CDS:-1}" != 0 ] && [ ! -f "$cds" ]; then
  echo "secret-recon: recording the classes a local run loads (class-data sharing, once per build)..." >&2
  training=target/cds-training/$$
  rm -rf "$training"
  mkdir -p "$training"
  # As run-local.sh runs the job, with its own outputs and state directory (nothing of the user's).
  if ! SECRET_RECON_STATE_DIR="$training/state" timeout 300 java -XX:ArchiveClassesAtExit="$cds.$$.tmp" \
        -XX:+UseSerialGC -XX:CompileThresholdScaling=4 -Dlog4j.configurationFile=flink-conf/log4j-local.properties \
        -cp "$jar:$(cat target/local-classpath.txt)" io.secretrecon.LocalRunner \
        --config flink-conf/secret-recon.yaml --local.progress false --flink.rest.bind-port 0 \
        --sink.type file --sink.path "$training/alerts.ndjson" --dead-letter.path "$training/dead-letters.ndjson" \
        > "$training/out.txt" 2>&1 || [ ! -s "$cds.$$.tmp" ]; then
    echo "secret-recon: no class-data sharing archive (see $training/out.txt); runs go on without it" >&2
    rm -f "$cds.$$.tmp"
  else
    mv "$cds.$$.tmp" "$cds"
  fi
fi
