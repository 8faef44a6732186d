package io.github.sseprogress.metrics;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.github.sseprogress.spi.LibraryMetrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Liveness ({@code /health/live}) check {@code sse-progress}: DOWN only when the library's periodic
 * task (heartbeats, eviction) has stopped running, i.e. the managed scheduler is broken and a restart
 * helps; UP with {@code starting} while the application deploys. Never depends on the cluster: a Redis
 * outage makes the node not ready, never not alive.
 */
@Liveness
@ApplicationScoped
public class SseProgressLiveness implements HealthCheck {

    @Inject
    LibraryMetrics library;

    @Inject
    LibraryStarted started;

    @Override
    public HealthCheckResponse call() {
        if (!started.get()) {
            return SseProgressReadiness.starting(true); // deploying: not ready, but nothing to restart
        }
        try {
            return HealthCheckResponse.named(SseProgressReadiness.NAME).status(library.running()).build();
        } catch (RuntimeException e) {
            return SseProgressReadiness.notStarted(e);
        }
    }
}
