package io.gpudocker.replicaset.reconcile;

import io.gpudocker.common.NameLocks;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.store.ClusterIdentity;

/**
 * What a reconcile pass reads the truth from, and holds while it acts: the records and their locks, this
 * deployment's identity, the intents of unfinished calls, and Docker's containers.
 */
record Sources(ReplicaSetRepository records, NameLocks locks, ClusterIdentity identity, ContainerProofs proofs, DockerLooks docker) { }
