#!/usr/bin/env bash
# Benchmark of reads, written to docs/benchmarks.md (section "Reads"): two nodes on one etcd prefix (node a on the
# rig's Docker engine, node b on its second engine, as ClusterIT starts them), one instance on a.
#  1. GET /replicaSet/{name} through the owner a and through b, which forwards it (N interleaved calls of each after
#     W warm-up calls); goal: ratio of medians b/a <= 1.1. Beside them, the floor of any relay: nginx passing the call
#     on to a, and of the service's own stack: Tomcat and the same HTTP client relaying it, nothing else
#     (scripts/floors/BareRelay.java). W=20 measures nodes fresh from a start; W=2000 nodes whose JIT has compiled the read's path.
#  2. GET /replicaSet on a with 10 and with 1,000 instances: the extra records are written straight into etcd, copies
#     of the real instance's record and version in the service's format, on a node "ghost" no process acts for (so no
#     reconcile touches them); L calls each after LW warm-up calls (default W); goal: median <= 100 ms and 1,000 vs 10 <= 2x.
#     The same list asked with the ETag of its last answer (If-None-Match, a 304) is measured beside it.
# Uses the rig when it is up (scripts/test-env.sh), else brings it up and takes it down again afterwards. Everything
# it makes (processes, the instance, its etcd prefix, the temporary directory) is removed on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
L=${L:-50}
W=${W:-20}
LW=${LW:-$W} # the lists' warm-up calls
PORT_A=${GDA_BENCH_PORT:-2402}
PORT_B=$((PORT_A + 1))
HOST_PORTS_A=${GDA_BENCH_HOST_PORTS_A:-48200-48249}
HOST_PORTS_B=${GDA_BENCH_HOST_PORTS_B:-48250-48299}
PREFIX=${GDA_BENCH_PREFIX:-/gpu-docker-api-bench-reads}
OUT=${GDA_BENCH_OUT:-docs/benchmarks.md}
RS=benchreads
JAR=${GDA_BENCH_JAR:-target/gpu-docker-api.jar} # another build (the one before a change) to compare
# GDA_BENCH_JAVA_OPTS: JVM options of both nodes (a flight recording, say); GDA_BENCH_LOGS: a directory the nodes' logs
# are copied to at the end
DIR=${GDA_TEST_DIR:-/tmp/gda-test}
export ETCDCTL_API=3

rig_was_up=0
[ -f "$DIR/env" ] && rig_was_up=1
scripts/test-env.sh up
# shellcheck disable=SC1091
source "$DIR/env"
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d)
token=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
pid_a=
pid_b=
pid_r=
pid_t=
etcd() { etcdctl --endpoints "$GDA_ETCD_ENDPOINTS" "$@"; }
cleanup() {
  curl -s -X DELETE -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT_A/api/v1/replicaSet/$RS" >/dev/null 2>&1 || true
  for pid in $pid_t $pid_r $pid_b $pid_a; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  etcd del --prefix "$PREFIX/" >/dev/null 2>&1 || true
  [ -z "${GDA_BENCH_LOGS:-}" ] || { mkdir -p "$GDA_BENCH_LOGS" && cp "$work"/node-*.log "$GDA_BENCH_LOGS"/ 2>/dev/null; } || true
  rm -rf "$work"
  [ "$rig_was_up" = 1 ] || scripts/test-env.sh down
}
trap cleanup EXIT
etcd del --prefix "$PREFIX/" >/dev/null # what an interrupted earlier run may have left

# node name, HTTP port, host port range, Docker host, nvidia-smi
start_node() {
  # shellcheck disable=SC2086 # the options are words: GDA_BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/r-%p.jfr"
  java ${GDA_BENCH_JAVA_OPTS:-} -jar "$JAR" -a "127.0.0.1:$2" -e "$GDA_ETCD_ENDPOINTS" -p "$3" --gda.etcd.prefix="$PREFIX" \
    --gda.docker.host="$4" --gda.gpu.nvidia-smi="$5" --gda.auth.admin-token="$token" --gda.state-dir="$work/$1" \
    --gda.docker.stop-timeout=1s --node-name "$1" --advertise "http://127.0.0.1:$2" \
    --gda.node.lease-ttl=4s --gda.reconcile.period=3s --no-ssh > "$work/node-$1.log" 2>&1 &
}

await_up() { # port pid
  for _ in $(seq 1 360); do
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/v1/whoami" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "the node on port $1 exited; its log:" >&2; cat "$work"/node-*.log >&2; exit 1; }
    sleep 0.5
  done
  echo "the node on port $1 did not come up" >&2; exit 1
}

# one call's seconds (curl's time_total); fails on anything but the status expected (200 unless given)
call() { # port method path [body] [if-none-match] [status]
  local out
  out=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code} %{time_total}' -X "$2" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' ${4:+-d "$4"} ${5:+-H "If-None-Match: $5"} "http://127.0.0.1:$1/api/v1$3")
  [ "${out%% *}" = "${6:-200}" ] || { echo "$2 $3 on port $1 answered ${out%% *}: $(head -c 300 "$work/body")" >&2; exit 1; }
  echo "${out#* }"
}

