package io.github.sseprogress.internal.config;

import java.util.concurrent.ScheduledExecutorService;

/**
 * The executor that runs everything the library does off the caller's thread: heartbeats, the
 * write watchdog, retention clean-up, polling, and the per-subscriber writers. Produced once by
 * {@link SchedulingProducer} from the container's default {@code ManagedScheduledExecutorService};
 * tests replace it with an {@code @Alternative @Priority} producer of this type.
 */
public interface Scheduling {

    /** The scheduler (the container's managed scheduled executor). */
    ScheduledExecutorService executor();

    /** Wraps an executor. */
    static Scheduling of(ScheduledExecutorService executor) {
        return () -> executor;
    }
}
