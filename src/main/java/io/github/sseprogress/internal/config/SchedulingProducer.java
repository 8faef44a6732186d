package io.github.sseprogress.internal.config;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * The one place the container's executors are obtained: the default
 * {@code java:comp/DefaultManagedScheduledExecutorService} for timed work, the default
 * {@code java:comp/DefaultManagedExecutorService} for application code, and a pool of
 * {@code sse.writer-threads} threads from {@code java:comp/DefaultManagedThreadFactory} for writes.
 * The pool's threads are created by the container (they carry the application's context), start on
 * demand and end after 30 s idle, so the thread count never depends on the number of subscribers.
 */
@ApplicationScoped
public class SchedulingProducer {

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService executor;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService callbacks;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    @Inject
    SseConfig config;

    @Produces
    @ApplicationScoped
    Scheduling scheduling() {
        if (executor == null || threads == null || callbacks == null) {
            throw new IllegalStateException("No ManagedScheduledExecutorService / ManagedExecutorService / "
                    + "ManagedThreadFactory at java:comp/DefaultManagedScheduledExecutorService, "
                    + "java:comp/DefaultManagedExecutorService, java:comp/DefaultManagedThreadFactory: "
                    + "enable the Jakarta Concurrency feature (Open Liberty: concurrent-3.0)");
        }
        int n = config.writerThreads();
        ThreadPoolExecutor writers = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
        writers.allowCoreThreadTimeOut(true);
        return Scheduling.of(executor, writers, callbacks, threads);
    }

    void close(@Disposes Scheduling scheduling) {
        if (scheduling.writers() instanceof ExecutorService) {
            ((ExecutorService) scheduling.writers()).shutdown(); // the container owns the scheduler
        }
    }
}
