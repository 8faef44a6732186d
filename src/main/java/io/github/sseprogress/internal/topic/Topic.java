package io.github.sseprogress.internal.topic;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;

/**
 * One live topic: its JAX-RS {@link SseBroadcaster} (from the first subscriber's {@code Sse}), its
 * subscribers, its optional poller. Created and removed only inside the registry's per-key atomic
 * {@code compute}, so membership changes are serialised per topic.
 *
 * <p>Every subscriber is registered with the topic's broadcaster, and closing the topic closes the
 * broadcaster (and through it every sink still registered). Events, however, are fanned out by
 * {@link #broadcast} straight into each subscriber's bounded queue rather than through
 * {@code SseBroadcaster.broadcast}: measured in {@code ManagerConcurrencyTest}, Jersey's broadcaster
 * (Payara) drops events for a healthy subscriber once its internal 256-event buffer fills under a
 * burst and throws "Unknown subscriber" into the publisher (jersey issue 4551), and RESTEasy's
 * (Open Liberty) chains sinks one after another. Our own fan-out is one lock-free enqueue per
 * subscriber on the publisher's thread, identical on every server, and never loses an event the
 * subscriber's queue has room for.
 */
final class Topic {

    final String name;
    final Sse sse;
    final SseBroadcaster broadcaster;
    final Counters counters;
    /** Events kept for Last-Event-ID replay; 0 when replay is off for this topic. */
    final int replayCapacity;
    /**
     * Serialises, for a replay topic only, "append to the store + fan out" (publish) against
     * "read the store + join the subscriber set" (subscribe), so replay and live tail meet with no
     * gap and no duplicate. Lock order: registry bin (compute) → publishLock; publish takes only
     * publishLock.
     */
    final Object publishLock = new Object();
    final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    /** The running poller, replaced when an idle replay topic becomes active again. */
    volatile Poller poller;
    /** The last payload the poller published, for subscribers that join later. */
    volatile PreparedEvent lastPolled;
    /** System.nanoTime() when the last subscriber left (replay topics stay idle for a while). */
    volatile long idleSince;

    Topic(String name, Sse sse, Counters counters, int replayCapacity) {
        this.name = name;
        this.sse = sse;
        this.broadcaster = sse.newBroadcaster();
        this.counters = counters;
        this.replayCapacity = replayCapacity;
    }

    boolean replays() {
        return replayCapacity > 0;
    }

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    /** Enqueues to every current subscriber; never blocks. A removed topic has none left. */
    void broadcast(PreparedEvent event) {
        for (Subscriber s : subscribers) {
            s.offer(event);
        }
    }
}
