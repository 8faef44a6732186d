package io.github.sseprogress.internal.delivery;

import java.util.concurrent.atomic.LongAdder;

import io.github.sseprogress.SlowSubscriberPolicy;

/**
 * Delivery counters of one scope (a topic, a job, or the whole library). A subscriber updates its
 * own scope and the parent; counters are {@link LongAdder}s, so updates never contend.
 */
public final class Counters {

    final LongAdder delivered = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder evicted = new LongAdder();
    private final LongAdder polls = new LongAdder();
    private final LongAdder pollFailures = new LongAdder();
    /** Slow-subscriber policy actions, indexed by {@link SlowSubscriberPolicy#ordinal()}. */
    private final LongAdder[] slowActions = {new LongAdder(), new LongAdder(), new LongAdder()};
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

    /** Counts one action of {@code policy} on a full queue (a drop, a removal or a close). */
    void slowAction(SlowSubscriberPolicy policy) {
        slowActions[policy.ordinal()].increment();
        if (parent != null) {
            parent.slowAction(policy);
        }
    }

    /** Counts a slow-subscriber action taken by a connection's key (multiplexed streams). */
    public void countSlowAction(SlowSubscriberPolicy policy) {
        slowAction(policy);
    }

    public long slowActionCount(SlowSubscriberPolicy policy) {
        return slowActions[policy.ordinal()].sum();
    }

    /** Counts one poll of a topic's {@code Polling} source (library scope). */
    public void countPoll() {
        polls.increment();
    }

    /** Counts a poll that failed: the source threw, or the publish or stop condition after it did. */
    public void countPollFailure() {
        pollFailures.increment();
    }

    public long pollCount() {
        return polls.sum();
    }

    public long pollFailureCount() {
        return pollFailures.sum();
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
