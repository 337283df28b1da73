package io.gpudocker.api;

/** A record of something a tenant holds on one node: whose it is, and which node's Docker engine has it. */
public interface Owned {
    /** Who created it (null: recorded before tenancy, the admin's). */
    String tenant();

    /** The node whose Docker engine holds it (null only in records written before nodes, until a node claims them). */
    String node();
}
