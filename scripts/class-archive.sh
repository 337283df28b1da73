#!/usr/bin/env bash
# `make build`, after the jar: unpacks it into target/app (a jar of classes plus lib/, which class archives need) and
# records which classes a start loads into an archive beside it, for scripts/run.sh to start from:
# on Java 25 an AOT cache (classes loaded and linked ahead), on 17-24 a class data sharing archive.
# The recording run is a real start up to its first served call where it can be: with the Docker engine the service
# would use answering (GDA_DOCKER_HOST, default unix:///var/run/docker.sock) and an `etcd` binary, the service starts
# against a throwaway etcd of its own (a temporary directory, loopback ports) under a prefix no deployment uses, with
# the web server and the SSH gateway on loopback ports the system picks, serves one call and stops. Of Docker it only
# reads (nothing is labelled with that prefix, so the start-up checks and the reconcile find nothing to change).
# GDA_ARCHIVE_FULL_START=0 skips it. Otherwise, or if that start fails, the recording run makes the application
# context and stops before anything starts (-Dspring.context.exit=onRefresh): it reaches neither etcd nor Docker, and
# what a start does after the beans are made (the first etcd and Docker calls, the web server, the SSH gateway, the
# first call) loads its classes at every start.
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
etcd_pid=
service_pid=
finish() {
  [ -z "$service_pid" ] || { kill "$service_pid" 2>/dev/null; wait "$service_pid" 2>/dev/null; } || true
  [ -z "$etcd_pid" ] || { kill "$etcd_pid" 2>/dev/null; wait "$etcd_pid" 2>/dev/null; } || true
  rm -rf "$scratch"
}
trap finish EXIT
started=$(date +%s)
docker_host=${GDA_DOCKER_HOST:-unix:///var/run/docker.sock}
# the recording run sees none of the environment's settings of the service (an etcd, TLS files, a token, Spring's
# own SPRING_* and config files, JVM options): only its flags and the application.properties inside the jar
unset_gda=(-u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS)
while read -r v; do unset_gda+=(-u "$v"); done < <(env | sed -n 's/^\(GDA_[A-Za-z0-9_]*\|SPRING_[A-Za-z0-9_]*\)=.*/\1/p')
only_own_settings=(--spring.config.location=classpath:/application.properties --gda.auth.enabled=true)
# a recording process that outlives this script (killed with SIGKILL, so no trap runs) ends on its own within minutes
bounded=(timeout --kill-after=120 300) # after a TERM the JVM still assembles the cache (tens of seconds)

free_port() { # a loopback port nothing listens on, and the one after it
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}

# A real start up to its first served call; 0 when the archive was written.
record_start() {
  [ "${GDA_ARCHIVE_FULL_START:-1}" != 0 ] || return 1
  command -v etcd >/dev/null || { echo "class-archive: no etcd binary: recording without a start" >&2; return 1; }
  case "$docker_host" in
    unix://*) [ -S "${docker_host#unix://}" ] && [ -w "${docker_host#unix://}" ] \
                || { echo "class-archive: no Docker engine this user may reach at $docker_host: recording without a start" >&2; return 1; } ;;
    *) echo "class-archive: $docker_host is no local socket: recording without a start" >&2; return 1 ;;
  esac
  # a socket systemd holds for a stopped engine would start it (and its restart=always containers) for a build
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker.socket 2>/dev/null && ! systemctl is-active --quiet docker.service 2>/dev/null; then
    echo "class-archive: the Docker engine is stopped (only its socket listens): recording without a start" >&2; return 1
  fi
  local port web token
  port=$(free_port) || return 1
  web=$(free_port) || return 1
  # a token of this run alone, in a file only this user reads: not on a command line, not one anybody knows
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077; printf '%s\n' "$token" > "$scratch/token")
  "${bounded[@]}" etcd --name class-archive --data-dir "$scratch/etcd" --listen-client-urls "http://127.0.0.1:$port" \
    --advertise-client-urls "http://127.0.0.1:$port" --listen-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" --initial-cluster "class-archive=http://127.0.0.1:$((port + 1))" \
    > "$scratch/etcd.log" 2>&1 &
  etcd_pid=$!
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.25; done
  mkdir -p "$scratch/state"
  env "${unset_gda[@]}" GDA_STATE_DIR="$scratch/state" "${bounded[@]}" "$java" "${record[@]/#/-XX:}" "${GDA_JVM_OPTIONS[@]}" -jar "$(app_jar)" \
    -a "127.0.0.1:$web" -e "http://127.0.0.1:$port" -p 61000-61009 --ssh-addr 127.0.0.1:0 --gda.docker.host="$docker_host" \
    --gda.gpu.nvidia-smi=/bin/false --admin-token-file "$scratch/token" --gda.etcd.prefix="/class-archive-$(date +%s%N)" \
    "${only_own_settings[@]}" > "$scratch/record.log" 2>&1 &
  service_pid=$!
  local deadline=$((SECONDS + 120)) # up to 2 minutes on a busy machine
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$service_pid" 2>/dev/null || break
    if grep -q "Started GpuDockerApiApplication" "$scratch/record.log" 2>/dev/null && served "$web" "$token"; then
      kill "$service_pid"; wait "$service_pid" || true; service_pid=
      kill "$etcd_pid"; wait "$etcd_pid" 2>/dev/null || true; etcd_pid=
      [ -s "$GDA_APP_DIR/$archive" ] && return 0
      break
    fi
    sleep 0.5
  done
  echo "class-archive: the recording start did not serve; recording without a start. Last lines:" >&2
  grep -v '\[aot\]\|\[cds\]' "$scratch/record.log" | tail -5 >&2
  [ -z "$service_pid" ] || { kill -9 "$service_pid" 2>/dev/null; wait "$service_pid" 2>/dev/null || true; service_pid=; }
  [ -z "$etcd_pid" ] || { kill "$etcd_pid" 2>/dev/null; wait "$etcd_pid" 2>/dev/null || true; etcd_pid=; }
  rm -f "$GDA_APP_DIR/$archive"
  return 1
}

