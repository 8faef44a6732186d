package io.github.sseprogress.metrics;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscriberConnecting;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.spi.ClusterStatus;
import io.github.sseprogress.spi.LibraryMetrics;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Publishes the library's numbers ({@link LibraryMetrics}) in the application's MicroProfile Metrics
 * registry when the application starts: gauges that read the library's counters on each scrape, so
 * nothing is counted twice and an event costs nothing more. Names start with {@code sseprogress.}
 * (Prometheus: {@code sseprogress_...}); the README's "Metrics and health" lists them.
 *
 * <p>Per-topic open streams ({@code sseprogress.topic.streams.open{topic=...}}) exist for at most
 * {@code sse.metrics.max-topic-series} topics at a time (default 50): a topic gets its series with a
 * subscriber's arrival while there is room and loses it once no stream of it is open; the streams of
 * the other topics are summed under {@code topic="_other"}, so the series always add up.
 *
 * <p>Threads: the gauges run on the scraping request's thread; the series are added and removed on the
 * threads that fire {@link SubscriberConnecting} and {@link SubscriberDisconnected}, one at a time
 * (a lock of this bean, held only around registry calls).
 */
@ApplicationScoped
public class SseProgressMetrics {

    static final String PREFIX = "sseprogress.";
    static final String TOPIC_STREAMS = PREFIX + "topic.streams.open";
    static final String OTHER = "_other";
    static final String MAX_TOPIC_SERIES = "sse.metrics.max-topic-series";
    /** Every series of a name carries the same metadata (the registry refuses a different description). */
    private static final Metadata TOPIC_STREAMS_METADATA = Metadata.builder().withName(TOPIC_STREAMS)
            .withDescription("Open single-topic streams of a topic; topic=\"" + OTHER
                    + "\": of the topics without a series of their own").build();
    private static final Logger LOG = Logger.getLogger(SseProgressMetrics.class.getName());

    @Inject
    LibraryMetrics library;

    @Inject
    MetricRegistry registry;

    @Inject
    @ConfigProperty(name = MAX_TOPIC_SERIES, defaultValue = "50")
    int maxTopicSeries;

    private final Object seriesLock = new Object();
    /** Topics with a series of their own; written under {@link #seriesLock}, read by the _other gauge. */
    private final Set<String> series = ConcurrentHashMap.newKeySet();
    private final Set<MetricID> registered = ConcurrentHashMap.newKeySet();
    private final AtomicLong seriesFailures = new AtomicLong();

    /**
     * Registers every gauge (idempotent: the first call wins). Called by {@link MetricsStartup} when the web
     * application starts.
     *
     * @throws IllegalArgumentException when {@code sse.metrics.max-topic-series} is negative
     */
    void register() {
        if (maxTopicSeries < 0) {
            throw new IllegalArgumentException(MAX_TOPIC_SERIES + " must be >= 0: " + maxTopicSeries);
        }
        if (!registered.isEmpty()) {
            return;
        }
        // Starts the library's beans now, in the web application's context: Payara runs health checks and metric
        // reads on threads without the application's java:comp/env, where the library's first use (its @Resource
        // executors) would fail; and @Initialized(ApplicationScoped) comes too early there for the same lookups.
        library.running();
        gauge("streams.open", "Open SSE and WebSocket streams (topic and job subscribers, multiplexed streams)",
                library::openStreams);
        registry.gauge(TOPIC_STREAMS_METADATA, this::otherTopicsStreams, new Tag("topic", OTHER));
        registered.add(topicId(OTHER));
        gauge("events.delivered", "Events written to clients since start (heartbeats not counted)", library::delivered);
        gauge("events.dropped", "Events discarded for a subscriber whose queue was full, since start",
                library::dropped);
        gauge("streams.evicted", "Subscribers closed because a write stayed blocked past sse.write-timeout",
                library::evicted);
        for (SlowSubscriberPolicy p : SlowSubscriberPolicy.values()) {
            gauge("slow.actions", "Slow-subscriber policy actions on a full queue, since start",
                    () -> library.slowSubscriberActions(p), new Tag("policy", p.name().toLowerCase()));
        }
        for (String limit : new String[] {"streams", "per-topic", "per-principal", "per-address", "topics"}) {
            gauge("streams.refused", "Streams refused with 429 by an sse.limits.* limit, since start",
                    () -> library.refusedStreams().getOrDefault(limit, 0L), new Tag("limit", limit));
        }
        gauge("writers.pinned", "Writer threads blocked now in a write to a client that does not read",
                library::pinnedWriters);
        gauge("queue.depth.max", "Deepest subscriber queue seen since start", library::queueDepthHighWater);
        gauge("jobs.running", "Tracker jobs running now", library::jobsRunning);
        gauge("jobs.retained", "Finished Tracker jobs kept for sse.tracker.retention", library::jobsRetained);
        gauge("polls", "Polls of Polling sources since start", library::polls);
        gauge("polls.failed", "Polls that failed since start", library::pollFailures);
        if (library.cluster().isPresent()) {
            gauge("cluster.connected", "1 when the cluster engine's last probe succeeded", () -> flag(s -> s.connected()));
            gauge("cluster.subscribed", "1 when the engine's bus subscription is established", () -> flag(s -> s.subscribed()));
            gauge("cluster.lag.seconds", "Publish-to-delivery time of the newest bus message",
                    () -> status().map(s -> s.busLag().toNanos() / 1e9).orElse(0.0));
            gauge("cluster.probe.age.seconds", "Time since the engine's last successful probe (-1: none yet)",
                    () -> status().map(s -> s.lastProbe() == null ? -1.0
                            : Math.max(0, System.currentTimeMillis() - s.lastProbe().toEpochMilli()) / 1e3).orElse(-1.0));
            gauge("cluster.reconnects", "Times the bus subscription was re-established since start",
                    () -> status().map(ClusterStatus::reconnects).orElse(0L));
            gauge("cluster.messages.dropped", "Bus messages this node could not use or publish since start",
                    () -> status().map(ClusterStatus::droppedMessages).orElse(0L));
        }
    }

