#!/usr/bin/env bash
# Starts (up) or tears down (down) the real parts the integration tests run against (restart-docker and
# restart-etcd restart its daemons in place, for the tests of what their restarts do to the service):
# a dedicated dockerd (own socket, data root, pid file, bridge), an etcd on loopback,
# stand-ins for nvidia-smi and nvidia-container-runtime-hook, and a locally imported test image.
# Nothing here touches the host's own Docker engine or its containers.
# GDA_TEST_DATA_FS=xfs puts that dockerd's data root on an XFS filesystem (reflink=1, ftype=1) in a sparse
# image file under GDA_TEST_DIR, loop-mounted without quota options, so copies there clone files;
# GDA_TEST_DATA_FS_SIZE (default 40G) is the image's apparent size. `down` unmounts and detaches it.
# A second node (for the cluster tests) comes up beside the first: a dockerd of its own under $DIR/node2
# (socket, data root, exec root, pid file, bridge GDA_TEST_BRIDGE2) and a GPU stand-in with 4 GPUs of other UUIDs.
set -euo pipefail

DIR=${GDA_TEST_DIR:-/tmp/gda-test}
BRIDGE=${GDA_TEST_BRIDGE:-gdatest0}
BRIDGE_CIDR=${GDA_TEST_BRIDGE_CIDR:-10.213.0.1/24}
ETCD_PORT=${GDA_TEST_ETCD_PORT:-23790}
ETCD_PEER_PORT=$((ETCD_PORT + 10))
GPU_COUNT=${GDA_TEST_GPU_COUNT:-8}
IMAGE=${GDA_TEST_IMAGE:-gda-test:latest}
DATA_FS=${GDA_TEST_DATA_FS:-}
DATA_FS_SIZE=${GDA_TEST_DATA_FS_SIZE:-40G}
NODE2_DIR=$DIR/node2
BRIDGE2=${GDA_TEST_BRIDGE2:-gdatest1}
# not 10.214.0.0/24: that is the XFS rig's first bridge (scripts/test-xfs.sh), which may be up at the same time
BRIDGE2_CIDR=${GDA_TEST_BRIDGE2_CIDR:-10.215.0.1/24}
NODE2_GPU_COUNT=4
HERE=$(cd "$(dirname "$0")" && pwd)

log() { echo "test-env: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "missing '$1' (install: $2)"; exit 1; }; }

docker_cli() { DOCKER_HOST="unix://$DIR/docker.sock" docker "$@"; }

# Bus ids 00000000:01:00.0 upward: src/test/resources/sysfs-two-nodes places the first four on NUMA node 0 and
# the next four on node 1. A fixture from before bus ids were listed is written anew.
write_gpu_fixture() {
  local f="$DIR/gpus.csv"
  [ -f "$f" ] && grep -q ', 00000000:' "$f" && return 0
  : > "$f"
  for i in $(seq 0 $((GPU_COUNT - 1))); do
    printf '%d, GPU-00000000-0000-4000-8000-%012d, NVIDIA Stand-in A100-SXM4-80GB, 81920, 00000000:%02X:00.0\n' "$i" "$i" $((i + 1)) >> "$f"
  done
}

# The data root on a loop-mounted XFS image. No quota mount options: kernels without XFS quota refuse them.
mount_xfs_data_root() {
  if mountpoint -q "$DIR/docker"; then return 0; fi
  mkdir -p "$DIR/docker"
  if [ ! -f "$DIR/data-root.img" ]; then
    truncate -s "$DATA_FS_SIZE" "$DIR/data-root.img"
    mkfs.xfs -q -m reflink=1 -n ftype=1 "$DIR/data-root.img"
  fi
  local dev; dev=$(losetup -f --show "$DIR/data-root.img")
  echo "$dev" > "$DIR/data-root.loop"
  mount -t xfs "$dev" "$DIR/docker"
  log "data root on XFS (reflink=1, ftype=1): $DIR/data-root.img on $dev mounted at $DIR/docker"
}

unmount_xfs_data_root() {
  [ -f "$DIR/data-root.loop" ] || return 0
  local dev; dev=$(cat "$DIR/data-root.loop")
  if mountpoint -q "$DIR/docker"; then
    umount "$DIR/docker" 2>/dev/null || umount -l "$DIR/docker"
  fi
  losetup -d "$dev" 2>/dev/null || true
  rm -f "$DIR/data-root.loop"
}

start_dockerd() {
  if [ -S "$DIR/docker.sock" ] && docker_cli version >/dev/null 2>&1; then return 0; fi
  case "$DATA_FS" in
    "") ;;
    xfs) mount_xfs_data_root ;;
    *) log "GDA_TEST_DATA_FS must be empty (the machine's own filesystem) or xfs, not '$DATA_FS'"; exit 2 ;;
  esac
  ensure_bridge "$BRIDGE" "$BRIDGE_CIDR"
  mkdir -p "$DIR/docker" "$DIR/docker-exec" "$DIR/fakebin"
  install -m 0755 "$HERE/fake/nvidia-container-runtime-hook" "$DIR/fakebin/nvidia-container-runtime-hook"
  echo "$BRIDGE" > "$DIR/bridge"
  launch_dockerd
}

