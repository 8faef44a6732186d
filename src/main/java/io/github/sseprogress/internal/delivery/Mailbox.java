package io.github.sseprogress.internal.delivery;

import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * A subscriber's outbound buffer: many producers (publishers), one consumer (the subscriber's single
 * writer). Implementations are lock-free and bounded.
 */
public interface Mailbox {

    /** Adds an event; {@code false} when the mailbox is full (the slow-subscriber policy applies). */
    boolean offer(PreparedEvent event);

    /**
     * Adds an event even beyond the bound: used once per subscriber for the replay that precedes
     * the live tail (itself bounded by the replay store's size).
     */
    default void offerBeyondBound(PreparedEvent event) {
        offer(event);
    }

    /**
     * Adds the stream's final frame (e.g. {@code expired}) beyond the bound, to be written after
     * everything already queued.
     */
    default void offerLast(PreparedEvent event) {
        offerBeyondBound(event);
    }

    /** The next event to write, or {@code null} when empty. Called by the writer only. */
    PreparedEvent poll();

    /** Whether nothing is waiting. */
    boolean isEmpty();

    /**
     * How many events wait under the bound now (for the queue-depth high-water mark). Read by the
     * heartbeat tick, not by publishers; may be slightly stale.
     */
    default int depth() {
        return isEmpty() ? 0 : 1;
    }

    /** Discards everything waiting; returns how many were discarded. */
    int clear();

    /** A FIFO of at most {@code capacity} events. */
    static Mailbox bounded(int capacity) {
        return new BoundedMailbox(capacity);
    }

    /** A single slot holding the newest event by sequence: a subscriber never gets a backlog. */
    static Mailbox latestWins() {
        return new LatestWinsMailbox();
    }
}
