package io.gpudocker.node;

import io.gpudocker.api.BuildInfo;
import io.gpudocker.event.EventLog;
import io.gpudocker.config.GdaProperties;
import io.gpudocker.config.SessionLimits;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.resource.cpu.CpuScheduler;
import io.gpudocker.resource.gpu.GpuScheduler;
import io.gpudocker.resource.memory.MemoryPool;
import io.gpudocker.resource.port.PortScheduler;
import io.gpudocker.store.ClusterIdentity;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.gpudocker.volume.VolumeRepository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.HandlerMapping;

/** Wires this process as a node: its presence in etcd, the directory of the others, placement, and forwarding. */
@Configuration(proxyBeanMethods = false)
public class NodeConfig {
    private static final Logger log = LoggerFactory.getLogger(NodeConfig.class);

    @Bean
    NodeDirectory nodeDirectory(KeyValueStore store, Keys keys) {
        return new NodeDirectory(store, keys);
    }

    @Bean
    NodeMembers nodeMembers(KeyValueStore store, Keys keys) {
        return new NodeMembers(store, keys);
    }

    @Bean
    LocalFigures localFigures(GdaProperties props, GpuScheduler gpus, CpuScheduler cpus, MemoryPool memory, PortScheduler ports) {
        String advertise = props.node().advertise();
        return new LocalFigures(props.node().name(), BuildInfo.load().version(), advertise == null || advertise.isBlank() ? null : advertise,
                gpus, cpus, memory, ports);
    }

    /** The first start-up check: the node's name is held before anything is reconciled. */
    @Bean(destroyMethod = "close")
    NodePresence nodePresence(KeyValueStore store, Keys keys, GdaProperties props, LocalFigures figures, NodeMembers members, ClusterIdentity identity,
                              EventLog events) {
        return new NodePresence(store, keys, props.node().leaseTtl(), Path.of(props.stateDir()), props.etcd().prefix(), figures, members, identity::holds,
                events);
    }

    @Bean
    LegacyClaim legacyClaim(KeyValueStore store, Keys keys) {
        return new LegacyClaim(store, keys);
    }

    @Bean
    ClusterSecret clusterSecret(KeyValueStore store, Keys keys, GdaProperties props, ClusterIdentity identity, NodeDirectory directory) {
        GdaProperties.Node node = props.node();
        String from = node.secret() != null && !node.secret().isBlank() ? "gda.node.secret" : "gda.node.secret-file " + node.secretFile();
        return new ClusterSecret(store, keys, InterNodeCredential.configured(node.secret(), node.secretFile()), from, adminToken(props.auth()),
                () -> identity.cluster().id(), directory);
    }

    @Bean
    InterNodeCredential interNodeCredential(ClusterSecret secret, Keys keys) {
        return new InterNodeCredential(secret, keys, Clock.systemUTC());
    }

    /**
     * The admin token the operator gave this node (the auth package checks its length and refuses a bad one at start), or
     * null: a generated token is only in one node's state directory, so no other node could derive the same secret.
     */
    private static String adminToken(GdaProperties.Auth auth) {
        if (auth.adminToken() != null && !auth.adminToken().isBlank()) {
            return auth.adminToken().trim();
        }
        if (auth.adminTokenFile() == null || auth.adminTokenFile().isBlank()) {
            return null;
        }
        try {
            return Files.readString(Path.of(auth.adminTokenFile())).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the admin token file " + auth.adminTokenFile() + ": " + e.getMessage(), e);
        }
    }

    @Bean
    Forwarder forwarder(InterNodeCredential credential, GdaProperties props) {
        return new Forwarder(credential, props.node().name(), trust(props.node().trustStore()));
    }

    @Bean
    NodeTerminalRelay nodeTerminalRelay(NodeDirectory directory, GdaProperties props, InterNodeCredential credential, SessionLimits sessions) {
        return new NodeTerminalRelay(directory, trust(props.node().trustStore()), credential, sessions.maxRelays());
    }

    @Bean
    NodeAccessHop nodeAccessHop(NodeDirectory directory, OwnerView records, InterNodeCredential credential, GdaProperties props) {
        return new NodeAccessHop(directory, records, credential, trust(props.node().trustStore()));
    }

