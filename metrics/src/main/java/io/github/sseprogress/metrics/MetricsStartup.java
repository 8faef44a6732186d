package io.github.sseprogress.metrics;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Registers the library's metrics when the web application starts, on a thread that has the application's
 * naming context: Payara cannot inject the container's {@code java:comp} executors (which the library's beans
 * need) in an {@code @Initialized(ApplicationScoped.class)} observer, nor on the threads that serve
 * {@code /metrics} and {@code /health}. Until it has run, the health checks leave the library alone.
 */
@WebListener
public class MetricsStartup implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        CDI.current().select(SseProgressMetrics.class).get().register(); // starts the library's beans here
        CDI.current().select(LibraryStarted.class).get().set(); // the health checks may use them from now on
    }
}