served() { # port token: one call the way a client makes it (HTTP/1.1 over bash's /dev/tcp: no curl needed)
  local reply
  reply=$(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /api/v1/replicaSet HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' "$2" >&3 \
    && timeout 10 cat <&3) 2>/dev/null || return 1
  [[ "$reply" == "HTTP/1.1 200"* ]]
}

# The context alone: nothing here is reached, the flags only have to make a valid context.
record_refresh() {
  mkdir -p "$scratch/refresh"
  env "${unset_gda[@]}" GDA_STATE_DIR="$scratch/refresh" "${bounded[@]}" "$java" "${record[@]/#/-XX:}" "${GDA_JVM_OPTIONS[@]}" -Dspring.context.exit=onRefresh \
      -jar "$(app_jar)" -a 127.0.0.1:2378 -e 127.0.0.1:2379 --gda.docker.host=unix://"$scratch"/docker.sock \
      --gda.gpu.nvidia-smi=/bin/false --gda.auth.admin-token=class-archive-recording-only "${only_own_settings[@]}" > "$scratch/record.log" 2>&1 \
    && [ -s "$GDA_APP_DIR/$archive" ]
}

# the archive holds the class path as given, so it is recorded with the one scripts/java-runtime.sh starts with
if record_start; then
  how="from a start up to its first served call"
elif record_refresh; then
  how="from the application context alone"
else
  # a recording that fails leaves the service runnable: run.sh starts without an archive
  echo "class-archive: recording failed; the service starts without an archive. Last lines:" >&2
  grep -v '\[aot\]\|\[cds\]' "$scratch/record.log" | tail -20 >&2
  rm -f "$GDA_APP_DIR/$archive"
  exit 0
fi
echo "$java" > "$GDA_APP_DIR/java"
echo "class-archive: $GDA_APP_DIR/$archive ($(du -h "$GDA_APP_DIR/$archive" | cut -f1), Java $feature, recorded $how in $(( $(date +%s) - started )) s)"