    @Bean
    Placement placement(NodeDirectory directory, GdaProperties props) {
        return new Placement(directory, props.node().placement());
    }

    @Bean
    NodeQueries nodeQueries(NodeDirectory directory, NodeMembers members, ReplicaSetRepository replicaSets, VolumeRepository volumes) {
        return new NodeQueries(directory, members, replicaSets, volumes);
    }

    /** Which node holds each instance and volume, kept by an etcd watch so that routing a call costs no read of its record. */
    @Bean(initMethod = "start", destroyMethod = "stop")
    OwnerView ownerView(KeyValueStore store, Keys keys) {
        return new OwnerView(store, keys, OwnerView.Later.onItsOwnThread("owner-view"), java.time.Duration.ofSeconds(2));
    }

    /**
     * Right after Spring Security's chain, so it knows the caller; a forwarded call passes straight through. The MVC
     * handler mapping is looked up on the first call: asking for it here would build every controller before the web
     * server starts.
     */
    @Bean
    FilterRegistrationBean<OwnerRouting> ownerRouting(NodeDirectory directory, Placement placement, Forwarder forwarder, OwnerView records,
                                                      @Qualifier("requestMappingHandlerMapping") ObjectProvider<HandlerMapping> mapping) {
        CallForwarding forwarding = new CallForwarding(directory, forwarder);
        FilterRegistrationBean<OwnerRouting> registration = new FilterRegistrationBean<>(new OwnerRouting(new RouteResolver(mapping::getObject),
                directory, records, forwarding, new CreatePlacement(placement, forwarding, records), new ResourceGathering(directory, forwarder)));
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER + 1);
        registration.addUrlPatterns("/api/v1/*");
        return registration;
    }

    /** Once the web server listens: the default address (this host, the real port), and the node shown ready. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> nodeServing(LocalFigures figures, NodePresence presence, NodeMembers members, NodeDirectory directory,
                                                               Environment env) {
        return event -> {
            if ("management".equals(event.getApplicationContext().getServerNamespace())) {
                return; // a separate actuator port is not where the API is
            }
            boolean tls = env.getProperty("server.ssl.bundle") != null || env.getProperty("server.ssl.enabled", Boolean.class, false);
            String host = env.getProperty("server.address");
            if (host == null || host.isBlank() || "0.0.0.0".equals(host) || "::".equals(host)) {
                host = hostname();
            }
            figures.serving((tls ? "https://" : "http://") + host + ":" + event.getWebServer().getPort());
            warnIfPlainInCluster(figures.advertise(), directory);
            try {
                members.join(figures.advertise());
            } catch (RuntimeException e) {
                // the membership shows the address on the next start; the live entry has it now
            }
            presence.publishNow();
        };
    }

    /**
     * Signatures stop a forged or replayed call, not a reader: with other nodes on this etcd, a node reached over plain
     * HTTP has callers' identities, bodies and answers cross the network in clear. A node alone forwards nothing.
     */
    private static void warnIfPlainInCluster(String advertise, NodeDirectory directory) {
        if (!advertise.startsWith("http://")) {
            return;
        }
        java.util.List<String> others;
        try {
            others = directory.members().keySet().stream().filter(n -> !n.equals(directory.self())).toList();
        } catch (RuntimeException e) {
            others = java.util.List.of("?");
        }
        if (!others.isEmpty()) {
            log.warn("this node is reached by the other nodes ({}) over plain HTTP ({}): calls forwarded between nodes, with their callers' "
                    + "identities, bodies and answers, cross the network unencrypted; serve HTTPS on every node (--tls-cert/--tls-key, "
                    + "advertised as https://) and give gda.node.trust-store the CA that signed the nodes' certificates (docs/cluster.md)",
                    String.join(", ", others), advertise);
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** Other nodes' certificates are checked against this PEM bundle when given, else against the JVM's default trust. */
    public static SSLContext trust(String pemFile) {
        if (pemFile == null || pemFile.isBlank()) {
            return null;
        }
        try (InputStream in = Files.newInputStream(Path.of(pemFile))) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("node-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("gda.node.trust-store " + pemFile + " cannot be read: " + e.getMessage(), e);
        }
    }
}