# sorted seconds on stdin -> "median p90" in milliseconds
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    i = int(NR * 0.9); if (i < NR * 0.9) i++
    printf "%.2f %.2f\n", med * 1000, v[i] * 1000 }'
}

start_node a "$PORT_A" "$HOST_PORTS_A" "$GDA_DOCKER_HOST" "$GDA_GPU_NVIDIA_SMI"
pid_a=$!
start_node b "$PORT_B" "$HOST_PORTS_B" "$GDA_NODE2_DOCKER_HOST" "$GDA_NODE2_NVIDIA_SMI"
pid_b=$!
await_up "$PORT_A" "$pid_a"
await_up "$PORT_B" "$pid_b"

call "$PORT_A" POST /replicaSet \
  "{\"imageName\":\"$GDA_TEST_IMAGE\",\"replicaSetName\":\"$RS\",\"gpuCount\":0,\"cmd\":[\"sleep\",\"1000000\"],\"node\":\"a\"}" >/dev/null

# The floor of any relay: nginx (C, one worker, connections to a kept alive) passing the same call on to a, timed
# beside the two. Installed where missing (as root), else left out.
relay=0
if ! command -v nginx >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 || echo "nginx could not be installed: the relay floor is left out" >&2
fi
if command -v nginx >/dev/null 2>&1; then
  PORT_R=$((PORT_A + 2))
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream a { server 127.0.0.1:$PORT_A; keepalive 8; }
  server {
    listen 127.0.0.1:$PORT_R;
    location / { proxy_pass http://a; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  pid_r=$!
  relay=1
fi

# The floor of a relay on the service's own stack: Tomcat with one servlet relaying through the same HTTP client, no
# Spring and no signature (scripts/floors/BareRelay.java, run from source with the jar's libraries).
PORT_T=$((PORT_A + 3))
mkdir -p "$work/libs"
jar_path=$(realpath "$JAR")
(cd "$work/libs" && unzip -q -o "$jar_path" 'BOOT-INF/lib/*')
java -Djava.io.tmpdir="$work" -cp "$work/libs/BOOT-INF/lib/*" scripts/floors/BareRelay.java "$PORT_T" "http://127.0.0.1:$PORT_A" > "$work/bare-relay.log" 2>&1 &
pid_t=$!
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT_T/" 2>/dev/null && break
  kill -0 "$pid_t" 2>/dev/null || { echo "the bare relay exited:" >&2; cat "$work/bare-relay.log" >&2; exit 1; }
  sleep 0.5
done

get_a() { call "$PORT_A" GET "/replicaSet/$RS"; }
get_b() { call "$PORT_B" GET "/replicaSet/$RS"; }
get_r() { [ "$relay" = 0 ] || call "$PORT_R" GET "/replicaSet/$RS"; }
get_t() { call "$PORT_T" GET "/replicaSet/$RS"; }
echo "forwarding: $W warm-up calls, then $N interleaved calls through a, through b, through the bare relay$([ "$relay" = 0 ] || echo ' and through nginx') to a"
for _ in $(seq 1 "$W"); do get_a >/dev/null; get_b >/dev/null; get_r >/dev/null; get_t >/dev/null; done
: > "$work/get-a"; : > "$work/get-b"; : > "$work/get-r"; : > "$work/get-t"
for i in $(seq 1 "$N"); do
  case $((i % 4)) in
    0) get_a >> "$work/get-a"; get_b >> "$work/get-b"; get_r >> "$work/get-r"; get_t >> "$work/get-t" ;;
    1) get_b >> "$work/get-b"; get_r >> "$work/get-r"; get_t >> "$work/get-t"; get_a >> "$work/get-a" ;;
    2) get_r >> "$work/get-r"; get_t >> "$work/get-t"; get_a >> "$work/get-a"; get_b >> "$work/get-b" ;;
    3) get_t >> "$work/get-t"; get_a >> "$work/get-a"; get_b >> "$work/get-b"; get_r >> "$work/get-r" ;;
  esac
done

read -r get_a_med get_a_p90 < <(stats < "$work/get-a")
read -r get_b_med get_b_p90 < <(stats < "$work/get-b")
ratio_get=$(awk -v b="$get_b_med" -v a="$get_a_med" 'BEGIN { printf "%.2f", b / a }')
read -r get_t_med get_t_p90 < <(stats < "$work/get-t")
ratio_bare=$(awk -v b="$get_t_med" -v a="$get_a_med" 'BEGIN { printf "%.2f", b / a }')
if [ "$relay" = 1 ]; then
  read -r get_r_med get_r_p90 < <(stats < "$work/get-r")
  ratio_relay=$(awk -v b="$get_r_med" -v a="$get_a_med" 'BEGIN { printf "%.2f", b / a }')
fi

