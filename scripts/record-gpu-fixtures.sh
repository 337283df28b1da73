#!/usr/bin/env bash
# Records what a real nvidia-smi prints, idle and under load, as fixtures for the parsers' unit tests.
# Usage: scripts/record-gpu-fixtures.sh OUT_DIR   (on a host with an NVIDIA GPU; writes OUT_DIR/gpu-fixtures.tgz)
set -u
out=${1:?usage: $0 OUT_DIR}
d=$(mktemp -d)
inventory=index,uuid,name,memory.total,pci.bus_id
telemetry=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu,utilization.memory,temperature.gpu,power.draw,power.limit,pci.bus_id,driver_version,mig.mode.current
apps=pid,process_name,gpu_uuid,used_memory
smi() { local f=$1; shift; { echo "# nvidia-smi $*"; nvidia-smi "$@"; echo "# exit $?"; } >"$d/$f" 2>&1; }

smi version.txt --version
smi summary.txt
smi list.txt -L
smi inventory.csv --query-gpu=$inventory --format=csv,noheader,nounits
smi telemetry-idle.csv --query-gpu=$telemetry --format=csv,noheader,nounits
smi telemetry-idle-units.csv --query-gpu=$telemetry --format=csv
smi apps-idle.csv --query-compute-apps=$apps --format=csv,noheader,nounits
smi query.txt -q
smi query.xml -q -x
smi topo.txt topo -m
smi help-query-gpu.txt --help-query-gpu
smi help-query-apps.txt --help-query-compute-apps
smi bad-field.csv --query-gpu=index,no.such.field --format=csv,noheader,nounits

python3 - <<'PY' >"$d/load.log" 2>&1 &
import time, torch
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
end = time.time() + 25
while time.time() < end:
    for _ in range(50):
        a @ a
    torch.cuda.synchronize()
print("done")
PY
load=$!
sleep 10
for i in 1 2 3; do smi telemetry-load-$i.csv --query-gpu=$telemetry --format=csv,noheader,nounits; sleep 1; done
smi apps-load.csv --query-compute-apps=$apps --format=csv,noheader,nounits
smi apps-load-units.csv --query-compute-apps=$apps --format=csv
smi summary-load.txt
smi query-load.xml -q -x
smi dmon.txt dmon -c 3
smi pmon.txt pmon -c 2
{ echo "pid $load"; cat /proc/$load/cgroup; echo; cat /proc/self/cgroup; } >"$d/load-cgroup.txt" 2>&1
wait $load
{ uname -a; cat /etc/os-release; } >"$d/host.txt" 2>&1
tar -C "$d" -czf "$out/gpu-fixtures.tgz" .
ls -la "$d"
