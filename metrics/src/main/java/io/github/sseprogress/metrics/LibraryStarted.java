package io.github.sseprogress.metrics;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Whether {@link MetricsStartup} has started the library's beans in the web application's context. Until then
 * the health checks answer without touching them: a probe that comes while the application deploys must not be
 * the first use of the library, on a thread without the application's {@code java:comp} executors. No
 * dependencies, so creating it on any thread is harmless.
 */
@ApplicationScoped
class LibraryStarted {

    private volatile boolean started;

    void set() {
        started = true;
    }

    boolean get() {
        return started;
    }
}
