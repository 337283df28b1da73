#!/usr/bin/env bash
# `make chaos`: the crash matrix (it/ChaosIT) against its own test rig: random mutating calls, each cut by a
# SIGKILL of the service at a random moment, then a restart and the invariants (docs/reliability.md, "Chaos").
# CHAOS_ROUNDS (default 30) and CHAOS_SEED (default: the test's fixed seed) choose the run; a failing seed
# reproduces. The rig is torn down afterwards whatever the outcome, unless GDA_KEEP_TEST_ENV=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "make chaos needs root: it starts its own dockerd (own socket, data root and bridge)" >&2
  exit 1
fi
scripts/install-deps.sh test
scripts/test-env.sh up
cleanup() { [ "${GDA_KEEP_TEST_ENV:-0}" = 1 ] || scripts/test-env.sh down; }
trap cleanup EXIT
# shellcheck disable=SC1091
source "${GDA_TEST_DIR:-/tmp/gda-test}/env"
args=(-Dchaos.rounds="${CHAOS_ROUNDS:-30}")
[ -z "${CHAOS_SEED:-}" ] || args+=(-Dchaos.seed="$CHAOS_SEED")
mvn -B -Dgit.commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" verify \
  -Dit.test=ChaosIT -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false "${args[@]}"
