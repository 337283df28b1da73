#!/usr/bin/env bash
# `make bench-telemetry`: what telemetry costs on a node with 8 GPUs and 100 running instances. Writes the stand-in
# files (8 GPUs for scripts/fake/nvidia-smi, 100 GPU processes, a cgroup v2 tree of 100 containers and their /proc
# entries) under a temporary directory and runs io.gpudocker.telemetry.TelemetryBench (src/bench/java, compiled here
# against the service's classes): the process's CPU time (its own and its nvidia-smi children's) over a stretch with
# no sampling and over one with a pass every period, as a share of one core (goal <= 2 %), and the metrics endpoint's
# work for an instance with an hour of points, 1,000 times after 200 untimed (goal: p99 <= 50 ms). Appends the figures, the machine and
# the load average to docs/benchmarks.md. Settings: GDA_BENCH_SECONDS (60), GDA_BENCH_PERIOD (5).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${GDA_BENCH_SECONDS:-60}
PERIOD=${GDA_BENCH_PERIOD:-5}
DOC=docs/benchmarks.md
WORK=$(mktemp -d /tmp/gda-bench-telemetry.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
log() { echo "bench-telemetry: $*" >&2; }

log "writing the stand-in files under $WORK"
: > "$WORK/gpus.csv"; : > "$WORK/gpu-telemetry.csv"; : > "$WORK/gpu-apps.csv"
for g in $(seq 0 7); do
  uuid=$(printf 'GPU-00000000-0000-4000-8000-%012d' "$g")
  echo "$g, $uuid, NVIDIA H200, 143771, 00000000:$(printf '%02X' $((g + 16))):00.0" >> "$WORK/gpus.csv"
  echo "$uuid, $((g * 12)), $((g * 4000)), 143771, $((40 + g)), $((100 + g * 50)).00" >> "$WORK/gpu-telemetry.csv"
done
for i in $(seq 0 99); do
  id=$(printf '%064x' $((i + 1)))
  pid=$((100000 + i))
  uuid=$(printf 'GPU-00000000-0000-4000-8000-%012d' $((i % 8)))
  echo "$pid, $uuid, $((1000 + i)), python3" >> "$WORK/gpu-apps.csv"
  mkdir -p "$WORK/proc/$pid" "$WORK/cg/system.slice/docker-$id.scope"
  echo "0::/system.slice/docker-$id.scope" > "$WORK/proc/$pid/cgroup"
  printf 'usage_usec %d\nuser_usec 1\nsystem_usec 1\n' $((i * 1000000)) > "$WORK/cg/system.slice/docker-$id.scope/cpu.stat"
  echo $((512 * 1048576)) > "$WORK/cg/system.slice/docker-$id.scope/memory.current"
  printf 'inactive_file 0\n' > "$WORK/cg/system.slice/docker-$id.scope/memory.stat"
done

log "compiling the benchmark"
mvn -B -q -o -DskipTests compile 2>/dev/null || mvn -B -q -DskipTests compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$WORK/classpath" >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/classpath" >/dev/null
DEPS="target/classes:$(cat "$WORK/classpath")"
rm -rf target/bench-telemetry-classes
javac -d target/bench-telemetry-classes -cp "$DEPS" src/bench/java/io/gpudocker/telemetry/TelemetryBench.java

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
log "measuring: ${SECONDS_EACH} s without sampling, ${SECONDS_EACH} s with a pass every ${PERIOD} s (load average $LOAD)"
GDA_FAKE_GPU_CSV="$WORK/gpus.csv" GDA_FAKE_GPU_TELEMETRY="$WORK/gpu-telemetry.csv" GDA_FAKE_GPU_APPS="$WORK/gpu-apps.csv" \
  java -Xmx512m -cp "target/bench-telemetry-classes:$DEPS" io.gpudocker.telemetry.TelemetryBench \
  "$WORK" "$SECONDS_EACH" "$PERIOD" "$(getconf CLK_TCK)" "$WORK/table.md"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

CPUS=$(nproc)
MODEL=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
{
  echo
  echo "## Telemetry — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`make bench-telemetry\` (scripts/bench-telemetry.sh). $CPUS CPUs ($MODEL); load average $LOAD when it began,"
  echo "$LOAD_AFTER when it ended (other work on the machine counts in neither stretch's process CPU, but slows both)."
  echo "One sampler as a node runs it: 8 GPUs and 100 GPU processes from the nvidia-smi stand-in (a shell script reading"
  echo "files, where the real nvidia-smi asks the driver), 100 containers' cgroup v2 files, the process CPU read from"
  echo "/proc/self/stat (its nvidia-smi children included). The metrics figure is the endpoint's own work (the series"
  echo "read, the view, its JSON); the HTTP exchange and the record's etcd read of a call come on top."
  echo
  cat "$WORK/table.md"
} >> "$DOC"
log "appended to $DOC"
