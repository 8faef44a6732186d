package io.github.sseprogress;

/**
 * What happens to a subscriber whose bounded outbound queue is full when an event is published.
 * Configured with {@code sse.slow-subscriber-policy} or per subscription.
 */
public enum SlowSubscriberPolicy {
    /** Discard the new event for that subscriber only and count it as dropped. The default. */
    DROP,
    /**
     * Stop sending new events to it: it is unsubscribed from the topic, receives what is already
     * queued, then its stream ends (a browser reconnects and, with replay, resumes).
     */
    REMOVE,
    /** Close its stream at once, discarding what is queued. */
    CLOSE
}
