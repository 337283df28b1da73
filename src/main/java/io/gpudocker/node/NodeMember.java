package io.gpudocker.node;

import java.time.Instant;

/** A node's lasting membership: it stays listed (as down) while its process is gone, and says whether it takes new instances. */
public record NodeMember(String name, String advertise, Instant joinedAt, boolean cordoned) {

    NodeMember withAdvertise(String newAdvertise) { return new NodeMember(name, newAdvertise, joinedAt, cordoned); }

    NodeMember withCordoned(boolean newCordoned) { return new NodeMember(name, advertise, joinedAt, newCordoned); }
}
