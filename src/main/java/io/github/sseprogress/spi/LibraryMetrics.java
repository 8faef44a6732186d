package io.github.sseprogress.spi;

import java.util.Map;
import java.util.Optional;

import io.github.sseprogress.SlowSubscriberPolicy;

/**
 * SPI: a read-only view of the library's counters and health, for monitoring integrations (e.g.
 * {@code sse-progress-metrics}, which publishes them through MicroProfile Metrics and Health). An
 * {@code @ApplicationScoped} CDI bean of the library; inject it with {@code @Inject LibraryMetrics}.
 *
 * <p>Every method reads counters the library keeps anyway (no cost per event beyond an uncontended
 * {@code LongAdder} increment) and is cheap enough to call on each scrape; {@link #openStreamsByTopic()}
 * walks the topics and jobs of this node. Counts are of this node; totals are since the application
 * started. Thread-safe.
 */
public interface LibraryMetrics {

    /** Open SSE and WebSocket streams now: topic and job subscribers and multiplexed streams. */
    int openStreams();

    /**
     * Open single-topic streams per {@code Manager} topic and {@code Tracker} job topic now (a
     * snapshot; topics without subscribers are left out). Multiplexed streams are counted in
     * {@link #openStreams()} only.
     */
    Map<String, Integer> openStreamsByTopic();

    /** Open single-topic streams of one topic now ({@code Manager} topic and {@code Tracker} job together); 0 when none. */
    int openStreams(String topic);

    /** Events written to clients (heartbeats not counted). */
    long delivered();

    /** Events discarded for one subscriber because its queue was full. */
    long dropped();

    /** Subscribers closed because a write stayed blocked past {@code sse.write-timeout}. */
    long evicted();

    /** Actions of {@code policy} on a full queue: one per overflowing event. */
    long slowSubscriberActions(SlowSubscriberPolicy policy);

    /** Writer threads blocked now in a write to a client that does not read. */
    int pinnedWriters();

    /** The deepest subscriber queue seen since start (sampled at each heartbeat tick, at most 1 s apart). */
    int queueDepthHighWater();

    /** {@code Tracker} jobs running now (on this node). */
    int jobsRunning();

    /** Finished {@code Tracker} jobs kept for {@code sse.tracker.retention} (on this node). */
    int jobsRetained();

    /**
     * Streams (and multiplexed keys) refused with {@code 429} by limit since start, by the limit's name in
     * the refusal's JSON ({@code streams}, {@code per-topic}, {@code per-principal}, {@code per-address},
     * {@code topics}); limits never hit are absent.
     */
    Map<String, Long> refusedStreams();

    /** Polls of {@code Polling} sources. */
    long polls();

    /** Polls that failed: the source threw (its subscribers got an error payload) or the publish after it did. */
    long pollFailures();

    /**
     * Whether the library serves: not shut down, and its periodic task (heartbeats, eviction) ran
     * recently, so the managed scheduler and executors are usable. Never depends on the cluster.
     */
    boolean running();

    /** The cluster engine's state; empty when the library runs single-node or the engine reports none. */
    Optional<ClusterStatus> cluster();
}
