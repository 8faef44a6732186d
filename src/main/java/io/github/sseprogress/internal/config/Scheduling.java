package io.github.sseprogress.internal.config;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The executors that run everything the library does off the caller's thread. Produced once by
 * {@link SchedulingProducer} from the container's defaults; tests replace it with an
 * {@code @Alternative @Priority} producer of this type.
 */
public interface Scheduling {

    /**
     * The scheduler (the container's {@code DefaultManagedScheduledExecutorService}): heartbeat and
     * watchdog tick, retention clean-up, polling. Its tasks are short and never write to a client.
     */
    ScheduledExecutorService executor();

    /**
     * Where subscribers' writers run: a bounded pool of container-managed threads. A write to a
     * stalled client blocks its thread up to the server's write timeout, so writers must not share
     * the scheduler: Payara Micro's default managed scheduled executor has a single thread.
     */
    Executor writers();

    /**
     * Where application code runs: polling sources, {@code SubscriberDisconnected} observers,
     * polling stop and cancellation callbacks (the container's {@code DefaultManagedExecutorService}).
     * Never the scheduler, whose threads must stay free for heartbeats and the write watchdog, and
     * never a thread that holds one of the library's locks or is publishing.
     */
    Executor callbacks();

    /**
     * The container's thread factory ({@code java:comp/DefaultManagedThreadFactory}), for the
     * long-running threads of a cluster engine. The default is the JDK's, for tests.
     */
    default ThreadFactory threads() {
        return java.util.concurrent.Executors.defaultThreadFactory();
    }

    /** Wraps a scheduler and a writer pool; application callbacks run on the writer pool. */
    static Scheduling of(ScheduledExecutorService executor, Executor writers) {
        return of(executor, writers, writers);
    }

    /** Wraps a scheduler, a writer pool and the executor for application callbacks. */
    static Scheduling of(ScheduledExecutorService executor, Executor writers, Executor callbacks) {
        return of(executor, writers, callbacks, java.util.concurrent.Executors.defaultThreadFactory());
    }

    /** Wraps a scheduler, a writer pool, the executor for application callbacks and a thread factory. */
    static Scheduling of(ScheduledExecutorService executor, Executor writers, Executor callbacks,
            ThreadFactory threads) {
        return new Scheduling() {
            @Override
            public ThreadFactory threads() {
                return threads;
            }

            @Override
            public ScheduledExecutorService executor() {
                return executor;
            }

            @Override
            public Executor writers() {
                return writers;
            }

            @Override
            public Executor callbacks() {
                return callbacks;
            }
        };
    }
}
