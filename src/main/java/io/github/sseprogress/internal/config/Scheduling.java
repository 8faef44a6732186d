package io.github.sseprogress.internal.config;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

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

    /** Wraps a scheduler and a writer pool. */
    static Scheduling of(ScheduledExecutorService executor, Executor writers) {
        return new Scheduling() {
            @Override
            public ScheduledExecutorService executor() {
                return executor;
            }

            @Override
            public Executor writers() {
                return writers;
            }
        };
    }
}
