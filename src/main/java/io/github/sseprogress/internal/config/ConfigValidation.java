package io.github.sseprogress.internal.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Reads the configuration when the application starts, so an invalid value fails the deployment
 * with a message naming the key instead of failing the first request.
 */
@ApplicationScoped
class ConfigValidation {

    @Inject
    Instance<SseConfig> config;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        config.get().heartbeatInterval();
    }
}
