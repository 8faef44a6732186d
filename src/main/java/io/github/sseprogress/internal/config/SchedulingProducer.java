package io.github.sseprogress.internal.config;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * The one place the container's executor is obtained: the default
 * {@code java:comp/DefaultManagedScheduledExecutorService}. Its threads carry the application's
 * context and are managed (and stopped) by the container; the library never creates a thread.
 */
@ApplicationScoped
public class SchedulingProducer {

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService executor;

    @Produces
    @ApplicationScoped
    Scheduling scheduling() {
        if (executor == null) {
            throw new IllegalStateException("No ManagedScheduledExecutorService at "
                    + "java:comp/DefaultManagedScheduledExecutorService: enable the Jakarta Concurrency feature "
                    + "(Open Liberty: concurrent-3.0)");
        }
        return Scheduling.of(executor);
    }
}
