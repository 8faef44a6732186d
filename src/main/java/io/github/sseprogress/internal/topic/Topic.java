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
 * {@code compute}, so membership changes are serialised per topic; publishing reads the broadcaster
 * without locking. The broadcaster only ever holds the library's non-blocking {@link Subscriber}
 * sinks, so {@code broadcast} costs one enqueue per subscriber on any JAX-RS implementation.
 */
final class Topic {

    final String name;
    final Sse sse;
    final SseBroadcaster broadcaster;
    final Poller poller;
    final Counters counters;
    final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    /** The last payload the poller published, for subscribers that join later. */
    volatile PreparedEvent lastPolled;

    Topic(String name, Sse sse, Poller poller, Counters counters) {
        this.name = name;
        this.sse = sse;
        this.broadcaster = sse.newBroadcaster();
        this.poller = poller;
        this.counters = counters;
    }

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    void broadcast(PreparedEvent event) {
        try {
            broadcaster.broadcast(event);
        } catch (IllegalStateException closed) {
            // The topic lost its last subscriber while we published: nobody left to send to.
        }
    }
}
