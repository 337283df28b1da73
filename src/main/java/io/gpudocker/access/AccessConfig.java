package io.gpudocker.access;

import io.gpudocker.config.GdaProperties;
import io.gpudocker.config.ProxySettings;
import io.gpudocker.config.SshSettings;
import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.replicaset.ReplicaSetRepository;
import io.gpudocker.replicaset.SessionSlots;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The SSH gateway, the keys it lets in, and the port proxy. */
@Configuration(proxyBeanMethods = false)
public class AccessConfig {

    @Bean
    SshKeys sshKeys(KeyValueStore store, Keys keys) {
        return new SshKeys(new SshKeyRepository(store, keys), Clock.systemUTC());
    }

    @Bean
    InstanceAccess instanceAccess(ReplicaSetRepository repo, ContainerEngine engine) {
        return new InstanceAccess(repo, engine);
    }

    @Bean
    AccessMeter accessMeter(MeterRegistry registry) {
        return new AccessMeter(registry);
    }

    @Bean
    PortProxy portProxy(InstanceAccess access, AccessMeter meter, ProxySettings settings, ObjectProvider<AccessHop> hop) {
        SessionSlots open = new SessionSlots("proxied request(s)", "gda.proxy.requests-per-tenant", settings.requestsPerTenant(), settings.adminRequests());
        return new PortProxy(access, open, meter, settings.idleTimeout(), hop.getIfAvailable(() -> AccessHop.NONE));
    }

    @Bean
    ProcessHop processHop(InstanceAccess access, ContainerEngine engine, ObjectProvider<AccessHop> hop) {
        return new ProcessHop(access, engine, hop.getIfAvailable(() -> AccessHop.NONE));
    }

    @Bean
    ProxyCookies proxyCookies(ProxySettings settings) {
        return new ProxyCookies(settings.cookieLifetime(), Clock.systemUTC());
    }

    /** Made even with {@code gda.ssh.enabled=false}, where it never starts: no bean depends on a property, as a start from the bean definitions written at build time (Spring AOT) needs. */
    @Bean
    SshGateway sshGateway(SshSettings settings, SshKeys keys, InstanceAccess access, ProcessHop processes,
                          @Qualifier("terminalSlots") SessionSlots terminals, AccessMeter meter, GdaProperties props) {
        SessionSlots forwards = new SessionSlots("forwarded connection(s)", "gda.ssh.forwards-per-tenant", settings.forwardsPerTenant(), settings.adminForwards());
        return new SshGateway(settings, keys, access, processes, terminals, forwards, meter, Path.of(props.stateDir()));
    }
}
