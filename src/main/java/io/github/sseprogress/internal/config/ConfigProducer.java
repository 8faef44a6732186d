package io.github.sseprogress.internal.config;

import java.util.Optional;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Produces the application's {@link SseConfig} from MicroProfile Config (the application's
 * {@code ConfigProvider}: server variables, environment, system properties, the WAR's
 * {@code microprofile-config.properties}).
 */
@ApplicationScoped
public class ConfigProducer {

    @Produces
    @Singleton
    SseConfig sseConfig() {
        return read();
    }

    /**
     * Reads the application's settings; also for the library's JAX-RS providers, which the runtime
     * may instantiate outside CDI (the in-process tests' Jersey does).
     */
    public static SseConfig read() {
        Config config = ConfigProvider.getConfig(classLoader());
        return new SseConfig(key -> lookup(config, key));
    }

    private static Optional<String> lookup(Config config, String key) {
        return config.getOptionalValue(key, String.class);
    }

    private static ClassLoader classLoader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        return tccl != null ? tccl : ConfigProducer.class.getClassLoader();
    }
}
