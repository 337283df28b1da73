package io.gpudocker.image;

import io.gpudocker.docker.ContainerEngine;
import io.gpudocker.store.KeyValueStore;
import io.gpudocker.store.Keys;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ImageConfig {

    @Bean
    ImageAccess imageAccess(ContainerEngine engine, KeyValueStore store, Keys keys) {
        return new ImageAccess(engine, store, keys);
    }

    @Bean
    ImageCatalog imageCatalog(ContainerEngine engine, ImageAccess access) {
        return new ImageCatalog(engine, access);
    }
}
