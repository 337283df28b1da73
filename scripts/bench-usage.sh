#!/usr/bin/env bash
# `make bench-usage`: what usage metering costs. Starts a throwaway etcd (own data directory under /tmp, own ports)
# and runs io.gpudocker.bench.UsageBench (src/bench/java, compiled here against the service's classes) against it:
# the create transaction of a replicaset with metering off and on (interleaved; goal: ratio <= 1.05), and usage
# queries over one year of 1,000 instances (one change every 6 hours; goal: <= 200 ms). Appends a section with the
# figures, the machine and the date to docs/benchmarks.md. The etcd and its data are removed at the end.
# Settings: GDA_BENCH_ETCD_PORT (24820; the peer port is the next one).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${GDA_BENCH_ETCD_PORT:-24820}
PEER_PORT=$((PORT + 1))
DOC=docs/benchmarks.md
WORK=$(mktemp -d /tmp/gda-bench-usage.XXXXXX)
ETCD_PID=

log() { echo "bench-usage: $*" >&2; }

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

log "compiling the benchmark"
mvn -B -q -o -DskipTests compile 2>/dev/null || mvn -B -q -DskipTests compile
mvn -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath" >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/classpath" >/dev/null
DEPS="target/classes:$(cat "$WORK/classpath")"
rm -rf target/bench-classes
javac -d target/bench-classes -cp "$DEPS" $(find src/bench/java -name '*.java')

# etcd as a production member runs: its defaults (2 GiB quota, 128 operations per transaction)
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
java -Xmx2g -cp "target/bench-classes:$DEPS" io.gpudocker.bench.UsageBench "http://127.0.0.1:$PORT" "$WORK/table.md"

CPUS=$(nproc)
MEM=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
MODEL=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
DISK=$(df -T "$WORK" | awk 'NR == 2 { print $2 " on " $1 }')
{
  echo
  echo "## Usage metering — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`make bench-usage\` (scripts/bench-usage.sh). $CPUS CPUs ($MODEL), $MEM memory, etcd $(etcd --version | awk '/etcd Version/ { print $3 }')"
  echo "with its data on $DISK; the benchmark ran on the same CPUs (load average $LOAD when it began)."
  echo "The create transaction is the one etcd write of a create (record, version, allocation keys, intent) through"
  echo "ReplicaSetRepository, the only step metering adds to (one more key put, no read): the Docker create and start"
  echo "that make up most of a create through the API are the same either way."
  echo
  cat "$WORK/table.md"
} >> "$DOC"
log "appended to $DOC"
