#!/usr/bin/env bash
# `make bench-startup`: how long the service takes from the java command to its first served call, and what it holds
# while it waits, started the plain way (`java -jar target/gpu-docker-api.jar`, the java on PATH, no options) and the
# way scripts/run.sh starts it (scripts/java-runtime.sh: Java 25 and the AOT cache `make build` records, the memory and
# thread options), the same jar, alternately in one run:
#   1. start to first served call: from the java command to the first 200 of GET /api/v1/replicaSet (an authenticated
#      call that reads etcd), polled every 50 ms, and the CPU the process spent until then (a busy machine stretches it
#      less than the wait); GDA_BENCH_STARTS (3) starts of each, median;
#   2. idle: resident memory (VmRSS) and threads 30 s (GDA_BENCH_IDLE) after the last start of each;
#   3. under load: GDA_BENCH_INSTANCES (as many as updates) instances without GPUs, then GDA_BENCH_UPDATES (200)
#      updates (PATCH {}) sent at once, spread over them; the peak of the process's threads and resident memory sampled every 0.2 s, and,
#      for scripts/run.sh's way, heap and non-heap from Native Memory Tracking at idle and after the load.
#      GDA_BENCH_LOAD=0 skips it. A start that serves nothing within GDA_BENCH_START_LIMIT (600) s fails the run.
# GDA_BENCH_BEFORE replaces the plain start as "before" by another launch command (split on spaces), e.g. an earlier
# build's scripts/java-runtime.sh launch, to weigh a change to the start against the one before it; GDA_BENCH_OUT
# names a file the results are appended to as well.
# The rig is scripts/test-env.sh's (GDA_TEST_DIR and the rest, as for make test). Everything it makes (instances,
# etcd keys under its own prefix, the service) is removed at the end, also when interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
STARTS=${GDA_BENCH_STARTS:-3}
IDLE=${GDA_BENCH_IDLE:-30}
UPDATES=${GDA_BENCH_UPDATES:-200}
# one update per instance: a second update of a name already updating is refused as busy, not queued
INSTANCES=${GDA_BENCH_INSTANCES:-$UPDATES}
LOAD=${GDA_BENCH_LOAD:-1}
PORT=${GDA_BENCH_PORT:-48991}
PORTS=${GDA_BENCH_PORTS:-48900-48949}
BASE=http://127.0.0.1:$PORT
PREFIX=${GDA_BENCH_PREFIX:-/gda-bench-startup}
ADMIN=bench-startup-admin-token-0123456789
WORK=$(mktemp -d /tmp/gda-bench-startup.XXXXXX)
SERVICE_PID=
# shellcheck source=scripts/java-runtime.sh
source scripts/java-runtime.sh

[ -z "${GDA_BENCH_OUT:-}" ] || exec > >(tee -a "$GDA_BENCH_OUT")
log() { echo "bench-startup: $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%d", v[int((NR + 1) / 2)] }'; }
status_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

alive() { [ -n "$SERVICE_PID" ] && [ "$(status_of "$SERVICE_PID" State)" != Z ] && kill -0 "$SERVICE_PID" 2>/dev/null; }

stop_service() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=; fi
}