# A bridge for an engine's containers (name, address/prefix), made once.
ensure_bridge() {
  if ! ip link show "$1" >/dev/null 2>&1; then
    ip link add "$1" type bridge
    ip addr add "$2" dev "$1"
  fi
  ip link set "$1" up
}

# Starts the engine kept in directory $1 (socket, data root, exec root, pid file, bridge file and log all there).
# dockerd finds the runtime hook on its own PATH when a container asks for driver "nvidia".
# The bridge is the one the rig was brought up with, so a restart needs no environment.
launch_engine() {
  local d=$1
  PATH="$DIR/fakebin:$PATH" setsid dockerd \
      --host "unix://$d/docker.sock" --data-root "$d/docker" --exec-root "$d/docker-exec" \
      --pidfile "$d/docker.pid" --bridge "$(cat "$d/bridge")" --iptables=false --ip-masq=false \
      --storage-driver overlay2 >> "$d/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do DOCKER_HOST="unix://$d/docker.sock" docker version >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "dockerd in $d did not come up; see $d/dockerd.log"; tail -20 "$d/dockerd.log" >&2; exit 1
}

launch_dockerd() { launch_engine "$DIR"; }

# Node 2's GPUs: UUIDs ...-1000000000NN, never one of node 1's, so both inventories can share one etcd.
write_node2_gpu_fixture() {
  local f="$NODE2_DIR/gpus.csv"
  [ -f "$f" ] && return 0
  : > "$f"
  for i in $(seq 0 $((NODE2_GPU_COUNT - 1))); do
    printf '%d, GPU-00000000-0000-4000-8000-1000000000%02d, NVIDIA Stand-in A100-SXM4-80GB, 81920, 00000000:%02X:00.0\n' "$i" "$i" $((i + 1)) >> "$f"
  done
}

# The same stand-in, pointed at node 2's fixture.
install_node2_nvidia_smi() {
  cat > "$DIR/fakebin/nvidia-smi-node2" <<SH
#!/bin/sh
GDA_FAKE_GPU_CSV="$NODE2_DIR/gpus.csv" exec "$DIR/fakebin/nvidia-smi" "\$@"
SH
  chmod 0755 "$DIR/fakebin/nvidia-smi-node2"
}

docker2_cli() { DOCKER_HOST="unix://$NODE2_DIR/docker.sock" docker "$@"; }

# Node 2's data root always stays on the machine's own filesystem, also with GDA_TEST_DATA_FS=xfs:
# the cluster tests do not depend on how copies are made.
start_node2_dockerd() {
  if [ -S "$NODE2_DIR/docker.sock" ] && docker2_cli version >/dev/null 2>&1; then return 0; fi
  ensure_bridge "$BRIDGE2" "$BRIDGE2_CIDR"
  mkdir -p "$NODE2_DIR/docker" "$NODE2_DIR/docker-exec"
  echo "$BRIDGE2" > "$NODE2_DIR/bridge"
  launch_node2_dockerd
}

launch_node2_dockerd() { launch_engine "$NODE2_DIR"; }

# The image node 1 built, copied over (same image id on both engines).
import_node2_test_image() {
  docker2_cli image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  docker_cli save "$IMAGE" | docker2_cli load >/dev/null
}

# What a Docker restart does to the instances: `restart-docker` stops the rig's dockerd as a service
# manager does (SIGTERM: it stops the containers, waiting out their stop timeout), `restart-docker --kill`
# as a crash does (SIGKILL: on its next start it stops the containers it finds still running); either way
# it starts again with the same arguments. `--node2` restarts node 2's dockerd instead.
restart_docker() {
  local signal=TERM node=1
  for arg in "$@"; do
    case "$arg" in
      --kill) signal=KILL ;;
      --node2) node=2 ;;
      *) log "restart-docker takes --kill and --node2, not '$arg'"; exit 2 ;;
    esac
  done
  local pidfile=$DIR/docker.pid launch=launch_dockerd
  if [ "$node" = 2 ]; then pidfile=$NODE2_DIR/docker.pid launch=launch_node2_dockerd; fi
  local pid; pid=$(cat "$pidfile")
  kill -s "$signal" "$pid"
  for _ in $(seq 1 240); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "dockerd $pid did not exit"; exit 1; fi
  rm -f "$pidfile"
  "$launch"
  if [ "$node" = 2 ]; then
    log "node 2's dockerd restarted (SIG$signal): pid $(cat "$pidfile")"
  else
    log "dockerd restarted (${1:-SIGTERM}): pid $(cat "$pidfile")"
  fi
}

