package io.github.sseprogress.internal.wire;

import java.time.Duration;

/** Frames the library itself sends: the connect frame and the replay-loss signal. */
public final class ControlFrames {

    /** The event name of the "you may have missed events" signal. */
    public static final String MISSED = "missed";

    /** The event name of the "your authorisation ended, reconnect" signal. */
    public static final String EXPIRED = "expired";

    private ControlFrames() {
    }

    /**
     * The {@code retry:} frame sent first on a new stream. It carries empty data because Jersey writes
     * {@code retry}, {@code id} and {@code event} only for events with data; a spec-compliant client
     * applies the retry and dispatches nothing for empty data.
     */
    public static PreparedEvent retry(Duration retry) {
        return new PreparedEvent(0, null, null, "", retry.toMillis(), null, true);
    }

    /**
     * The documented loss signal: {@code event: missed}, data {@code {"reason":"..."}}, and an id
     * (the newest one the store holds, or empty) that replaces the unusable id the client sent, so
     * its next reconnect resumes from a valid position.
     */
    public static PreparedEvent missed(String reason, String resetId) {
        return new PreparedEvent(0, resetId == null ? "" : resetId, MISSED, "{\"reason\":\"" + reason + "\"}", -1, null, true);
    }

    /**
     * The loss signal for events dropped because the subscriber's queue was full: {@code event:
     * missed}, data {@code {"reason":"queue-overflow","dropped":N}}, no id (the client's position
     * stays that of the last event it got).
     */
    public static PreparedEvent overflow(long dropped) {
        return new PreparedEvent(0, null, MISSED, "{\"reason\":\"queue-overflow\",\"dropped\":" + dropped + "}", -1,
                null, true);
    }

    /**
     * The final frame of a stream whose time ran out ({@code SubscriberConnecting#expiresAt}):
     * {@code event: expired}, data {@code {"reason":"token-expired"}}, no id (the client's position
     * stays that of the last event it got, so it resumes from there).
     */
    public static PreparedEvent expired() {
        return new PreparedEvent(0, null, EXPIRED, "{\"reason\":\"token-expired\"}", -1, null, true);
    }
}
