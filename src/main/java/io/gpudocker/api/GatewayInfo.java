package io.gpudocker.api;

/** Where users log in to their instances over SSH, and the host key they should expect there. */
public interface GatewayInfo {

    /** The gateway's port; 0 while it is not listening. */
    int sshPort();

    /** The host key's fingerprint as {@code ssh} prints it ({@code SHA256:...}). */
    String hostKeyFingerprint();
}
