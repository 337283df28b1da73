package io.gpudocker.access;

import io.gpudocker.api.GatewayInfo;
import io.gpudocker.config.SshSettings;
import io.gpudocker.replicaset.SessionSlots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.forward.AgentForwardingFilter;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.X11ForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The SSH gateway: {@code ssh -p 2222 foo@host} logs in to instance {@code foo} with a key its tenant registered, and
 * lands in its container through {@code docker exec}, with no sshd in the image. Public keys only (no passwords); the
 * host key is generated once into the state directory and kept, so clients see the same one across restarts.
 */
public class SshGateway implements SmartLifecycle, GatewayInfo {
    private static final Logger log = LoggerFactory.getLogger(SshGateway.class);

    private final SshSettings settings;
    private final SshKeys keys;
    private final InstanceAccess access;
    private final ProcessHop processes;
    private final SessionSlots sessions;
    private final SessionSlots forwards;
    private final AccessMeter meter;
    private final Path hostKeyFile;
    private volatile SshServer server;
    private volatile String fingerprint;

    /**
     * @param sessions the tenants' terminal slots: a shell, command or SFTP session holds one
     * @param forwards the tenants' forward slots: each {@code ssh -L} connection holds one
     */
    public SshGateway(SshSettings settings, SshKeys keys, InstanceAccess access, ProcessHop processes, SessionSlots sessions, SessionSlots forwards,
                      AccessMeter meter, Path stateDir) {
        this.settings = settings;
        this.keys = keys;
        this.access = access;
        this.processes = processes;
        this.sessions = sessions;
        this.forwards = forwards;
        this.meter = meter;
        this.hostKeyFile = stateDir.resolve("ssh").resolve("host-key.pem");
    }

    @Override
    public void start() {
        try {
            Files.createDirectories(hostKeyFile.getParent());
            SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(hostKeyFile);
            hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
            hostKeys.setKeySize(256);
            KeyPair hostKey = hostKeys.loadKeys(null).iterator().next();
            fingerprint = KeyUtils.getFingerPrint(hostKey.getPublic());

            SshServer sshd = SshServer.setUpDefaultServer();
            sshd.setHost(settings.host());
            sshd.setPort(settings.port());
            sshd.setKeyPairProvider(hostKeys);
            sshd.setPasswordAuthenticator(null);
            sshd.setKeyboardInteractiveAuthenticator(null);
            sshd.setGSSAuthenticator(null);
            sshd.setHostBasedAuthenticator(null);
            sshd.setPublickeyAuthenticator((user, key, session) -> {
                Optional<SshLogin> login = login(user, key);
                login.ifPresent(l -> session.setAttribute(SshLogin.KEY, l));
                return login.isPresent();
            });
            sshd.setShellFactory(channel -> new ContainerCommand(processes, sessions, meter, ContainerCommand.LOGIN_SHELL, "shell"));
            sshd.setCommandFactory((channel, command) -> new ContainerCommand(processes, sessions, meter, List.of("/bin/sh", "-c", command), "command"));
            sshd.setSubsystemFactories(List.of(new ContainerSftp.Factory(processes, sessions, meter)));
            ContainerForwarding forwarding = new ContainerForwarding(access, forwards, meter, processes.hop());
            sshd.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE, forwarding.factory()));
            AgentForwardingFilter noAgent = (session, type) -> false;
            X11ForwardingFilter noX11 = (session, type) -> false;
            sshd.setForwardingFilter(ForwardingFilter.asForwardingFilter(noAgent, noX11, forwarding));
            CoreModuleProperties.IDLE_TIMEOUT.set(sshd, settings.idleTimeout());
            sshd.setCipherFactories(ciphers(settings.ciphers()));
            // a copy's data in fewer, larger packets (a 32 KiB SFTP write is one packet, not two; the library refuses
            // packets over 256 KiB whole, so the data of one stays well under), read in larger pieces, with room for
            // the client to keep sending while the container takes what came
            CoreModuleProperties.MAX_PACKET_SIZE.set(sshd, 128L * 1024);
            CoreModuleProperties.WINDOW_SIZE.set(sshd, 8L * 1024 * 1024);
            CoreModuleProperties.NIO2_READ_BUFFER_SIZE.set(sshd, 256 * 1024);
            sshd.start();
            server = sshd;
            log.info("ssh gateway listening on {}:{} (host key {})", settings.host(), port(sshd), fingerprint);
        } catch (IOException e) {
            throw new UncheckedIOException("the SSH gateway could not listen on " + settings.addr() + " (--ssh-addr; --no-ssh to go without): " + e.getMessage(), e);
        }
    }

    /** The factories of the ciphers {@code gda.ssh.ciphers} names, in its order; "none" and unknown names refused. */
    static List<NamedFactory<Cipher>> ciphers(List<String> names) {
        List<NamedFactory<Cipher>> factories = new ArrayList<>();
        for (String name : names) {
            BuiltinCiphers cipher = BuiltinCiphers.fromFactoryName(name);
            if (cipher == null || cipher == BuiltinCiphers.none || !cipher.isSupported()) {
                throw new IllegalArgumentException("gda.ssh.ciphers names '" + name + "', which the SSH gateway does not offer (known: "
                        + BuiltinCiphers.VALUES.stream().filter(c -> c != BuiltinCiphers.none && c.isSupported()).map(BuiltinCiphers::getName).toList() + ")");
            }
            factories.add(cipher);
        }
        return factories;
    }

    /** Who logs in, to what: the key's tenant (a removed key: nobody), the instance the user name names, if that tenant may reach it. */
    private Optional<SshLogin> login(String user, java.security.PublicKey key) {
        Optional<SshLogin.UserName> name = SshLogin.UserName.parse(user);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        return keys.owner(key)
                .filter(caller -> name.get().tenant().map(t -> t.equals(caller.tenantName()) || caller.admin()).orElse(true))
                .filter(caller -> access.visible(name.get().replicaSet(), caller))
                .map(caller -> new SshLogin(caller, name.get().replicaSet()));
    }

    private static int port(SshServer sshd) {
        return sshd.getBoundAddresses().stream().filter(InetSocketAddress.class::isInstance).map(a -> ((InetSocketAddress) a).getPort())
                .findFirst().orElse(sshd.getPort());
    }

    @Override
    public void stop() {
        SshServer s = server;
        server = null;
        if (s != null) {
            try {
                s.stop(true);
            } catch (IOException e) {
                log.debug("stopping the ssh gateway: {}", e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** {@code --no-ssh}: never started, no port opened ({@link #sshPort()} stays 0). */
    @Override
    public boolean isAutoStartup() {
        return settings.enabled();
    }

    @Override
    public int sshPort() {
        SshServer s = server;
        return s == null ? 0 : port(s);
    }

    @Override
    public String hostKeyFingerprint() {
        return fingerprint;
    }
}
