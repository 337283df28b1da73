#!/usr/bin/env bash
# Wipes the service's state: every etcd key under the prefix (default /gpu-docker-api) and the local state of
# `make run` (.run/: the local etcd's data and logs). Containers and volumes are kept unless --containers is
# given; then the containers and Docker volumes labelled io.gpudocker.owner=<prefix> are removed too, with
# the data on them. Without --containers, the next start finds instances etcd does not know and refuses to
# start (exit status 3) until it is run with --recover. Stop the service first.
set -euo pipefail
cd "$(dirname "$0")/.."

endpoints=${GDA_ETCD_ENDPOINTS:-127.0.0.1:2379}
prefix=/gpu-docker-api
yes=0
containers=0
usage() {
  cat <<USAGE
Usage: scripts/reset.sh [-e endpoints] [-p prefix] [-y] [--containers]
  -e, --etcd <host:port,...>   etcd endpoints (default \$GDA_ETCD_ENDPOINTS or 127.0.0.1:2379)
  -p, --prefix <prefix>        etcd prefix the service uses (default /gpu-docker-api)
  -y, --yes                    do not ask for confirmation
      --containers             also remove the containers and Docker volumes this prefix owns
                               (label io.gpudocker.owner=<prefix>), and the data on them
  -h, --help                   print this help
USAGE
}
while [ $# -gt 0 ]; do
  case "$1" in
    -e|--etcd) endpoints=${2:?-e needs a value}; shift 2 ;;
    -p|--prefix) prefix=${2:?-p needs a value}; shift 2 ;;
    -y|--yes) yes=1; shift ;;
    --containers) containers=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "reset.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$prefix" in
  /?*) prefix=${prefix%/} ;;
  *) echo "reset.sh: prefix '$prefix' must start with / and not be / alone" >&2; exit 2 ;;
esac
command -v etcdctl >/dev/null || { echo "reset.sh: etcdctl is needed (apt-get install etcd-client)" >&2; exit 1; }
export ETCDCTL_API=3
etcd=(etcdctl --endpoints="$endpoints" --dial-timeout=3s --command-timeout=10s)

listing=$("${etcd[@]}" get "$prefix/" --prefix --keys-only) || { echo "reset.sh: etcd at $endpoints did not answer" >&2; exit 1; }
keys=$(printf '%s\n' "$listing" | grep -c . || true)
echo "etcd $endpoints: $keys key(s) under $prefix/"
[ -d .run ] && echo "local state: $(pwd)/.run ($(du -sh .run | cut -f1))"
if [ "$containers" = 1 ]; then
  command -v docker >/dev/null || { echo "reset.sh: --containers needs the docker CLI" >&2; exit 1; }
  echo "containers labelled io.gpudocker.owner=$prefix: $(docker ps -aq --filter "label=io.gpudocker.owner=$prefix" | wc -l)"
  echo "Docker volumes labelled io.gpudocker.owner=$prefix: $(docker volume ls -q --filter "label=io.gpudocker.owner=$prefix" | wc -l)"
fi
if [ "$yes" != 1 ]; then
  read -r -p "Delete all of the above? This cannot be undone. [y/N] " answer
  case "$answer" in y|Y|yes|YES) ;; *) echo "nothing changed"; exit 1 ;; esac
fi

deleted=$("${etcd[@]}" del "$prefix/" --prefix)
echo "deleted $deleted etcd key(s) under $prefix/"
if [ -f .run/etcd.pid ] && kill -0 "$(cat .run/etcd.pid)" 2>/dev/null; then
  echo "stopping the local etcd started by make run (pid $(cat .run/etcd.pid))"
  kill "$(cat .run/etcd.pid)"
fi
if [ -d .run ]; then
  rm -rf .run
  echo "removed .run/"
fi
if [ "$containers" = 1 ]; then
  ids=$(docker ps -aq --filter "label=io.gpudocker.owner=$prefix")
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    docker rm -f $ids >/dev/null
    echo "removed $(echo "$ids" | wc -l) container(s)"
  fi
  # after the containers: a volume still mounted cannot be removed
  volumes=$(docker volume ls -q --filter "label=io.gpudocker.owner=$prefix")
  if [ -n "$volumes" ]; then
    # shellcheck disable=SC2086
    docker volume rm $volumes >/dev/null
    echo "removed $(echo "$volumes" | wc -l) Docker volume(s)"
  fi
fi
