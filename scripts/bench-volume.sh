#!/usr/bin/env bash
# `make bench-volume`: how fast a volume resize copies its data, against `cp -a` of the same data in the
# same run. Builds a 2 GiB volume of mixed file sizes (many small, some medium, a few large, one sparse)
# through the service's HTTP API, then alternates `cp -a` of the volume's data and a resize
# (PATCH /api/v1/volumes/{name}/size), and appends the figures to docs/benchmarks.md.
#
# Needs root on the Docker host and a Docker engine (DOCKER_HOST, default: the test rig of
# scripts/test-env.sh) and etcd (GDA_ETCD_ENDPOINTS). Runs its own instance of the service on a private
# etcd prefix and port, and removes the volume, the copies and the service when it ends.
# Settings: GDA_BENCH_REPS (4), GDA_BENCH_PORT (43990), GDA_BENCH_DROP_CACHES=1 to start every copy cold.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "bench-volume needs root: it reads and writes Docker's volume directories" >&2
  exit 1
fi
if [ -f "${GDA_TEST_DIR:-/tmp/gda-test}/env" ]; then
  # shellcheck disable=SC1091
  source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
fi
export DOCKER_HOST=${DOCKER_HOST:-${GDA_DOCKER_HOST:-unix:///var/run/docker.sock}}
ETCD=${GDA_ETCD_ENDPOINTS:-http://127.0.0.1:2379}
REPS=${GDA_BENCH_REPS:-4}
PORT=${GDA_BENCH_PORT:-43990}
PREFIX=/gda-bench-volume
API=http://127.0.0.1:$PORT/api/v1
VOL=bench$(date +%s)
JAR=target/gpu-docker-api.jar
WORK=$(mktemp -d /tmp/gda-bench-volume.XXXXXX)
SERVICE_PID=
CP_DIR=

log() { echo "bench-volume: $*" >&2; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }

cleanup() {
  set +e
  [ -n "$CP_DIR" ] && rm -rf "$CP_DIR"
  if [ -n "$SERVICE_PID" ]; then
    curl -s -X DELETE "$API/volumes/$VOL" >/dev/null
    kill "$SERVICE_PID" 2>/dev/null
    wait "$SERVICE_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

api() { # method path [json] -> prints data, fails on a non-200 envelope
  local out
  out=$(curl -s -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$API$2")
  if [ "$(jq -r .code <<<"$out")" != 200 ]; then log "$1 $2 failed: $out"; exit 1; fi
  jq -c .data <<<"$out"
}

if [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  log "building $JAR"
  mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package
fi

log "starting the service on port $PORT (etcd prefix $PREFIX, Docker $DOCKER_HOST)"
GDA_DOCKER_HOST=$DOCKER_HOST GDA_ETCD_ENDPOINTS=$ETCD GDA_ETCD_PREFIX=$PREFIX GDA_PORTS_RANGE=43950-43989 \
  java -jar "$JAR" --no-auth --server.address=127.0.0.1 --server.port="$PORT" > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 120); do curl -s "$API/ping" >/dev/null 2>&1 && break; sleep 0.5; done
curl -s "$API/ping" >/dev/null || { log "the service did not start:"; tail -20 "$WORK/service.log" >&2; exit 1; }

api POST /volumes "{\"name\":\"$VOL\",\"size\":\"3GB\"}" >/dev/null
mp() { docker volume inspect -f '{{.Mountpoint}}' "$1"; }
SRC=$(mp "$VOL-1")

log "writing 2 GiB of mixed files into $VOL-1"
mkdir -p "$SRC"/{small4k,small32k,medium2m,medium8m,large,sparse}
head -c 64M /dev/urandom | split -b 4K -a 5 - "$SRC/small4k/f"       # 16384 files
head -c 192M /dev/urandom | split -b 32K -a 4 - "$SRC/small32k/f"    # 6144 files
head -c 512M /dev/urandom | split -b 2M -a 3 - "$SRC/medium2m/f"     # 256 files
head -c 256M /dev/urandom | split -b 8M -a 2 - "$SRC/medium8m/f"     # 32 files
for i in 1 2 3; do head -c 320M /dev/urandom > "$SRC/large/f$i"; done # 960 MiB
truncate -s 4G "$SRC/sparse/disk.img"                               # 4 GiB long, 64 MiB written
for off in 0 1024 2048 3072; do
  dd if=/dev/urandom of="$SRC/sparse/disk.img" bs=1M count=16 seek=$off conv=notrunc status=none
done
chown -R 1234:1234 "$SRC/small4k"
sync
FILES=$(find "$SRC" -type f | wc -l)
USED=$(du -s -B1 "$SRC" | cut -f1)
log "$FILES files, $USED bytes in use"

CP_DIR=$(dirname "$(dirname "$SRC")")/../gda-bench-cp.$$   # same filesystem as the volumes
settle() {
  sync
  if [ "${GDA_BENCH_DROP_CACHES:-0}" = 1 ]; then echo 3 > /proc/sys/vm/drop_caches; fi
}
time_cp() { # extra cp options...
  rm -rf "$CP_DIR"; mkdir -p "$CP_DIR"; settle
  local src t0 t1; src=$(mp "$(jq -r .dockerName <<<"$(api GET "/volumes/$VOL")")")
  t0=$(now); cp -a "$@" -T "$src" "$CP_DIR"; sync; t1=$(now)
  secs "$t0" "$t1"; rm -rf "$CP_DIR"; sync
}
time_resize() { # size -> "wall_seconds copy_ms"
  settle
  local t0 t1 data; t0=$(now); data=$(api PATCH "/volumes/$VOL/size" "{\"size\":\"$1\"}"); sync; t1=$(now)
  echo "$(secs "$t0" "$t1") $(echo "scale=3; $(jq -r .copyMillis <<<"$data") / 1000" | bc)"
  # the superseded version is removed by the service's work queue; wait so it does not overlap the next run
  for _ in $(seq 1 60); do docker volume inspect "$(jq -r .previous <<<"$data")" >/dev/null 2>&1 || break; sleep 0.5; done
}

ROWS=()
CP_SUM=0; RESIZE_SUM=0
for rep in $(seq 1 "$REPS"); do
  size="$((3 + rep))GB"
  if [ $((rep % 2)) = 1 ]; then
    c=$(time_cp); r=$(time_resize "$size")
  else
    r=$(time_resize "$size"); c=$(time_cp)
  fi
  wall=${r%% *}; copy=${r##* }
  ratio=$(printf '%.2f' "$(echo "scale=3; $wall / $c" | bc)")
  log "rep $rep: cp -a ${c}s, resize ${wall}s (copy ${copy}s), ratio $ratio"
  ROWS+=("| $rep | $(printf '%.2f' "$c") | $(printf '%.2f' "$wall") | $(printf '%.2f' "$copy") | $ratio |")
  CP_SUM=$(echo "$CP_SUM + $c" | bc); RESIZE_SUM=$(echo "$RESIZE_SUM + $wall" | bc)
done
ALWAYS=$(time_cp --sparse=always)
log "cp -a --sparse=always: ${ALWAYS}s"
MEAN_RATIO=$(printf '%.2f' "$(echo "scale=3; $RESIZE_SUM / $CP_SUM" | bc)")

ROOT=$(docker info -f '{{.DockerRootDir}}')
FS=$(df -T "$ROOT" | awk 'NR==2 {print $2 " on " $1}')
MEM=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')
OUT=docs/benchmarks.md
mkdir -p docs
[ -f "$OUT" ] || printf '# Benchmarks\n\nFigures written by the scripts under scripts/; each run appends its own section.\n' > "$OUT"
grep -q '^## Volume resize copy' "$OUT" || cat >> "$OUT" <<'HEAD'

## Volume resize copy

`scripts/bench-volume.sh` (`make bench-volume`) fills a volume with 2 GiB of mixed files, then alternates
`cp -a` of the volume's data into a directory on the same filesystem and a resize through the HTTP API
(`PATCH /api/v1/volumes/{name}/size`), which measures the bytes in use, creates the next version and copies
the data. Both timings run until the data is on disk (`sync` is inside the timed span), so page-cache
luck does not decide the result. "resize" is the whole HTTP call plus that `sync`; "copy step" is the copy
alone as the service reports it (`copyMillis`, before the flush). The ratio is resize / `cp -a`
(goal: at most 1.2); the mean ratio is total resize time / total `cp -a` time.
HEAD
{
  echo
  echo "### $(date -u +%Y-%m-%d) — $(nproc) CPUs, $MEM memory, $FS, kernel $(uname -r)"
  echo
  echo "Data: $FILES files, $USED bytes in use (16384 × 4 KiB, 6144 × 32 KiB, 256 × 2 MiB, 32 × 8 MiB, 3 × 320 MiB,"
  echo "one 4 GiB sparse file with 64 MiB written). $(cp --version | head -1). Docker root: $ROOT."
  echo "Caches: $([ "${GDA_BENCH_DROP_CACHES:-0}" = 1 ] && echo dropped before every copy || echo warm)."
  echo
  echo "| rep | cp -a (s) | resize via API (s) | copy step (s) | ratio |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Mean ratio over $REPS repetitions: **$MEAN_RATIO**. For comparison, \`cp -a --sparse=always\` of the same data: $(printf '%.2f' "$ALWAYS") s."
} >> "$OUT"
log "appended to $OUT: mean ratio $MEAN_RATIO"
