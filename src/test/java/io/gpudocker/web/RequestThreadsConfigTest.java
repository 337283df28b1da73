package io.gpudocker.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.mock.env.MockEnvironment;

class RequestThreadsConfigTest {
    private static final boolean RUNTIME_HAS_VIRTUAL_THREADS = Runtime.version().feature() >= 21;

    @Test
    void requestsRunOnVirtualThreadsWhenAskedAndTheRuntimeHasThem() {
        Http11NioProtocol handler = customized(new MockEnvironment().withProperty("spring.threads.virtual.enabled", "true"));

        if (RUNTIME_HAS_VIRTUAL_THREADS) {
            assertThat(handler.getExecutor()).isInstanceOf(VirtualThreadExecutor.class);
        } else {
            assertThat(handler.getExecutor()).isNull();
        }
    }

    @Test
    void requestsStayOnTomcatsOwnPoolWhenNotAsked() {
        Http11NioProtocol handler = customized(new MockEnvironment());

        assertThat(handler.getExecutor()).isNull();
    }

    @SuppressWarnings("unchecked")
    private static Http11NioProtocol customized(MockEnvironment environment) {
        TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
        new RequestThreadsConfig().virtualRequestThreads(environment).customize(factory);
        Http11NioProtocol handler = new Http11NioProtocol();
        factory.getProtocolHandlerCustomizers().forEach(c -> ((TomcatProtocolHandlerCustomizer<Http11NioProtocol>) c).customize(handler));
        return handler;
    }
}
