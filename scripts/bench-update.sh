#!/usr/bin/env bash
# Benchmark of versioned updates (PATCH /replicaSet/{name}), written to docs/benchmarks.md.
#  1. patch time for a container whose image has a 1 GiB layer vs a tiny image, both with the same
#     10 MiB of the container's own changes: the cost must follow the changes, not the image (goal <= 1.2);
#  2. patch time with 1 GiB of the container's own changes vs the same steps by hand
#     (docker stop, docker create, cp -a of the upper dir, docker start) (goal <= 1.3).
# Runs against the test rig (scripts/test-env.sh) and a service started here on its own etcd prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-5}
BIG_REPS=${BIG_REPS:-3}
PORT=${BENCH_HTTP_PORT:-2397}
PREFIX=/gpu-docker-api-bench
OUT=docs/benchmarks.md

scripts/test-env.sh up
source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
export DOCKER_HOST=$GDA_DOCKER_HOST
[ -f target/gpu-docker-api.jar ] || mvn -B -q -DskipTests package

work=$(mktemp -d)
svc_pid=
cleanup() {
  for rs in benchtiny benchbig benchlarge; do curl -s -X DELETE "http://127.0.0.1:$PORT/api/v1/replicaSet/$rs" >/dev/null 2>&1 || true; done
  [ -n "$svc_pid" ] && kill "$svc_pid" 2>/dev/null || true
  docker rm -f benchhand-1 benchhand-2 benchhand-3 benchhand-4 >/dev/null 2>&1 || true
  docker rmi -f gda-bench-big:latest >/dev/null 2>&1 || true
  ETCDCTL_API=3 etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" del --prefix "$PREFIX/" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
api() { curl -sf -H 'Content-Type: application/json' -X "$1" "http://127.0.0.1:$PORT/api/v1$2" ${3:+-d "$3"}; }
run_in() { api POST "/replicaSet/$1/execute" "{\"cmd\":[\"sh\",\"-c\",\"$2\"]}" >/dev/null; }

echo "building an image with a 1 GiB layer"
mkdir -p "$work/rootfs"
docker save gda-test:latest | tar -x -O --wildcards '*/layer.tar' | tar -x -C "$work/rootfs"
head -c 1073741824 /dev/urandom > "$work/rootfs/opt/big.bin"
tar -C "$work/rootfs" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - gda-bench-big:latest >/dev/null
rm -rf "$work/rootfs"

java -jar target/gpu-docker-api.jar --no-auth -a "127.0.0.1:$PORT" -e "$GDA_ETCD_ENDPOINTS" -p 48000-48999 \
  --gda.etcd.prefix=$PREFIX --gda.docker.host="$GDA_DOCKER_HOST" --gda.gpu.nvidia-smi="$GDA_GPU_NVIDIA_SMI" \
  --gda.docker.stop-timeout=1s --gda.history.keep=2 > "$work/service.log" 2>&1 &
svc_pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/ping" >/dev/null 2>&1 && break; sleep 0.5; done

create() { api POST /replicaSet "{\"imageName\":\"$2\",\"replicaSetName\":\"$1\",\"gpuCount\":1,\"cmd\":[\"sleep\",\"1000000\"],\"containerPorts\":[\"22\"]}" >/dev/null; }
patch_times() { # name reps -> seconds per patch
  local t=()
  for _ in $(seq 1 "$2"); do
    local a; a=$(now); api PATCH "/replicaSet/$1" '{}' >/dev/null; t+=("$(elapsed "$a" "$(now)")")
  done
  echo "${t[*]}"
}

echo "1. 10 MiB of changes on a tiny image vs on an image with a 1 GiB layer ($REPS patches each)"
create benchtiny gda-test:latest
create benchbig gda-bench-big:latest
run_in benchtiny "head -c 10485760 /dev/urandom > /root/changes"
run_in benchbig "head -c 10485760 /dev/urandom > /root/changes"
tiny=$(patch_times benchtiny "$REPS")
big=$(patch_times benchbig "$REPS")
tiny_med=$(echo "$tiny" | median)
big_med=$(echo "$big" | median)
ratio1=$(awk -v a="$big_med" -v b="$tiny_med" 'BEGIN { printf "%.2f", a / b }')

echo "2. 1 GiB of the container's own changes: service patch vs the same steps by hand ($BIG_REPS each)"
create benchlarge gda-test:latest
run_in benchlarge "head -c 1073741824 /dev/urandom > /root/large.bin"
docker create --name benchhand-1 -it gda-test:latest sleep 1000000 >/dev/null
docker start benchhand-1 >/dev/null
docker exec benchhand-1 sh -c 'head -c 1073741824 /dev/urandom > /root/large.bin'
# service and by-hand runs alternate, each after a sync, so neither pays for the other's dirty pages
svc_runs=()
hand=()
for i in $(seq 1 "$BIG_REPS"); do
  sync
  svc_runs+=("$(patch_times benchlarge 1)")
  sync
  a=$(now)
  docker stop -t 1 "benchhand-$i" >/dev/null
  docker create --name "benchhand-$((i + 1))" -it -e CONTAINER_VERSION=$((i + 1)) gda-test:latest sleep 1000000 >/dev/null
  from=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "benchhand-$i")
  to=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "benchhand-$((i + 1))")
  cp -a -T "$from" "$to"
  docker start "benchhand-$((i + 1))" >/dev/null
  hand+=("$(elapsed "$a" "$(now)")")
  docker rm -f "benchhand-$i" >/dev/null
done
svc="${svc_runs[*]}"
svc_med=$(echo "$svc" | median)
hand_med=$(echo "${hand[*]}" | median)
ratio2=$(awk -v a="$svc_med" -v b="$hand_med" 'BEGIN { printf "%.2f", a / b }')

machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r), Docker data root on $(stat -f -c %T "${GDA_TEST_DIR:-/tmp/gda-test}/docker"), dockerd $(docker version -f '{{.Server.Version}}')"
{
  echo
  echo "## Update (patch) time — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $machine. Command: \`make bench-update\` (scripts/bench-update.sh). Median of the runs, seconds."
  echo
  echo "| case | runs (s) | median (s) | ratio | goal |"
  echo "|---|---|---|---|---|"
  echo "| 10 MiB changes, tiny image | $tiny | $tiny_med | | |"
  echo "| 10 MiB changes, image with a 1 GiB layer | $big | $big_med | $ratio1 (big/tiny) | <= 1.2 |"
  echo "| 1 GiB changes, PATCH through the service | $svc | $svc_med | | |"
  echo "| 1 GiB changes, by hand: docker stop, create, cp -a upper dir, start | ${hand[*]} | $hand_med | $ratio2 (service/hand) | <= 1.3 |"
} >> "$OUT"
echo "ratio image-size independence: $ratio1 (goal <= 1.2); ratio vs by hand: $ratio2 (goal <= 1.3); written to $OUT"
