package io.github.sseprogress.testing;

import java.util.Map;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Installs a real MicroProfile Config (SmallRye) with the given properties for the current thread's
 * class loader, as a server would for an application; {@link #close()} releases it.
 */
public final class TestConfig implements AutoCloseable {

    private final Config config;
    private final ClassLoader loader;

    private TestConfig(Map<String, String> properties) {
        loader = Thread.currentThread().getContextClassLoader();
        ConfigProviderResolver resolver = ConfigProviderResolver.instance();
        try {
            resolver.releaseConfig(resolver.getConfig(loader));
        } catch (RuntimeException ignored) {
            // none registered yet
        }
        config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.copyOf(properties), "test", 500))
                .build();
        resolver.registerConfig(config, loader);
    }

    public static TestConfig install(Map<String, String> properties) {
        return new TestConfig(properties);
    }

    @Override
    public void close() {
        ConfigProviderResolver.instance().releaseConfig(config);
    }
}
