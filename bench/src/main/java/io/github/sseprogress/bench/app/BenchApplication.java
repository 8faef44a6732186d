package io.github.sseprogress.bench.app;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The bench WAR: {@code /bench/ours/...} (the library), {@code /bench/stock/...} (plain SseBroadcaster), {@code /bench/ops}. */
@ApplicationPath("bench")
public class BenchApplication extends Application {
}
