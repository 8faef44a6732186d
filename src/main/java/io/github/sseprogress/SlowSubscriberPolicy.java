package io.github.sseprogress;

/**
 * What happens to a subscriber whose bounded outbound queue is full when an event is published.
 * Configured with {@code sse.slow-subscriber-policy} or per subscription.
 */
public enum SlowSubscriberPolicy {
    /**
     * Discard the new event for that subscriber only, count it as dropped, and tell the client where
     * the gap is ({@code event: missed}, {@code {"reason":"queue-overflow","dropped":N}}, before the
     * next event). On a replay topic the stream ends instead, after what is queued, so the client's
     * reconnect with {@code Last-Event-ID} recovers the events. The default.
     */
    DROP,
    /**
     * Stop sending new events to it: it is unsubscribed from the topic, receives what is already
     * queued, then its stream ends (a browser reconnects and, with replay, resumes).
     */
    REMOVE,
    /** Close its stream at once, discarding what is queued. */
    CLOSE
}