    private Optional<ClusterStatus> status() {
        return library.cluster();
    }

    private int flag(java.util.function.Predicate<ClusterStatus> p) {
        return status().filter(p).isPresent() ? 1 : 0;
    }

    private void gauge(String name, String description, Supplier<? extends Number> value, Tag... tags) {
        String full = name.startsWith(PREFIX) ? name : PREFIX + name;
        Metadata m = Metadata.builder().withName(full).withDescription(description).build();
        registry.gauge(m, value::get, tags);
        registered.add(new MetricID(full, tags));
    }

    /** Streams of topics that have no series of their own. */
    long otherTopicsStreams() {
        long sum = 0;
        for (Map.Entry<String, Integer> e : library.openStreamsByTopic().entrySet()) {
            if (!series.contains(e.getKey())) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    void connecting(@Observes SubscriberConnecting event) {
        update(event.topic(), true);
    }

    void disconnected(@Observes SubscriberDisconnected event) {
        update(event.topic(), false);
    }

    /**
     * Drops the series of topics with no open stream left (the topic connecting now excepted, its
     * stream is not attached yet), then gives the connecting topic a series when there is room.
     */
    private void update(String topic, boolean connecting) {
        if (registered.isEmpty()) {
            return; // not started (or stopped)
        }
        try {
            updateSeries(topic, connecting);
        } catch (RuntimeException e) {
            // monitoring never fails a subscription: counted, logged once at WARNING, then at FINE
            long n = seriesFailures.incrementAndGet();
            LOG.log(n == 1 ? Level.WARNING : Level.FINE, "could not update the per-topic metric series ("
                    + n + " failure(s) so far); the streams are counted under topic=\"" + OTHER + "\"", e);
        }
    }

    private void updateSeries(String topic, boolean connecting) {
        synchronized (seriesLock) {
            series.removeIf(t -> {
                if ((connecting && t.equals(topic)) || library.openStreams(t) > 0) {
                    return false;
                }
                registry.remove(topicId(t));
                return true;
            });
            if (connecting && !OTHER.equals(topic) && series.size() < maxTopicSeries && !series.contains(topic)) {
                registry.gauge(TOPIC_STREAMS_METADATA, () -> library.openStreams(topic), new Tag("topic", topic));
                series.add(topic);
            }
        }
    }

    private static MetricID topicId(String topic) {
        return new MetricID(TOPIC_STREAMS, new Tag("topic", topic));
    }

    @PreDestroy
    void unregister() {
        synchronized (seriesLock) {
            for (String t : series) {
                registry.remove(topicId(t));
            }
            series.clear();
            for (MetricID id : registered) {
                registry.remove(id);
            }
            registered.clear();
        }
    }
}
