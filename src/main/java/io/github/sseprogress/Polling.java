package io.github.sseprogress;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A polling publisher for a {@link Manager} topic: the {@link Source} is called every interval
 * (the first time immediately) while the topic has subscribers, and what it returns is published.
 * It starts when the topic gets its first subscriber and stops when the last one leaves; it does no
 * work while nobody is connected. Immutable: every {@code with}-style method returns a copy.
 *
 * <ul>
 *   <li>A payload equal (as sent) to the previous one is not re-sent; a subscriber that joins later
 *       gets the latest payload at once.</li>
 *   <li>A poll that throws publishes {@code {"status":404,"message":...}} when it threw
 *       {@code jakarta.ws.rs.NotFoundException} or {@code java.util.NoSuchElementException},
 *       {@code {"status":500,"message":...}} otherwise, and polling goes on.</li>
 *   <li>{@link #stopWhen} ends polling after publishing a payload it accepts; {@link #onStop} is called
 *       exactly once whatever stopped it (condition, last subscriber gone, shutdown).</li>
 * </ul>
 *
 * <pre>{@code
 * topics.subscribe(Manager.topicOf(uriInfo), sink, sse, SubscribeOptions.builder()
 *     .polling(Polling.of(cancel -> deviceRepository.findAll()).every(Duration.ofSeconds(2)))
 *     .build());
 * }</pre>
 *
 * Threads: the source, the stop condition and the stop callback run on the container's
 * {@code ManagedExecutorService} (the scheduler only triggers them), never two polls of one topic at
 * a time.
 */
public final class Polling {

    /** Produces the payload to publish; may block, should watch {@code cancellation}. */
    @FunctionalInterface
    public interface Source {
        /**
         * Polls once.
         *
         * @param cancellation tells whether polling was stopped (and can run a callback then, e.g. to
         *        abort a blocking call)
         * @return the payload: text is sent as is, anything else as JSON
         * @throws Exception any failure, published as an error payload
         */
        Object poll(Cancellation cancellation) throws Exception;
    }

    /** The cancellation signal handed to a {@link Source}. Thread-safe. */
    public interface Cancellation {
        /** Whether polling has been stopped. */
        boolean isCancelled();

        /** Runs {@code action} once when polling stops (at once if it already has). */
        void onCancel(Runnable action);
    }

    private final Source source;
    private final Duration interval;
    private final Predicate<Object> stopCondition;
    private final Runnable stopCallback;

    private Polling(Source source, Duration interval, Predicate<Object> stopCondition, Runnable stopCallback) {
        this.source = source;
        this.interval = interval;
        this.stopCondition = stopCondition;
        this.stopCallback = stopCallback;
    }

    /** Polls {@code source} at the configured default interval ({@code sse.polling.interval}, 5 s). */
    public static Polling of(Source source) {
        return new Polling(Objects.requireNonNull(source, "source"), null, null, null);
    }

    /**
     * The interval between the end of one poll and the start of the next.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Polling every(Duration interval) {
        if (interval == null || interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("polling interval must be positive: " + interval);
        }
        return new Polling(source, interval, stopCondition, stopCallback);
    }

    /** Stops polling after publishing a payload for which {@code condition} is true. */
    public Polling stopWhen(Predicate<Object> condition) {
        return new Polling(source, interval, Objects.requireNonNull(condition, "condition"), stopCallback);
    }

    /** Called once when polling stops, for any reason. */
    public Polling onStop(Runnable callback) {
        return new Polling(source, interval, stopCondition, Objects.requireNonNull(callback, "callback"));
    }

    // What the library reads back (through io.github.sseprogress.internal.ApiAccess); not API.

    Source source() {
        return source;
    }

    /** {@code null} for the configured default. */
    Duration interval() {
        return interval;
    }

    /** {@code null} when none. */
    Predicate<Object> stopCondition() {
        return stopCondition;
    }

    /** {@code null} when none. */
    Runnable stopCallback() {
        return stopCallback;
    }
}
