#!/usr/bin/env bash
# Installs, from Debian's packages, what `make run` (run) or `make test` (test) needs and is missing.
set -euo pipefail
mode=${1:-test}
need=()
want() { command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
want make make
want java openjdk-17-jdk-headless
want mvn maven
want etcd etcd-server
if [ "$mode" = test ]; then
  want dockerd docker.io
  want etcdctl etcd-client
  want busybox busybox-static
  want ip iproute2
  want openssl openssl
  want ssh openssh-client   # the SSH gateway's tests (AccessIT): ssh, sftp, scp
  want curl curl             # the port proxy's test (AccessIT)
  want mkfs.xfs xfsprogs   # the XFS data root of `make test-xfs` (scripts/test-env.sh, GDA_TEST_DATA_FS=xfs)
  want chromium chromium   # the console's browser tests (ConsoleIT), headless
  want chromedriver chromium-driver
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing packages: ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 1
fi
echo "installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
