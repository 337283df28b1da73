#!/usr/bin/env bash
# `make build`, after the jar: unpacks it into target/app (a jar of classes plus lib/, which class archives need) and
# records which classes a start loads into an archive beside it, for scripts/run.sh to start from:
# on Java 25 an AOT cache (classes loaded and linked ahead), on 17-24 a class data sharing archive.
# The recording run makes the application context and stops before anything starts (-Dspring.context.exit=onRefresh):
# it reaches neither etcd nor Docker, so it needs neither; the start-up reconcile and the web server never run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/java-runtime.sh
source scripts/java-runtime.sh
java=$(find_java)
feature=$(java_feature "$java")
rm -rf "$GDA_APP_DIR"
"$java" -Djarmode=tools -jar "$GDA_JAR" extract --destination "$GDA_APP_DIR" >/dev/null
if [ "$feature" -ge 25 ] 2>/dev/null; then
  archive=gpu-docker-api.aot; record=(AOTCacheOutput="$(cd "$GDA_APP_DIR" && pwd)/$archive")
else
  echo "class-archive: $java is Java $feature, not 25: recording a class data sharing archive (the AOT cache needs 25)" >&2
  archive=gpu-docker-api.jsa; record=(ArchiveClassesAtExit="$(cd "$GDA_APP_DIR" && pwd)/$archive")
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
started=$(date +%s)
# nothing here is reached: the flags only have to make a valid context
# the archive holds the class path as given, so it is recorded with the one scripts/java-runtime.sh starts with
if ! (GDA_STATE_DIR="$scratch" "$java" "${record[@]/#/-XX:}" "${GDA_JVM_OPTIONS[@]}" -Dspring.context.exit=onRefresh \
      -jar "$(app_jar)" -a 127.0.0.1:2378 -e 127.0.0.1:2379 --gda.docker.host=unix://"$scratch"/docker.sock \
      --gda.gpu.nvidia-smi=/bin/false --gda.auth.admin-token=class-archive-recording-only > "$scratch/record.log" 2>&1) \
    || [ ! -s "$GDA_APP_DIR/$archive" ]; then
  # a recording that fails leaves the service runnable: run.sh starts without an archive
  echo "class-archive: recording failed; the service starts without an archive. Last lines:" >&2
  grep -v '\[aot\]\|\[cds\]' "$scratch/record.log" | tail -20 >&2
  rm -f "$GDA_APP_DIR/$archive"
  exit 0
fi
echo "$java" > "$GDA_APP_DIR/java"
echo "class-archive: $GDA_APP_DIR/$archive ($(du -h "$GDA_APP_DIR/$archive" | cut -f1), Java $feature, recorded in $(( $(date +%s) - started )) s)"
