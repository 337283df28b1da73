#!/usr/bin/env bash
# What the goals of bench-move and bench-access can be measured against on this machine, with no service in the way:
# the least that the same work costs when done by the machine's own C tools, written to docs/benchmarks.md (section
# "Floors"). Each case is its baseline (as bench-move and bench-access take it) against the same transfer made with one
# stage that the service cannot leave out:
#  1. move: 2 GiB (two files of SIZE_MB) `tar | tar` from the rig's first data root into its second's, against
#     `tar | socat` ... `socat | tar` (the same stream over a TCP connection between two relays, as one node hands a
#     move's files to the other), and both again with the copy written to disk (`sync -f` on the target) before the
#     clock stops, as a move commits only once its copy is on disk;
#  2. download: SIZE_MB from busybox httpd in a container, straight from its address against through `socat` with a
#     1 MiB buffer (a relay in C: what the port proxy does, in the least code);
#  3. upload: SIZE_MB into a container with `docker cp` against `scp` to OpenSSH's own sshd on loopback writing a plain
#     file (no container), with the cipher OpenSSH's client takes from the gateway's default list (aes128-ctr, as the
#     gateway offers no ChaCha20) and with aes128-gcm@openssh.com.
# R runs of each (default 3), alternating, medians compared. Needs socat and openssh-server (installed with apt-get
# when missing and run as root). Uses the rig when it is up (scripts/test-env.sh), else brings it up and down again.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
R=${R:-3}
OUT=${GDA_BENCH_OUT:-docs/benchmarks.md}
DIR=${GDA_TEST_DIR:-/tmp/gda-test}
RELAY_PORT=${GDA_BENCH_RELAY_PORT:-39998}
SSHD_PORT=${GDA_BENCH_SSHD_PORT:-39922}
CONTAINER=gda-bench-floors

need=()
command -v socat >/dev/null || need+=(socat)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "bench-floors needs ${need[*]}: apt-get install ${need[*]}" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

rig_was_up=0
[ -f "$DIR/env" ] && rig_was_up=1
scripts/test-env.sh up
# shellcheck disable=SC1091
source "$DIR/env"
export DOCKER_HOST=$GDA_DOCKER_HOST

