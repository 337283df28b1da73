package io.gpudocker.image;

import io.gpudocker.docker.ContainerEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ImageConfig {

    @Bean
    ImageCatalog imageCatalog(ContainerEngine engine) {
        return new ImageCatalog(engine);
    }
}
