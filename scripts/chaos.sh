#!/usr/bin/env bash
# `make chaos`: the crash matrix (it/ChaosIT) against its own test rig: random mutating calls, each cut by a
# SIGKILL of the service at a random moment, then a restart and the invariants (docs/reliability.md, "Chaos").
# CHAOS_ROUNDS (default 30) and CHAOS_SEED (default: the test's fixed seed) choose the run; a failing seed
# reproduces.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-Dchaos.rounds="${CHAOS_ROUNDS:-30}")
[ -z "${CHAOS_SEED:-}" ] || args+=(-Dchaos.seed="$CHAOS_SEED")
exec scripts/test.sh -Dit.test=ChaosIT -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false "${args[@]}"