work=$(mktemp -d)
root_a=$(docker info -f '{{.DockerRootDir}}')
root_b=$(DOCKER_HOST=$GDA_NODE2_DOCKER_HOST docker info -f '{{.DockerRootDir}}')
src="$root_a/bench-floors-src"
dst="$root_b/bench-floors-dst"
sshd_pid=
cleanup() {
  [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null || true
  docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  rm -rf "$work" "$src" "$dst"
  [ "$rig_was_up" = 1 ] || scripts/test-env.sh down
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
TAR=(tar --numeric-owner --xattrs --xattrs-include='*')

# 1. move
mkdir -p "$src"
head -c $((SIZE_MB * 1048576)) /dev/urandom > "$src/changes.bin"
head -c $((SIZE_MB * 1048576)) /dev/urandom > "$src/volume.bin"
fresh() { rm -rf "$dst"; mkdir -p "$dst"; sync; }
plain=(); plain_disk=(); relayed=(); relayed_disk=()
for _ in $(seq 1 "$R"); do
  fresh
  t0=$(now)
  "${TAR[@]}" -C "$src" -cf - . | "${TAR[@]}" -C "$dst" -xpf -
  plain+=("$(elapsed "$t0" "$(now)")")
  sync -f "$dst"
  plain_disk+=("$(elapsed "$t0" "$(now)")")
  fresh
  (socat -b 1048576 -u TCP-LISTEN:"$RELAY_PORT",bind=127.0.0.1,reuseaddr - | "${TAR[@]}" -C "$dst" -xpf -) &
  receiver=$!
  for _ in $(seq 1 50); do ss -ltn "sport = :$RELAY_PORT" | grep -q LISTEN && break; sleep 0.1; done
  t0=$(now)
  "${TAR[@]}" -C "$src" -cf - . | socat -b 1048576 -u - TCP:127.0.0.1:"$RELAY_PORT"
  wait "$receiver"
  relayed+=("$(elapsed "$t0" "$(now)")")
  sync -f "$dst"
  relayed_disk+=("$(elapsed "$t0" "$(now)")")
  echo "move: tar | tar ${plain[-1]} s (on disk ${plain_disk[-1]} s), through two relays ${relayed[-1]} s (on disk ${relayed_disk[-1]} s)"
done
rm -rf "$src" "$dst"

# 2. download, 3. upload
docker run -d --name "$CONTAINER" gda-test:latest sh -c "mkdir -p /www && head -c $((SIZE_MB * 1048576)) /dev/zero > /www/big && httpd -p 8080 -h /www && exec sleep 1000000" >/dev/null
address=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$CONTAINER")
for _ in $(seq 1 120); do curl -sf -o /dev/null -r 0-0 "http://$address:8080/big" && break; sleep 0.5; done
socat -b 1048576 TCP-LISTEN:"$RELAY_PORT",bind=127.0.0.1,reuseaddr,fork TCP:"$address":8080 &
relay=$!
for _ in $(seq 1 50); do ss -ltn "sport = :$RELAY_PORT" | grep -q LISTEN && break; sleep 0.1; done
direct=(); via=()
for _ in $(seq 1 "$R"); do
  direct+=("$(curl -sf -o /dev/null -w '%{time_total}' "http://$address:8080/big")")
  via+=("$(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$RELAY_PORT/big")")
  echo "download: direct ${direct[-1]} s, through socat ${via[-1]} s"
done
kill "$relay" 2>/dev/null || true

mkdir -p "$work/sshd"
ssh-keygen -q -t ed25519 -N '' -f "$work/sshd/host"
ssh-keygen -q -t ed25519 -N '' -f "$work/id"
cp "$work/id.pub" "$work/sshd/authorized_keys"
mkdir -p /run/sshd
cat > "$work/sshd/config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $work/sshd/host
AuthorizedKeysFile $work/sshd/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
EOF
/usr/sbin/sshd -D -f "$work/sshd/config" &
sshd_pid=$!
for _ in $(seq 1 50); do ss -ltn "sport = :$SSHD_PORT" | grep -q LISTEN && break; sleep 0.1; done
head -c $((SIZE_MB * 1048576)) /dev/urandom > "$work/big"
SSH_OPTS=(-F /dev/null -i "$work/id" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -P "$SSHD_PORT")
cp_s=(); ctr=(); gcm=()
for _ in $(seq 1 "$R"); do
  t0=$(now); docker cp "$work/big" "$CONTAINER:/tmp/cp.bin"; cp_s+=("$(elapsed "$t0" "$(now)")")
  docker exec "$CONTAINER" rm -f /tmp/cp.bin
  t0=$(now); scp -q "${SSH_OPTS[@]}" -c aes128-ctr "$work/big" "root@127.0.0.1:$work/scp.bin"; ctr+=("$(elapsed "$t0" "$(now)")")
  rm -f "$work/scp.bin"
  t0=$(now); scp -q "${SSH_OPTS[@]}" -c aes128-gcm@openssh.com "$work/big" "root@127.0.0.1:$work/scp.bin"; gcm+=("$(elapsed "$t0" "$(now)")")
  rm -f "$work/scp.bin"
  echo "upload: docker cp ${cp_s[-1]} s, scp to sshd aes128-ctr ${ctr[-1]} s, aes128-gcm ${gcm[-1]} s"
done

m_plain=$(echo "${plain[*]}" | median); m_plain_disk=$(echo "${plain_disk[*]}" | median)
m_relayed=$(echo "${relayed[*]}" | median); m_relayed_disk=$(echo "${relayed_disk[*]}" | median)
m_direct=$(echo "${direct[*]}" | median); m_via=$(echo "${via[*]}" | median)
m_cp=$(echo "${cp_s[*]}" | median); m_ctr=$(echo "${ctr[*]}" | median); m_gcm=$(echo "${gcm[*]}" | median)
load=$(uptime | sed 's/.*load average: //')
{
  echo
  echo "## Floors: the same transfers by the machine's own tools — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB RAM, $(uname -r), data roots on $(stat -f -c %T "$root_a");"
  echo "load average at the end: $load. Command: \`make bench-floors\` (scripts/bench-floors.sh), $R runs each, seconds."
  echo "No service runs: each row is a baseline of bench-move or bench-access against the same transfer with one stage"
  echo "the service cannot leave out, made by C tools."
  echo
  echo "| transfer | baseline (s) | with the stage (s) | ratio | the service's goal |"
  echo "|---|---|---|---|---|"
  echo "| 2 x $SIZE_MB MiB between the data roots | tar \\| tar: ${plain[*]} → $m_plain | through two socat relays over TCP: ${relayed[*]} → $m_relayed | $(ratio "$m_relayed" "$m_plain") | move/tar <= 1.3 |"
  echo "| the same, on disk when the clock stops | tar \\| tar; sync: ${plain_disk[*]} → $m_plain_disk | relayed; sync: ${relayed_disk[*]} → $m_relayed_disk | $(ratio "$m_relayed_disk" "$m_plain_disk") (vs tar \\| tar unsynced: $(ratio "$m_relayed_disk" "$m_plain")) | |"
  echo "| download $SIZE_MB MiB | curl to the container: ${direct[*]} → $m_direct | curl through socat (1 MiB buffer): ${via[*]} → $m_via | $(ratio "$m_via" "$m_direct") | proxy/direct <= 1.2 |"
  echo "| upload $SIZE_MB MiB | docker cp: ${cp_s[*]} → $m_cp | scp to OpenSSH's sshd, aes128-ctr: ${ctr[*]} → $m_ctr | $(ratio "$m_ctr" "$m_cp") | scp/docker cp <= 1.5 |"
  echo "| | | the same, aes128-gcm@openssh.com: ${gcm[*]} → $m_gcm | $(ratio "$m_gcm" "$m_cp") | |"
} >> "$OUT"
echo "floors: move relayed/tar $(ratio "$m_relayed" "$m_plain"), download socat/direct $(ratio "$m_via" "$m_direct"), upload scp(ctr)/docker cp $(ratio "$m_ctr" "$m_cp"), scp(gcm)/docker cp $(ratio "$m_gcm" "$m_cp"); written to $OUT"
