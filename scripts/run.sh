#!/usr/bin/env bash
# `make run`: runs the service. If no etcd answers at the configured endpoint (GDA_ETCD_ENDPOINTS or
# -e, default 127.0.0.1:2379), starts a local one from the `etcd` binary with its data under .run/etcd.
# The service's state directory is .run/ (GDA_STATE_DIR overrides it): the admin token generated at the first
# start is written there, as .run/admin-token.
set -euo pipefail
cd "$(dirname "$0")/.."
endpoint=${GDA_ETCD_ENDPOINTS:-127.0.0.1:2379}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in -e|--etcd) endpoint=${args[$((i + 1))]:-$endpoint} ;; --etcd=*) endpoint=${args[$i]#--etcd=} ;; esac
done
first=${endpoint%%,*}; first=${first#http://}; host=${first%:*}; port=${first##*:}

if ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  command -v etcd >/dev/null || scripts/install-deps.sh run
  mkdir -p .run/etcd
  echo "starting a local etcd at $host:$port (data in .run/etcd, log in .run/etcd.log)"
  setsid etcd --name gpu-docker-api --data-dir .run/etcd \
    --listen-client-urls "http://$host:$port" --advertise-client-urls "http://$host:$port" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "gpu-docker-api=http://127.0.0.1:$((port + 1))" > .run/etcd.log 2>&1 < /dev/null &
  echo $! > .run/etcd.pid
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break; sleep 0.25; done
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
exec java -jar target/gpu-docker-api.jar "$@"
