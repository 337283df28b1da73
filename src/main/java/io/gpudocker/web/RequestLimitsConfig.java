package io.gpudocker.web;

import io.gpudocker.config.GdaProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The body cap sits in front of every other filter, the security chain included, so nothing reads past it. */
@Configuration(proxyBeanMethods = false)
public class RequestLimitsConfig {

    @Bean
    FilterRegistrationBean<BodySizeLimit> bodySizeLimit(GdaProperties props) {
        FilterRegistrationBean<BodySizeLimit> registration = new FilterRegistrationBean<>(new BodySizeLimit(props.limits().maxBodySize().toBytes()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
