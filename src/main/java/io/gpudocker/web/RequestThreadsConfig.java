package io.gpudocker.web;

import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.springframework.boot.thread.Threading;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Requests on virtual threads where the runtime has them ({@code spring.threads.virtual.enabled} on Java 21+), decided
 * when the web server is made, not by a condition: a start from the bean definitions written at build time (Spring AOT,
 * on the build's Java 17) has every condition weighed there already, and would otherwise serve on platform threads.
 */
@Configuration(proxyBeanMethods = false)
public class RequestThreadsConfig {

    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> virtualRequestThreads(Environment environment) {
        return factory -> {
            if (virtual(environment)) {
                factory.addProtocolHandlerCustomizers(handler -> handler.setExecutor(new VirtualThreadExecutor("tomcat-handler-")));
            }
        };
    }

    static boolean virtual(Environment environment) {
        return Threading.VIRTUAL.isActive(environment);
    }
}
