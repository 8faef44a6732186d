package io.github.sseprogress;

/**
 * Per-subscription settings for {@link Manager#subscribe(String, jakarta.ws.rs.sse.SseEventSink,
 * jakarta.ws.rs.sse.Sse, SubscribeOptions)}. Unset values fall back to the configuration. Immutable.
 *
 * <pre>{@code
 * SubscribeOptions.builder().polling(Polling.of(c -> clock.now())).queueSize(16).build();
 * }</pre>
 */
public final class SubscribeOptions {

    private static final SubscribeOptions DEFAULTS = builder().build();

    private final Polling polling;
    private final int queueSize;
    private final SlowSubscriberPolicy slowSubscriberPolicy;

    private SubscribeOptions(Builder b) {
        this.polling = b.polling;
        this.queueSize = b.queueSize;
        this.slowSubscriberPolicy = b.slowSubscriberPolicy;
    }

    /** Options that take everything from the configuration. */
    public static SubscribeOptions defaults() {
        return DEFAULTS;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The polling publisher bound to the topic's first and last subscriber, or {@code null}. */
    public Polling polling() {
        return polling;
    }

    /** The subscriber's queue capacity, or 0 for the configured {@code sse.queue-size}. */
    public int queueSize() {
        return queueSize;
    }

    /** The slow-subscriber policy, or {@code null} for the configured one. */
    public SlowSubscriberPolicy slowSubscriberPolicy() {
        return slowSubscriberPolicy;
    }

    /** Builds {@link SubscribeOptions}. Not thread-safe. */
    public static final class Builder {
        private Polling polling;
        private int queueSize;
        private SlowSubscriberPolicy slowSubscriberPolicy;

        private Builder() {
        }

        /**
         * Attaches a polling publisher. Only the polling of the subscriber that creates the topic is
         * used; later subscribers share it.
         */
        public Builder polling(Polling polling) {
            this.polling = polling;
            return this;
        }

        /**
         * The subscriber's bounded queue capacity.
         *
         * @throws IllegalArgumentException when below 1
         */
        public Builder queueSize(int queueSize) {
            if (queueSize < 1) {
                throw new IllegalArgumentException("queueSize must be at least 1: " + queueSize);
            }
            this.queueSize = queueSize;
            return this;
        }

        /** What to do when this subscriber's queue is full. */
        public Builder slowSubscriberPolicy(SlowSubscriberPolicy policy) {
            this.slowSubscriberPolicy = policy;
            return this;
        }

        /** The options. */
        public SubscribeOptions build() {
            return new SubscribeOptions(this);
        }
    }
}
