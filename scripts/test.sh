#!/usr/bin/env bash
# `make test`: unit tests, then the integration tests against real Docker and etcd (scripts/test-env.sh).
# Arguments are passed on to Maven, so `make chaos` and `make test-xfs` run their selections on the same rig
# wrapper. The test environment is torn down afterwards whatever the outcome, unless GDA_KEEP_TEST_ENV=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "the tests need root: they start their own dockerd (own socket, data root and bridge)" >&2
  exit 1
fi
scripts/install-deps.sh test
cleanup() { [ "${GDA_KEEP_TEST_ENV:-0}" = 1 ] || scripts/test-env.sh down; }
trap cleanup EXIT
scripts/test-env.sh up
# shellcheck disable=SC1091
source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
mvn -B -Dgit.commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" verify "$@"
