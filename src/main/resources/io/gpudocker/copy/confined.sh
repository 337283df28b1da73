# Runs one command (cp or du) where nothing but the trees it works on is visible. Started by
# ConfinedCommand as `unshare --mount --propagation private -- sh -c <this> confined FROM TO COMMAND...`:
# FROM is bound read-only at /from, TO (empty for none) read-write at /to, /usr and the host's
# bin, sbin, lib* read-only beside them, on a fresh tmpfs that becomes the root. A link in the tree,
# whenever it is made, then resolves inside that root: never to the host's files or another tenant's.
# The mounts live only in this private mount namespace and go with its last process.
set -eu
from=$1
to=$2
shift 2
# the mounts below would land on the host without the private namespace: refuse rather than risk it
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink "/proc/$PPID/ns/mnt")" ]; then
  echo "confined: not in a mount namespace of its own; nothing was run" >&2
  exit 125
fi
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
# held open, so they are bound by what was opened even once /tmp is covered
exec 3<"$from"
if [ -n "$to" ]; then exec 4<"$to"; fi
root=/tmp
mount -t tmpfs -o mode=0755,size=64k,nr_inodes=64,nosuid,nodev gda-confined "$root"
cd "$root"
mkdir from
mount --bind /proc/self/fd/3 from
mount -o remount,bind,ro from
if [ -n "$to" ]; then
  mkdir to
  mount --bind /proc/self/fd/4 to
fi
mkdir usr
mount --bind /usr usr
mount -o remount,bind,ro usr
for d in bin sbin lib lib32 lib64 libx32; do
  if [ -L "/$d" ]; then
    ln -s "$(readlink "/$d")" "$d"
  elif [ -d "/$d" ]; then
    mkdir "$d"
    mount --bind "/$d" "$d"
    mount -o remount,bind,ro "$d"
  fi
done
mount -o remount,ro "$root"
exec 3<&-
if [ -n "$to" ]; then exec 4<&-; fi
exec chroot "$root" "$@"
