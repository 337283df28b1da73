#!/usr/bin/env bash
# `make bench-update` / `make bench-volume` (second part): does the cost of a copy follow the size of the
# data (byte copy) or not (reflinks)? Measures, in one run, on the machine's own filesystem and on an XFS
# data root with reflinks (scripts/test-env.sh, GDA_TEST_DATA_FS=xfs), each on a rig of its own:
#   update: PATCH {} of a replicaset with 10 MiB, 1 GiB and 4 GiB of its own changes on the system disk;
#   volume: a resize of a volume holding 10 MiB and 2 GiB.
# Goal on XFS: big / small <= 1.2. Appends one section to docs/benchmarks.md.
# Settings: GDA_BENCH_REPS (3), GDA_BENCH_LARGE_GIB (4; lower it where the disk is small),
# GDA_BENCH_FILESYSTEMS ("host xfs").
set -euo pipefail
cd "$(dirname "$0")/.."
KIND=${1:?usage: $0 update|volume}
case "$KIND" in update|volume) ;; *) echo "usage: $0 update|volume" >&2; exit 2 ;; esac
if [ "$(id -u)" != 0 ]; then echo "bench-copy needs root: it starts dockerd rigs and loop-mounts XFS" >&2; exit 1; fi
REPS=${GDA_BENCH_REPS:-3}
LARGE_GIB=${GDA_BENCH_LARGE_GIB:-4}
FILESYSTEMS=${GDA_BENCH_FILESYSTEMS:-host xfs}
PORT=${GDA_BENCH_PORT:-48990}
API=http://127.0.0.1:$PORT/api/v1
JAR=target/gpu-docker-api.jar
OUT=docs/benchmarks.md
WORK=$(mktemp -d /tmp/gda-bench-copy.XXXXXX)
SERVICE_PID=
RIG=

