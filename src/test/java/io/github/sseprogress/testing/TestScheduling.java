package io.github.sseprogress.testing;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.sseprogress.internal.config.Scheduling;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/**
 * Replaces the container's managed scheduler in Weld SE tests, the way an application or test
 * would: an {@code @Alternative @Priority} producer class.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class TestScheduling {

    /** Threads named so tests can count them. */
    public static final String THREAD_PREFIX = "sse-test-scheduler-";
    public static final String WRITER_PREFIX = "sse-test-writer-";
    public static final String CALLBACK_PREFIX = "sse-test-callback-";
    public static final int SCHEDULER_THREADS = Integer.getInteger("sse.test.scheduler-threads", 16);

    @Produces
    @ApplicationScoped
    Scheduling scheduling() {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, THREAD_PREFIX + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        // -Dsse.test.scheduler-threads=1 runs the suite as on Payara Micro, whose default managed
        // scheduler has one thread: no timed work of the library may need a second one.
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(SCHEDULER_THREADS, tf);
        pool.setRemoveOnCancelPolicy(true);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        pool.setKeepAliveTime(30, TimeUnit.SECONDS);
        java.util.concurrent.ThreadPoolExecutor writers = new java.util.concurrent.ThreadPoolExecutor(16, 16, 30,
                TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, WRITER_PREFIX + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        writers.allowCoreThreadTimeOut(true);
        // The container's default ManagedExecutorService: a bounded pool for application callbacks.
        java.util.concurrent.ThreadPoolExecutor callbacks = new java.util.concurrent.ThreadPoolExecutor(8, 8, 30,
                TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, CALLBACK_PREFIX + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // Bounded pools, started up front so thread-count baselines in tests include them whole.
        pool.prestartAllCoreThreads();
        writers.prestartAllCoreThreads();
        callbacks.prestartAllCoreThreads();
        return Scheduling.of(pool, writers, callbacks);
    }

    void close(@Disposes Scheduling scheduling) {
        scheduling.executor().shutdown(); // like a container: queued tasks still run
        ((java.util.concurrent.ExecutorService) scheduling.writers()).shutdown();
        ((java.util.concurrent.ExecutorService) scheduling.callbacks()).shutdown();
    }
}
