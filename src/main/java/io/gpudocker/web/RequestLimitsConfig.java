package io.gpudocker.web;

import io.gpudocker.config.GdaProperties;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** The body cap sits in front of every other filter, the security chain included, so nothing reads past it; then the ETags of polled views. */
@Configuration(proxyBeanMethods = false)
public class RequestLimitsConfig {

    @Bean
    FilterRegistrationBean<BodySizeLimit> bodySizeLimit(GdaProperties props) {
        FilterRegistrationBean<BodySizeLimit> registration = new FilterRegistrationBean<>(new BodySizeLimit(props.limits().maxBodySize().toBytes()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /** In front of the security chain and routing, so it tags what the caller is answered, wherever that was made. */
    @Bean
    FilterRegistrationBean<ConditionalGets> conditionalGets() {
        FilterRegistrationBean<ConditionalGets> registration = new FilterRegistrationBean<>(new ConditionalGets());
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        registration.addUrlPatterns("/api/v1/*");
        return registration;
    }
}