log() { echo "bench-copy: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

stop_service() {
  [ -n "$SERVICE_PID" ] || return 0
  kill "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=
}
rig_env() { # fs -> exports for its own rig
  local fs=$1 n; n=$([ "$fs" = xfs ] && echo 2 || echo 1)
  export GDA_TEST_DIR=/tmp/gda-bench-$fs GDA_TEST_BRIDGE=gdabench$n GDA_TEST_BRIDGE_CIDR=10.219.$((n + 1)).1/24
  export GDA_TEST_ETCD_PORT=$((29810 + n * 20)) GDA_TEST_DATA_FS=$([ "$fs" = xfs ] && echo xfs || echo "")
}
rig_down() { [ -n "$RIG" ] || return 0; rig_env "$RIG"; scripts/test-env.sh down || true; RIG=; }
cleanup() { set +e; stop_service; rig_down; rm -rf "$WORK"; }
trap cleanup EXIT

api() { # method path [json] -> data; fails on a non-200 envelope
  local out
  out=$(curl -s -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$API$2")
  if [ "$(jq -r .code <<<"$out")" != 200 ]; then log "$1 $2 failed: $out"; exit 1; fi
  jq -c .data <<<"$out"
}

if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  log "building $JAR"
  mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package
fi

start_rig_and_service() { # fs
  rig_env "$1"; RIG=$1
  scripts/test-env.sh up
  # shellcheck disable=SC1091
  source "$GDA_TEST_DIR/env"
  export DOCKER_HOST=$GDA_DOCKER_HOST
  java -jar "$JAR" --no-auth -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p 48900-48949 \
    --gda.etcd.prefix=/gda-bench-copy --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
    --gda.docker.stop-timeout=1s --gda.docker.exec-timeout=900s --gda.history.keep=2 --gda.state-dir="$WORK/state" > "$WORK/service-$1.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 120); do curl -s "http://127.0.0.1:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -s "http://127.0.0.1:$PORT/ping" >/dev/null || { log "the service did not start:"; tail -20 "$WORK/service-$1.log" >&2; exit 1; }
}

# The data is on disk before every timed call (a clone of dirty data waits for its writeback first), and
# the pruner or janitor has finished with the superseded version, so no run pays for the one before.
settle() {
  for _ in $(seq 1 120); do
    [ "$(docker ps -aq --filter label=io.gpudocker.replicaset=benchcopy | wc -l)" -le 2 ] && break; sleep 0.5
  done
  sync; sleep 1; sync
}

patch_runs() { # replicaset -> "seconds seconds ..." and the copy methods seen
  local t=() methods=() a data
  for _ in $(seq 1 "$REPS"); do
    settle
    a=$(now); data=$(api PATCH "/replicaSet/$1" '{}'); t+=("$(elapsed "$a" "$(now)")")
    methods+=("$(jq -r '.copy.method' <<<"$data")")
  done
  echo "${t[*]}|$(printf '%s\n' "${methods[@]}" | sort -u | paste -sd/)"
}

grow_system_disk() { # replicaset total_mib: tops its own changes up to that size
  api POST "/replicaSet/$1/execute" "{\"cmd\":[\"sh\",\"-c\",\"n=\$(ls /root | wc -l); dd if=/dev/urandom of=/root/chunk\$n bs=1048576 count=$2 2>/dev/null; sync\"]}" >/dev/null
}

bench_update() { # fs -> rows "case|runs|median|method"
  api POST /replicaSet '{"imageName":"gda-test:latest","replicaSetName":"benchcopy","gpuCount":0,"cmd":["sleep","1000000"],"containerPorts":[]}' >/dev/null
  local have=0 mib label r
  for mib in 10 1024 $((LARGE_GIB * 1024)); do
    grow_system_disk benchcopy $((mib - have)); have=$mib
    label=$([ "$mib" -ge 1024 ] && echo "$((mib / 1024)) GiB" || echo "$mib MiB")
    log "$1: PATCH with $label of own changes ($REPS runs)"
    r=$(patch_runs benchcopy)
    echo "$label|${r%%|*}|$(echo "${r%%|*}" | median)|${r##*|}"
  done
  api DELETE /replicaSet/benchcopy >/dev/null
}

resize_runs() { # volume first_size_gb -> "seconds ..." and methods
  local t=() methods=() a data size=$2
  for _ in $(seq 1 "$REPS"); do
    settle
    size=$((size + 1))
    a=$(now); data=$(api PATCH "/volumes/$1/size" "{\"size\":\"${size}GB\"}"); t+=("$(elapsed "$a" "$(now)")")
    methods+=("$(jq -r .copyMethod <<<"$data")")
    for _ in $(seq 1 60); do docker volume inspect "$(jq -r .previous <<<"$data")" >/dev/null 2>&1 || break; sleep 0.5; done
  done
  echo "${t[*]}|$(printf '%s\n' "${methods[@]}" | sort -u | paste -sd/)|$size"
}

bench_volume() { # fs -> rows
  api POST /volumes '{"name":"benchcopy","size":"3GB"}' >/dev/null
  local mp r size=3
  mp=$(docker volume inspect -f '{{.Mountpoint}}' "$(api GET /volumes/benchcopy | jq -r .dockerName)")
  head -c 10M /dev/urandom > "$mp/small"
  log "$1: resize with 10 MiB ($REPS runs)"
  r=$(resize_runs benchcopy $size); size=${r##*|}; r=${r%|*}
  echo "10 MiB|${r%%|*}|$(echo "${r%%|*}" | median)|${r##*|}"
  mp=$(docker volume inspect -f '{{.Mountpoint}}' "$(api GET /volumes/benchcopy | jq -r .dockerName)")
  for i in 1 2 3 4 5 6 7 8; do head -c 256M /dev/urandom > "$mp/large$i"; done
  log "$1: resize with 2 GiB ($REPS runs)"
  r=$(resize_runs benchcopy $size); r=${r%|*}
  echo "2 GiB|${r%%|*}|$(echo "${r%%|*}" | median)|${r##*|}"
  api DELETE /volumes/benchcopy >/dev/null
}

declare -A ROWS FSNAME
for fs in $FILESYSTEMS; do
  start_rig_and_service "$fs"
  FSNAME[$fs]="$(findmnt -n -o FSTYPE -T "$GDA_TEST_DIR/docker")"
  [ "$fs" = xfs ] && FSNAME[$fs]="xfs (loop image, reflink=1)"
  ROWS[$fs]=$(bench_$KIND "$fs")
  stop_service
  rig_down
done

row() { sed -n "$2p" <<<"${ROWS[$1]}"; }
col() { cut -d'|' -f"$2" <<<"$1"; }
set -- $FILESYSTEMS
first=$1
{
  echo
  echo "## Copy cost by data size ($KIND) — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`scripts/bench-copy.sh $KIND\` (part of \`make bench-$KIND\`). Machine: $(nproc) cores,"
  echo "$(free -g | awk '/Mem:/ { print $2 }') GiB RAM, kernel $(uname -r), $(cp --version | head -1), dockerd $(dockerd --version | awk '{print $3}' | tr -d ,)."
  echo "Each rig is a dockerd of its own; every timed call starts with the data on disk. Seconds per call, median of $REPS."
  echo
  header="| case |"; sep="|---|"
  for fs in $FILESYSTEMS; do header+=" ${FSNAME[$fs]}: runs | median | method |"; sep+="---|---|---|"; done
  echo "$header"; echo "$sep"
  n=$(wc -l <<<"${ROWS[$first]}")
  for i in $(seq 1 "$n"); do
    line="| $(col "$(row "$first" "$i")" 1) |"
    for fs in $FILESYSTEMS; do r=$(row "$fs" "$i"); line+=" $(col "$r" 2) | $(col "$r" 3) | $(col "$r" 4) |"; done
    echo "$line"
  done
  echo
  for i in $(seq 2 "$n"); do
    line="Ratio $(col "$(row "$first" "$i")" 1) / $(col "$(row "$first" 1)" 1):"
    for fs in $FILESYSTEMS; do
      line+=" ${FSNAME[$fs]} **$(ratio "$(col "$(row "$fs" "$i")" 3)" "$(col "$(row "$fs" 1)" 3)")**;"
    done
    echo "${line%;} (goal on XFS: <= 1.2)."
  done
} | tee -a "$OUT"
log "appended to $OUT"
