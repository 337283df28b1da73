#!/usr/bin/env bash
# `make test-xfs`: the integration tests of everything that copies data (updates, rollbacks, volume resizes)
# again, on a rig whose Docker data root is XFS with reflinks (scripts/test-env.sh, GDA_TEST_DATA_FS=xfs),
# so the clone path stays proven beside the byte path that `make test` runs on the machine's own filesystem.
# The rig is its own (directory, bridge, etcd port), torn down afterwards whatever the outcome, unless
# GDA_KEEP_TEST_ENV=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export GDA_TEST_DATA_FS=xfs
export GDA_TEST_DIR=${GDA_TEST_XFS_DIR:-/tmp/gda-test-xfs}
export GDA_TEST_BRIDGE=${GDA_TEST_XFS_BRIDGE:-gdaxfs0}
export GDA_TEST_BRIDGE_CIDR=${GDA_TEST_XFS_BRIDGE_CIDR:-10.214.0.1/24}
# node 2 of this rig stays on the machine's own filesystem (scripts/test-env.sh); only its bridge is its own
export GDA_TEST_BRIDGE2=${GDA_TEST_XFS_BRIDGE2:-gdaxfs1}
export GDA_TEST_BRIDGE2_CIDR=${GDA_TEST_XFS_BRIDGE2_CIDR:-10.216.0.1/24}
export GDA_TEST_ETCD_PORT=${GDA_TEST_XFS_ETCD_PORT:-23890}
export GDA_TEST_DATA_FS_SIZE=${GDA_TEST_DATA_FS_SIZE:-16G}
exec scripts/test.sh -Dit.test='ReplicaSetUpdateIT,VolumeIT,CopyMethodIT' -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
