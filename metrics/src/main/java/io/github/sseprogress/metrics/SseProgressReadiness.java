package io.github.sseprogress.metrics;

import java.util.Optional;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.github.sseprogress.spi.ClusterStatus;
import io.github.sseprogress.spi.LibraryMetrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Readiness ({@code /health/ready}) check {@code sse-progress}: UP while the library serves (not shut
 * down, its periodic task ran within the last 10 s, so the managed scheduler and executors work) and,
 * when it runs clustered, its engine is connected to the bus and subscribed. Data: open streams, and
 * with a cluster {@code connected}, {@code subscribed}, {@code lastProbeAgeMillis} (-1: none yet),
 * {@code reconnects}. Reads only what the library keeps (no I/O). DOWN with {@code starting} until the web
 * application has started the library: a probe during deployment never starts it on the probe's thread.
 */
@Readiness
@ApplicationScoped
public class SseProgressReadiness implements HealthCheck {

    static final String NAME = "sse-progress";

    @Inject
    LibraryMetrics library;

    @Inject
    LibraryStarted started;

    @Override
    public HealthCheckResponse call() {
        if (!started.get()) {
            return starting(false);
        }
        try {
            return check();
        } catch (RuntimeException e) {
            return notStarted(e);
        }
    }

    /**
     * The web application has not started the library yet ({@link MetricsStartup}): {@code up} for liveness (nothing
     * is broken), DOWN for readiness. Touches none of the library's beans.
     */
    static HealthCheckResponse starting(boolean up) {
        return HealthCheckResponse.named(NAME).status(up).withData("running", false).withData("starting", true).build();
    }

    /** The library's beans could not be reached from this thread (not started yet): DOWN, with the reason. */
    static HealthCheckResponse notStarted(RuntimeException e) {
        return HealthCheckResponse.named(NAME).down().withData("running", false)
                .withData("error", String.valueOf(e.getMessage())).build();
    }

    private HealthCheckResponse check() {
        boolean running = library.running();
        HealthCheckResponseBuilder b = HealthCheckResponse.named(NAME).withData("running", running)
                .withData("openStreams", library.openStreams());
        Optional<ClusterStatus> cluster = library.cluster();
        boolean up = running;
        if (cluster.isPresent()) {
            ClusterStatus s = cluster.get();
            b.withData("connected", s.connected()).withData("subscribed", s.subscribed())
                    .withData("lastProbeAgeMillis", s.lastProbe() == null ? -1
                            : Math.max(0, System.currentTimeMillis() - s.lastProbe().toEpochMilli()))
                    .withData("reconnects", s.reconnects());
            up = up && s.connected() && s.subscribed();
        }
        return b.status(up).build();
    }
}
