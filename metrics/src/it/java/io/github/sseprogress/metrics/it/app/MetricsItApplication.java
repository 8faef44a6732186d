package io.github.sseprogress.metrics.it.app;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The test application of {@code ServersMetricsIT}: everything under {@code /api}. */
@ApplicationPath("api")
public class MetricsItApplication extends Application {
}
