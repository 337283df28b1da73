#!/usr/bin/env bash
# `make openapi`: starts the service on a free loopback port, fetches /v3/api-docs and writes
# api/gpu-docker-api.openapi.json for import into ApiFox/Postman: pretty-printed, keys sorted, and with the
# default listen address as its server (the served document names the port it was fetched from).
# Needs what the service needs to start: etcd (GDA_ETCD_ENDPOINTS, default 127.0.0.1:2379) and Docker
# (GDA_DOCKER_HOST, default the local socket). It uses its own etcd prefix, so it sees and changes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
out=api/gpu-docker-api.openapi.json
jar=target/gpu-docker-api.jar
command -v jq >/dev/null || { echo "export-openapi: jq is needed (apt-get install jq)" >&2; exit 1; }

if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -type f -print -quit)" ]; then
  mvn -B -q -o -Dgit.commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -DskipTests package \
    || mvn -B -q -Dgit.commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -DskipTests package
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t gda-openapi.XXXXXX.log)
# a throwaway admin token, so that no token file is generated into the state directory
java -jar "$jar" --server.address=127.0.0.1 --server.port="$port" \
  --gda.etcd.prefix=/gpu-docker-api-openapi-export --gda.ports.range=65000-65010 --no-auth --no-ssh >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/v3/api-docs" -o "$log.json" 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "export-openapi: the service did not start:" >&2; tail -20 "$log" >&2; exit 1; fi
  sleep 0.5
done
[ -s "$log.json" ] || { echo "export-openapi: no answer from /v3/api-docs within 60 s" >&2; tail -20 "$log" >&2; exit 1; }

mkdir -p api
jq -S --indent 2 '.servers = [{"url": "http://127.0.0.1:2378", "description": "the default listen address; change it to your host"}]' "$log.json" > "$out"
rm -f "$log.json"
echo "wrote $out ($(jq '.paths | length' "$out") paths)"