# the real instance's record and version, as templates of the seeded ones (moved to node "ghost", no GPUs, no ports)
records=$PREFIX/apis/v1/replicasets/
versions=$PREFIX/apis/v1/replicaset-versions/
record=$(etcd get --print-value-only "$records$RS")
version=$(etcd get --print-value-only "$versions$RS/0000000001")
[ -n "$record" ] && [ -n "$version" ] || { echo "no record of $RS under $PREFIX" >&2; exit 1; }
record=$(sed -e 's/"node":"a"/"node":"ghost"/' <<< "$record")
escape() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
record_t=$(escape <<< "$record")
version_t=$(escape <<< "$version")

seed() { # from to: writes the records and first versions of seed-<from> .. seed-<to>, 60 instances per transaction
  local i=$1
  while [ "$i" -le "$2" ]; do
    {
      echo
      for j in $(seq "$i" $((i + 59 < $2 ? i + 59 : $2))); do
        name=$(printf 'seed-%04d' "$j")
        echo "put $records$name \"${record_t//$RS/$name}\""
        echo "put ${versions}$name/0000000001 \"${version_t//$RS/$name}\""
      done
      echo; echo
    } | etcd txn >/dev/null
    i=$((i + 60))
  done
}

list_run() { # label: LW warm-up, then L timed lists and L conditional ones
  local label=$1 etag
  for _ in $(seq 1 "$LW"); do call "$PORT_A" GET /replicaSet >/dev/null; done
  : > "$work/list-$label"; : > "$work/list304-$label"
  for _ in $(seq 1 "$L"); do call "$PORT_A" GET /replicaSet >> "$work/list-$label"; done
  etag=$(awk 'tolower($1) == "etag:" { print $2 }' "$work/headers" | tr -d '\r')
  count=$(grep -o '"containerName"' "$work/body" | wc -l)
  [ -n "$etag" ] || { echo "the list carried no ETag" >&2; exit 1; }
  for _ in $(seq 1 "$L"); do call "$PORT_A" GET /replicaSet "" "$etag" 304 >> "$work/list304-$label"; done
  echo "$count"
}

echo "lists: seeding 9 instances (10 with the real one)"
seed 1 9
n10=$(list_run 10)
echo "lists: seeding 990 more (1,000)"
seed 10 999
n1000=$(list_run 1000)
bytes1000=$(stat -c %s "$work/body")
read -r l10_med l10_p90 < <(stats < "$work/list-10")
read -r l1000_med l1000_p90 < <(stats < "$work/list-1000")
read -r c10_med c10_p90 < <(stats < "$work/list304-10")
read -r c1000_med c1000_p90 < <(stats < "$work/list304-1000")
ratio_list=$(awk -v b="$l1000_med" -v a="$l10_med" 'BEGIN { printf "%.2f", b / a }')

load=$(uptime | sed 's/.*load average: //')
machine="$(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r), dockerd $(DOCKER_HOST=$GDA_DOCKER_HOST docker version -f '{{.Server.Version}}')"
{
  echo
  echo "## Reads — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $machine; load average at the end (1, 5, 15 min): $load. Command: \`W=$W N=$N L=$L LW=$LW make bench-reads\`"
  echo "(scripts/bench-reads.sh). Two nodes on this machine (a and b, each its own dockerd), one instance on a."
  echo "curl's total time per call, milliseconds, after $W warm-up calls of each kind (the lists after $LW). The list's extra instances are records written into etcd in the"
  echo "service's format (on a node no process acts for); the list read $n10 and $n1000 of them (the 1,000 answer: $bytes1000 bytes)."
  echo
  echo "| call | through | calls | median (ms) | p90 (ms) | ratio | goal |"
  echo "|---|---|---|---|---|---|---|"
  echo "| GET /replicaSet/{name} | a (owner) | $N | $get_a_med | $get_a_p90 | | |"
  echo "| GET /replicaSet/{name} | b (forwards to a) | $N | $get_b_med | $get_b_p90 | b/a $ratio_get | <= 1.1 |"
  echo "| GET /replicaSet/{name} | Tomcat + the same HTTP client relaying to a, nothing else (the floor of the service's stack) | $N | $get_t_med | $get_t_p90 | bare/a $ratio_bare | |"
  [ "$relay" = 0 ] || echo "| GET /replicaSet/{name} | nginx relaying to a (the floor of a relay) | $N | $get_r_med | $get_r_p90 | nginx/a $ratio_relay | |"
  echo "| GET /replicaSet, 10 instances | a | $L | $l10_med | $l10_p90 | | |"
  echo "| GET /replicaSet, 1,000 instances | a | $L | $l1000_med | $l1000_p90 | 1,000/10 $ratio_list | median <= 100 ms, ratio <= 2 |"
  echo "| GET /replicaSet, 10, If-None-Match (304) | a | $L | $c10_med | $c10_p90 | | |"
  echo "| GET /replicaSet, 1,000, If-None-Match (304) | a | $L | $c1000_med | $c1000_p90 | | |"
} >> "$OUT"
echo "forwarded/owner $ratio_get (goal <= 1.1; bare Tomcat relay $ratio_bare${ratio_relay:+, nginx $ratio_relay}); list 1,000: $l1000_med ms median, 1,000/10 $ratio_list (goals <= 100 ms, <= 2); written to $OUT"
