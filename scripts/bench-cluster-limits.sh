#!/usr/bin/env bash
# `make bench-cluster-limits`: what 10, 100 and 1,000 nodes cost the etcd they share. Starts a throwaway etcd (own
# data directory under /tmp, own ports), runs the simulation io.gpudocker.bench.ClusterLoadSimulation (src/bench/java,
# compiled here against the service's classes; it is no test, so the test runs never see it) against it, and writes the figures, the machine and the date into docs/cluster.md between the markers
# `cluster-limits:begin` and `cluster-limits:end`. The etcd and its data are removed at the end.
# Settings: GDA_BENCH_ETCD_PORT (24810; the peer port is the next one), GDA_BENCH_SECONDS (40: load per size),
# GDA_BENCH_SIZES (10,100,1000).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${GDA_BENCH_ETCD_PORT:-24810}
PEER_PORT=$((PORT + 1))
SECONDS_PER_SIZE=${GDA_BENCH_SECONDS:-40}
SIZES=${GDA_BENCH_SIZES:-10,100,1000}
DOC=docs/cluster.md
WORK=$(mktemp -d /tmp/gda-bench-cluster.XXXXXX)
ETCD_PID=

log() { echo "bench-cluster-limits: $*" >&2; }

cleanup() {
  set +e
  if [ -n "$ETCD_PID" ]; then kill "$ETCD_PID" 2>/dev/null; wait "$ETCD_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v etcd >/dev/null || scripts/install-deps.sh test
for p in "$PORT" "$PEER_PORT"; do
  if ss -ltnH "( sport = :$p )" | grep -q .; then log "port $p is taken; set GDA_BENCH_ETCD_PORT"; exit 1; fi
done

log "compiling the simulation"
mvn -B -q -DskipTests compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath" >/dev/null
DEPS="target/classes:$(cat "$WORK/classpath")"
rm -rf target/bench-classes
javac -d target/bench-classes -cp "$DEPS" $(find src/bench/java -name '*.java')
CLASSPATH="target/bench-classes:$DEPS"

# etcd as a production member would run: its defaults (2 GiB quota, 128 ops per transaction, 1.5 MiB requests)
etcd --name bench --data-dir "$WORK/etcd" \
  --listen-client-urls "http://127.0.0.1:$PORT" --advertise-client-urls "http://127.0.0.1:$PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "bench=http://127.0.0.1:$PEER_PORT" > "$WORK/etcd.log" 2>&1 < /dev/null &
ETCD_PID=$!
for _ in $(seq 1 40); do
  ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$PORT" endpoint health >/dev/null 2>&1 && break
  sleep 0.5
done
ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$PORT" endpoint health >/dev/null || { log "etcd did not start:"; tail "$WORK/etcd.log" >&2; exit 1; }

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
log "simulating $SIZES nodes, $SECONDS_PER_SIZE s of load each"
java -Xmx1g -cp "$CLASSPATH" io.gpudocker.bench.ClusterLoadSimulation "http://127.0.0.1:$PORT" "$ETCD_PID" \
  "$WORK/table.md" "$SECONDS_PER_SIZE" "$SIZES"
ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$PORT" endpoint status -w json > "$WORK/status.json"

CPUS=$(nproc)
MEM=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
MODEL=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
DISK=$(df -T "$WORK" | awk 'NR == 2 { print $2 " on " $1 }')
{
  echo "<!-- cluster-limits:begin (written by scripts/bench-cluster-limits.sh) -->"
  echo "Run of $(date -u +%Y-%m-%dT%H:%MZ): $CPUS CPUs ($MODEL), $MEM memory, etcd $(etcd --version | awk '/etcd Version/ { print $3 }')"
  echo "with its data on $DISK, $SECONDS_PER_SIZE s of load per size; the simulator ran on the same CPUs (load average $LOAD"
  echo "when it began)."
  echo
  cat "$WORK/table.md"
  echo "<!-- cluster-limits:end -->"
} > "$WORK/section.md"

if ! grep -q 'cluster-limits:begin' "$DOC"; then
  log "$DOC has no cluster-limits markers; the figures:"; cat "$WORK/section.md"; exit 1
fi
awk -v section="$WORK/section.md" '
  /cluster-limits:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
  /cluster-limits:end/ { skip = 0; next }
  !skip { print }' "$DOC" > "$WORK/doc.md"
cp "$WORK/doc.md" "$DOC"
log "written into $DOC"
