package io.github.sseprogress.internal.delivery;

import java.util.concurrent.atomic.LongAdder;

/**
 * Delivery counters of one scope (a topic, a job, or the whole library). A subscriber updates its
 * own scope and the parent; counters are {@link LongAdder}s, so updates never contend.
 */
public final class Counters {

    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder evicted = new LongAdder();
    private final Counters parent;

    public Counters(Counters parent) {
        this.parent = parent;
    }

    void delivered() {
        delivered.increment();
        if (parent != null) {
            parent.delivered();
        }
    }

    void dropped() {
        dropped.increment();
        if (parent != null) {
            parent.dropped();
        }
    }

    /** Counts an event dropped by a connection's key (multiplexed streams). */
    public void countDropped() {
        dropped();
    }

    void evicted() {
        evicted.increment();
        if (parent != null) {
            parent.evicted();
        }
    }

    public long deliveredCount() {
        return delivered.sum();
    }

    public long droppedCount() {
        return dropped.sum();
    }

    public long evictedCount() {
        return evicted.sum();
    }
}
