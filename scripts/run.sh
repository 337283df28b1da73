#!/usr/bin/env bash
# `make run`: runs the service. With no etcd configured (no -e/--etcd, no GDA_ETCD_ENDPOINTS, no etcd TLS flags) it uses the
# default 127.0.0.1:2379 and, if nothing answers there, starts a local etcd from the `etcd` binary with its
# data kept under .run/etcd. An etcd configured explicitly is never stood in for: if it does not answer,
# this says so and exits non-zero (a fresh, empty etcd in its place would not know the instances Docker holds).
# The JVM: scripts/java-runtime.sh (Java 25 and the AOT cache `make build` records, when there is a Java 25; GDA_JVM_OPTS).
# The service's state directory is .run/ (GDA_STATE_DIR overrides it): the admin token generated at the first
# start is written there, as .run/admin-token.
set -euo pipefail
cd "$(dirname "$0")/.."
default_endpoint=127.0.0.1:2379
endpoint=${GDA_ETCD_ENDPOINTS:-}
explicit=${GDA_ETCD_ENDPOINTS:+GDA_ETCD_ENDPOINTS}
tls=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    -e|--etcd) endpoint=${args[$((i + 1))]:-}; explicit=${args[$i]} ;;
    --etcd=*) endpoint=${args[$i]#--etcd=}; explicit=--etcd ;;
    --gda.etcd.endpoints=*) endpoint=${args[$i]#--gda.etcd.endpoints=}; explicit=--gda.etcd.endpoints ;;
    --etcd-cacert|--etcd-cert|--etcd-cacert=*|--etcd-cert=*|--gda.etcd.ca-file=*|--gda.etcd.cert-file=*) tls=${args[$i]%%=*} ;;
  esac
done
# the local etcd started below speaks plain http, which a client set up for TLS cannot use
tls=${tls:-${GDA_ETCD_CA_FILE:+GDA_ETCD_CA_FILE}}
explicit=${explicit:-${tls:-}}
endpoint=${endpoint:-$default_endpoint}
first=${endpoint%%,*}; first=${first#http://}; first=${first#https://}; host=${first%:*}; port=${first##*:}
answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if ! answers; then
  if [ -n "$explicit" ]; then
    echo "run.sh: etcd at $endpoint (set by $explicit) does not answer; start it, or fix the endpoint." >&2
    echo "run.sh: no local etcd is started in its place: an empty etcd would not know the instances Docker holds." >&2
    exit 1
  fi
  command -v etcd >/dev/null || scripts/install-deps.sh run
  mkdir -p .run/etcd
  echo "starting a local etcd at $host:$port (data in .run/etcd, log in .run/etcd.log)"
  setsid etcd --name gpu-docker-api --data-dir .run/etcd \
    --listen-client-urls "http://$host:$port" --advertise-client-urls "http://$host:$port" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "gpu-docker-api=http://127.0.0.1:$((port + 1))" > .run/etcd.log 2>&1 < /dev/null &
  echo $! > .run/etcd.pid
  for _ in $(seq 1 40); do answers && break; sleep 0.25; done
  answers || { echo "run.sh: the local etcd did not come up; see .run/etcd.log" >&2; exit 1; }
fi
export GDA_STATE_DIR=${GDA_STATE_DIR:-$PWD/.run}
mkdir -p "$GDA_STATE_DIR"
token_file=
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --admin-token-file) token_file=${args[$((i + 1))]:-} ;;
    --admin-token-file=*) token_file=${args[$i]#--admin-token-file=} ;;
    --no-auth) token_file=none ;;
  esac
done
if [ "$token_file" = none ]; then
  echo "no tokens (--no-auth): every caller is the admin; refused unless -a names a loopback address"
elif [ -n "${GDA_ADMIN_TOKEN:-}" ]; then
  echo "admin token: the value of GDA_ADMIN_TOKEN"
elif [ -n "$token_file" ]; then
  echo "admin token: the contents of $token_file"
else
  echo "admin token: cat $GDA_STATE_DIR/admin-token   (generated at the first start; only its hash is kept in etcd)"
  echo "  e.g. TOKEN=\$(cat $GDA_STATE_DIR/admin-token); curl -H \"Authorization: Bearer \$TOKEN\" localhost:2378/api/v1/replicaSet"
fi
# the java (25 preferred), memory and thread options and class archive of scripts/java-runtime.sh
# shellcheck source=scripts/java-runtime.sh
source scripts/java-runtime.sh
launch_command
exec "${GDA_LAUNCH[@]}" "$@"