# An etcd crash: SIGKILL, then the same etcd on the same data directory.
restart_etcd() {
  # the port the rig was brought up with
  ETCD_PORT=$(sed -n 's|^export GDA_ETCD_ENDPOINTS=.*:\([0-9]*\)$|\1|p' "$DIR/env")
  ETCD_PEER_PORT=$((ETCD_PORT + 10))
  local pid; pid=$(cat "$DIR/etcd.pid")
  kill -9 "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  start_etcd
  log "etcd restarted: pid $(cat "$DIR/etcd.pid")"
}

start_etcd() {
  if ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" endpoint health >/dev/null 2>&1; then return 0; fi
  mkdir -p "$DIR/etcd"
  setsid etcd --name gda-test --data-dir "$DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "gda-test=http://127.0.0.1:$ETCD_PEER_PORT" > "$DIR/etcd.log" 2>&1 < /dev/null &
  echo $! > "$DIR/etcd.pid"
  for _ in $(seq 1 60); do
    ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" endpoint health >/dev/null 2>&1 && return 0; sleep 0.5
  done
  log "etcd did not come up; see $DIR/etcd.log"; exit 1
}

build_test_image() {
  docker_cli image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  local busybox; busybox=$(command -v busybox)
  local rootfs="$DIR/rootfs"
  rm -rf "$rootfs"; mkdir -p "$rootfs"/{bin,etc,root,tmp,opt,var/log}
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
  echo 'root:x:0:' > "$rootfs/etc/group"
  echo 'shipped with the image' > "$rootfs/etc/image-release"
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" -c . | docker_cli import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin HOME=/root' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
}

write_env() {
  cat > "$DIR/env" <<ENV
export GDA_TEST_DIR=$DIR
export GDA_DOCKER_HOST=unix://$DIR/docker.sock
export GDA_ETCD_ENDPOINTS=http://127.0.0.1:$ETCD_PORT
export GDA_GPU_NVIDIA_SMI=$DIR/fakebin/nvidia-smi
export GDA_TEST_IMAGE=$IMAGE
export GDA_TEST_DATA_FS=$DATA_FS
export GDA_NODE2_DOCKER_HOST=unix://$NODE2_DIR/docker.sock
export GDA_NODE2_NVIDIA_SMI=$DIR/fakebin/nvidia-smi-node2
ENV
}

up() {
  need dockerd "apt-get install docker.io"; need etcd "apt-get install etcd-server"
  need etcdctl "apt-get install etcd-client"; need busybox "apt-get install busybox-static"
  if [ "$DATA_FS" = xfs ]; then need mkfs.xfs "apt-get install xfsprogs"; need losetup "apt-get install mount"; fi
  mkdir -p "$DIR/fakebin"
  write_gpu_fixture
  install -m 0755 "$HERE/fake/nvidia-smi" "$DIR/fakebin/nvidia-smi"
  start_dockerd
  start_etcd
  build_test_image
  mkdir -p "$NODE2_DIR"
  write_node2_gpu_fixture
  install_node2_nvidia_smi
  start_node2_dockerd
  import_node2_test_image
  write_env
  log "up: docker unix://$DIR/docker.sock, etcd 127.0.0.1:$ETCD_PORT, $GPU_COUNT stand-in GPUs, image $IMAGE"
  log "up: node 2 docker unix://$NODE2_DIR/docker.sock, $NODE2_GPU_COUNT stand-in GPUs"
}

kill_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

down() {
  if [ -S "$DIR/docker.sock" ] && docker_cli version >/dev/null 2>&1; then
    ids=$(docker_cli ps -aq); [ -z "$ids" ] || docker_cli rm -f $ids >/dev/null 2>&1 || true
  fi
  if [ -S "$NODE2_DIR/docker.sock" ] && docker2_cli version >/dev/null 2>&1; then
    ids=$(docker2_cli ps -aq)
    # shellcheck disable=SC2086 # one id a word
    [ -z "$ids" ] || docker2_cli rm -f $ids >/dev/null 2>&1 || true
  fi
  kill_pidfile "$DIR/docker.pid"
  kill_pidfile "$NODE2_DIR/docker.pid"
  kill_pidfile "$DIR/etcd.pid"
  # dockerd leaves overlay and netns mounts behind when it is killed hard.
  # The XFS data root itself is unmounted last, and plainly, so that its loop device can be detached.
  { grep -o " $DIR/[^ ]*" /proc/mounts || true; } | { grep -vx " $DIR/docker" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  unmount_xfs_data_root
  if mountpoint -q "$DIR/docker" 2>/dev/null; then umount -l "$DIR/docker" 2>/dev/null || true; fi
  ip link del "$BRIDGE" 2>/dev/null || true
  ip link del "$BRIDGE2" 2>/dev/null || true
  rm -rf "$DIR"
  log "down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  restart-docker) shift; restart_docker "$@" ;;
  restart-etcd) restart_etcd ;;
  *) echo "usage: $0 up|down|restart-docker [--kill] [--node2]|restart-etcd" >&2; exit 2 ;;
esac
