package io.github.sseprogress.internal.delivery;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * What a topic or a job delivers to: a whole stream ({@link Subscriber}) or one key of a multiplexed
 * connection ({@code internal.stream.Member}). Every method is thread-safe and never blocks; none
 * runs a callback on the calling thread (the close listener goes to the callbacks executor).
 */
public interface Outlet {

    /**
     * Enqueues an event; when the queue is full the connection's slow-subscriber policy applies.
     * {@code false} when the outlet no longer takes events.
     */
    boolean offer(PreparedEvent event);

    /** Enqueues what must precede the live tail (replay, loss signal) regardless of the bound. */
    void offerFirst(Iterable<PreparedEvent> frames);

    /** Ends after what is queued (a job's terminal; a topic that closes). */
    void closeAfterDrain(DisconnectReason why);

    /** Ends now, discarding what is queued; {@code false} when it had already ended. */
    boolean close(DisconnectReason why);

    /** Whether it no longer takes events. */
    boolean isClosed();

    /** Why it ended, or {@code null} while open. */
    DisconnectReason reason();

    /** Lets the close listener run: called by the owner once registered, with no lock held. */
    void arm();

    /** On a full queue under {@code DROP}, end the stream for a resume instead of dropping (replay topics). */
    void resumeOnOverflow();

    /** {@code System.nanoTime()} when the connection's current write started, or 0. */
    long sendInFlightSince();
}