wipe() { # the prefix's instances and keys
  [ -n "${GDA_ETCD_ENDPOINTS:-}" ] && ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1
  local ids; ids=$(docker ps -aq --filter "label=io.gpudocker.owner=$PREFIX" 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
  return 0
}

cleanup() {
  set +e
  stop_service
  wipe
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$GDA_JAR" ] || { log "no $GDA_JAR: run make build first"; exit 1; }
scripts/test-env.sh up
# shellcheck disable=SC1091
source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
export DOCKER_HOST=$GDA_DOCKER_HOST
# a copy: a build during the run (make test packages the jar again) must not swap the jar under a running JVM
cp "$GDA_JAR" "$WORK/gpu-docker-api.jar"
if [ -n "${GDA_BENCH_BEFORE:-}" ]; then read -r -a PLAIN <<< "$GDA_BENCH_BEFORE"; else PLAIN=(java -jar "$WORK/gpu-docker-api.jar"); fi
launch_command
TUNED=("${GDA_LAUNCH[@]}")
log "before: ${PLAIN[*]}"
log "after:  ${TUNED[*]}"
wipe

start_service() { # label, then the command
  local label=$1; shift
  "$@" -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p "$PORTS" --gda.auth.admin-token=$ADMIN \
    --gda.etcd.prefix=$PREFIX --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
    --gda.state-dir="$WORK/state" --gda.docker.stop-timeout=1s > "$WORK/$label.log" 2>&1 &
  SERVICE_PID=$!
}

first_call() { # [t0: when the java command was given] -> ms from then to the first served call
  local t0=${1:-$(ms)}
  while [ $(( $(ms) - t0 )) -lt $(( ${GDA_BENCH_START_LIMIT:-600} * 1000 )) ]; do
    if curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/replicaSet"; then echo $(( $(ms) - t0 )); return; fi
    alive || break
    sleep 0.05
  done
  log "the service did not serve within ${GDA_BENCH_START_LIMIT:-600} s:"; tail -n 20 "$(ls -t "$WORK"/*.log | head -1)" >&2; exit 1
}

declare -A TIMES CPU RSS THREADS
for i in $(seq 1 "$STARTS"); do
  for mode in before after; do
    if [ $mode = before ]; then cmd=("${PLAIN[@]}"); else cmd=("${TUNED[@]}"); fi
    t0=$(ms)
    start_service "$mode-$i" "${cmd[@]}"
    t=$(first_call "$t0")
    # the CPU the process spent until then (user + system, all its threads): what a busy machine stretches least
    c=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$SERVICE_PID/stat")
    TIMES[$mode]+="$t "; CPU[$mode]+="$c "
    log "$mode start $i: first served call after $t ms, $c ms of CPU (load $(load))"
    if [ "$i" = "$STARTS" ]; then
      sleep "$IDLE"
      RSS[$mode]=$(status_of "$SERVICE_PID" VmRSS); THREADS[$mode]=$(status_of "$SERVICE_PID" Threads)
      log "$mode idle after ${IDLE} s: RSS ${RSS[$mode]} kB, ${THREADS[$mode]} threads (load $(load))"
    fi
    stop_service
  done
done

echo
echo "## start-up and idle ($(date -u +%FT%TZ), $(nproc) cores, load $(load))"
echo "| | start to first served call, median of $STARTS (each) | CPU until then, median (each) | idle RSS after ${IDLE} s | idle threads |"
echo "|---|---|---|---|---|"
for mode in before after; do
  m=$(echo "${TIMES[$mode]}" | tr ' ' '\n' | grep . | median)
  c=$(echo "${CPU[$mode]}" | tr ' ' '\n' | grep . | median)
  echo "| $mode | $m ms ($(echo "${TIMES[$mode]}" | xargs | tr ' ' ',') ms) | $c ms ($(echo "${CPU[$mode]}" | xargs | tr ' ' ',') ms) | $(( ${RSS[$mode]} / 1024 )) MB | ${THREADS[$mode]} |"
done

[ "$LOAD" = 1 ] || exit 0

api() { curl -s -X "$1" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' ${3:+-d "$3"} "$BASE/api/v1$2"; }
nmt() { # label: heap and the total committed, from Native Memory Tracking
  local jcmd; jcmd="$(dirname "$(readlink -f "${TUNED[0]}")")/jcmd"
  [ -x "$jcmd" ] || return 0
  "$jcmd" "$SERVICE_PID" VM.native_memory summary scale=MB > "$WORK/nmt-$1.txt" 2>&1 || return 0
  echo "  NMT $1: $(grep -E '^Total:|^-  *(Java Heap|Class|Thread|Code|GC|Other|Metaspace)' "$WORK/nmt-$1.txt" \
    | sed -E 's/^- +//; s/reserved=[0-9]+MB, //; s/ +\(/ (/' | tr -s ' ' | paste -sd ';' -)"
}

under_load() { # mode
  local mode=$1 cmd i sampler peak_t peak_r t0 done_ok
  if [ "$mode" = before ]; then cmd=("${PLAIN[@]}"); else cmd=("${TUNED[0]}" -XX:NativeMemoryTracking=summary "${TUNED[@]:1}"); fi
  wipe
  start_service "$mode-load" "${cmd[@]}"
  first_call >/dev/null
  for i in $(seq 1 "$INSTANCES"); do
    api POST /replicaSet "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"benchstart$i\",\"gpuCount\":0,\"cmd\":[\"sleep\",\"2147483647\"]}" \
      | grep -q '"code":200' || { log "create benchstart$i failed"; tail -5 "$WORK/$mode-load.log" >&2; exit 1; }
  done
  sleep 5
  echo "$mode: idle with $INSTANCES instances: RSS $(( $(status_of "$SERVICE_PID" VmRSS) / 1024 )) MB, $(status_of "$SERVICE_PID" Threads) threads"
  [ "$mode" = after ] && nmt idle
  ( peak_t=0; peak_r=0
    while alive; do
      t=$(status_of "$SERVICE_PID" Threads); r=$(status_of "$SERVICE_PID" VmRSS)
      [ "${t:-0}" -gt $peak_t ] && peak_t=$t; [ "${r:-0}" -gt $peak_r ] && peak_r=$r
      echo "$peak_t $peak_r" > "$WORK/peak"; sleep 0.2
    done ) &
  sampler=$!
  t0=$(ms)
  for i in $(seq 1 "$UPDATES"); do
    ( a=$(api PATCH "/replicaSet/benchstart$(( (i - 1) % INSTANCES + 1 ))" '{}' || true)
      if echo "$a" | grep -q '"code":200'; then echo ok >> "$WORK/$mode-ok"; else echo "$i ${a:-no answer}" | cut -c1-300 >> "$WORK/$mode-failed"; fi ) &
  done
  wait $(jobs -p | grep -vx "$sampler\|$SERVICE_PID") 2>/dev/null || true
  local took=$(( $(ms) - t0 ))
  sleep 0.5; kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  read -r peak_t peak_r < "$WORK/peak"
  done_ok=$(wc -l < "$WORK/$mode-ok" 2>/dev/null || echo 0)
  echo "$mode: $UPDATES updates at once over $INSTANCES instances: $done_ok succeeded in $took ms; peak $peak_t threads, peak RSS $(( peak_r / 1024 )) MB (load $(load))"
  if [ -s "$WORK/$mode-failed" ]; then # why: each distinct answer of a failed update, with how many gave it
    echo "$mode: failed updates' answers:"; cut -d' ' -f2- "$WORK/$mode-failed" | sed 's/"traceId":"[^"]*"//' | sort | uniq -c | sort -rn | head -5
  fi
  [ "$mode" = after ] && nmt "after-load"
  stop_service
  wipe
}
echo
echo "## $UPDATES concurrent updates"
under_load before
under_load after
