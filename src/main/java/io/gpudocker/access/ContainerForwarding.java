package io.gpudocker.access;

import io.gpudocker.api.ApiException;
import io.gpudocker.replicaset.SessionSlots;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.TcpipServerChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ssh -L} (direct-tcpip) into the instance: the destination the client names as {@code localhost},
 * {@code 127.0.0.1}, the instance's name or its address means the instance's container, and is rewritten to the
 * container's address before the library connects; any other destination is refused by the filter, so the gateway
 * never becomes a way into the host's or anyone else's network. Remote forwarding ({@code -R}), agent and X11
 * forwarding are refused. Each forwarded connection holds one of the tenant's forward slots.
 */
final class ContainerForwarding implements TcpForwardingFilter {
    private static final Logger log = LoggerFactory.getLogger(ContainerForwarding.class);
    /** The addresses and ports this session's forwarded channels were rewritten to: the only destinations allowed. */
    private static final AttributeKey<Set<String>> ALLOWED = new AttributeKey<>();
    /** Where a refused channel is pointed: a name that never resolves and is never allowed. */
    private static final String REFUSED = "refused.invalid";

    private final InstanceAccess access;
    private final SessionSlots slots;
    private final AccessMeter meter;
    private final AccessHop hop;

    ContainerForwarding(InstanceAccess access, SessionSlots slots, AccessMeter meter, AccessHop hop) {
        this.access = access;
        this.hop = hop;
        this.slots = slots;
        this.meter = meter;
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        return false;
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        Set<String> allowed = session.getAttribute(ALLOWED);
        return type == Type.Direct && allowed != null && allowed.contains(address.getHostName() + ":" + address.getPort());
    }

    /** Makes the channels of {@code ssh -L}. */
    TcpipServerChannel.TcpipFactory factory() {
        return new TcpipServerChannel.TcpipFactory(Type.Direct) {
            @Override
            public Channel createChannel(Session session) {
                return new Forwarded();
            }
        };
    }

    private final class Forwarded extends TcpipServerChannel {
        private volatile SessionSlots.Slot slot;
        private volatile String tenant;

        Forwarded() {
            super(Type.Direct, null);
        }

        @Override
        protected OpenFuture doInit(Buffer buffer) {
            String host = buffer.getString();
            int port = buffer.getInt();
            String originator = buffer.getString();
            int originatorPort = buffer.getInt();
            String destination = REFUSED;
            int destinationPort = port;
            SshLogin login = getSession().getAttribute(SshLogin.KEY);
            if (login != null && local(host, login.replicaSet())) {
                try {
                    slot = slots.acquire(login.caller());
                    tenant = login.caller().tenantName();
                    Optional<AccessHop.Peer> owner = hop.owner(login.replicaSet());
                    if (owner.isPresent() && access.visible(login.replicaSet(), login.caller())) {
                        destination = "127.0.0.1";
                        destinationPort = ForwardHop.bridge(hop, owner.get(), login.replicaSet(), port, login.caller());
                    } else {
                        destination = access.address(access.running(login.replicaSet(), login.caller()));
                    }
                    getSession().computeAttributeIfAbsent(ALLOWED, k -> ConcurrentHashMap.newKeySet()).add(destination + ":" + destinationPort);
                    addCloseFutureListener(f -> {
                        // sent to the client and not yet given back in a window adjust
                        meter.add(tenant, "ssh", Math.max(0, getRemoteWindow().getMaxSize() - getRemoteWindow().getSize()));
                        release();
                    });
                    log.info("ssh: {} forwards to port {} of instance {}", login.caller().name(), port, login.replicaSet());
                } catch (ApiException | java.io.IOException e) {
                    release();
                    log.info("ssh: forward to port {} of instance {} refused: {}", port, login.replicaSet(), e.getMessage());
                    destination = REFUSED;
                }
            } else {
                log.info("ssh: forward to {}:{} refused: only the instance itself is reachable", host, port);
            }
            Buffer rewritten = new ByteArrayBuffer();
            rewritten.putString(destination);
            rewritten.putUInt(destinationPort);
            rewritten.putString(originator);
            rewritten.putUInt(originatorPort);
            return super.doInit(rewritten);
        }

        /**
         * What the client took in: each window adjust it sends gives back as many bytes as it consumed of what the
         * container sent, so their sum (and what is left consumed at the close) counts the way back without reading
         * the library's own stream.
         */
        @Override
        public void handleWindowAdjust(Buffer buffer) throws java.io.IOException {
            if (tenant != null) {
                int at = buffer.rpos();
                meter.add(tenant, "ssh", buffer.getUInt());
                buffer.rpos(at);
            }
            super.handleWindowAdjust(buffer);
        }

        @Override
        protected void doWriteData(byte[] data, int off, long len) throws java.io.IOException {
            if (tenant != null) {
                meter.add(tenant, "ssh", len);
            }
            super.doWriteData(data, off, len);
        }

        private void release() {
            SessionSlots.Slot s = slot;
            if (s != null) {
                s.close();
            }
        }
    }

    private static boolean local(String host, String replicaSet) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1") || host.equals(replicaSet);
    }
}
