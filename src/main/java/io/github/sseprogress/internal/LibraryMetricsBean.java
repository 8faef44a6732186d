package io.github.sseprogress.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.cluster.ClusterBridge;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Limits;
import io.github.sseprogress.internal.progress.TrackerBean;
import io.github.sseprogress.spi.ClusterEngine;
import io.github.sseprogress.spi.ClusterStatus;
import io.github.sseprogress.spi.LibraryMetrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The library's {@link LibraryMetrics}: reads the delivery counters, the topic and job registries and
 * the cluster engine on the caller's thread (a metrics scrape or a health check); holds no lock and
 * keeps no state of its own.
 */
@ApplicationScoped
public class LibraryMetricsBean implements LibraryMetrics {

    /** Ticks the periodic task may miss before the library counts as not running. */
    private static final int TICK_SLACK = 5;

    @Inject
    Delivery delivery;

    @Inject
    Limits limits;

    @Inject
    Manager manager;

    @Inject
    TrackerBean tracker;

    @Inject
    ClusterBridge cluster;

    @Override
    public int openStreams() {
        return delivery.liveCount();
    }

    @Override
    public Map<String, Integer> openStreamsByTopic() {
        Map<String, Integer> m = new HashMap<>(tracker.subscriberCounts());
        for (String topic : manager.topics()) {
            int n = manager.subscriberCount(topic);
            if (n > 0) {
                m.merge(topic, n, Integer::sum);
            }
        }
        return Map.copyOf(m);
    }

    @Override
    public int openStreams(String topic) {
        return topic == null ? 0 : manager.subscriberCount(topic) + tracker.subscriberCount(topic);
    }

    @Override
    public long delivered() {
        return delivery.total().deliveredCount();
    }

    @Override
    public long dropped() {
        return delivery.total().droppedCount();
    }

    @Override
    public long evicted() {
        return delivery.total().evictedCount();
    }

    @Override
    public long slowSubscriberActions(SlowSubscriberPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        return delivery.total().slowActionCount(policy);
    }

    @Override
    public int pinnedWriters() {
        return delivery.pinnedCount();
    }

    @Override
    public int queueDepthHighWater() {
        return delivery.queueHighWater();
    }

    @Override
    public int jobsRunning() {
        return tracker.jobCounts()[0];
    }

    @Override
    public int jobsRetained() {
        return tracker.jobCounts()[1];
    }

    @Override
    public long polls() {
        return delivery.total().pollCount();
    }

    @Override
    public Map<String, Long> refusedStreams() {
        return limits.refusals();
    }

    @Override
    public long pollFailures() {
        return delivery.total().pollFailureCount();
    }

    @Override
    public boolean running() {
        return delivery.ticking(TICK_SLACK);
    }

    @Override
    public Optional<ClusterStatus> cluster() {
        ClusterEngine engine = cluster.engine();
        return engine == null ? Optional.empty() : engine.status();
    }
}
