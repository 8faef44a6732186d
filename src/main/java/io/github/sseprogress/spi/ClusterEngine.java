package io.github.sseprogress.spi;

import java.util.Optional;

/**
 * SPI: carries {@code Manager} topics and {@code Tracker} jobs across nodes. An engine is a CDI bean
 * of this type in an optional artifact (e.g. {@code sse-progress-redis}); the library uses the first
 * one that is {@link #enabled()}, and stays single-node, in memory, when there is none.
 *
 * <p>Contract: every node delivers a topic's events in one order with the same ids
 * ({@code <epoch>-<seq>}, {@code seq} increasing by one per event within an epoch), through
 * {@link ClusterNode#topicEvent} on one delivery thread of the engine, this node's own publishes
 * included; a node that may have lost events says so with {@link ClusterNode#topicLost} before newer
 * ones. Job start is atomic cluster-wide; a job's events are delivered latest-wins.
 *
 * <p>Threads: {@link #publish} and {@link #publishJob} never block on I/O. {@link #startJob} and
 * {@link #job} block for at most the engine's timeout and run their I/O on the engine's own threads.
 */
public interface ClusterEngine {

    /** Whether this engine is configured; when false the library stays single-node. */
    boolean enabled();

    /** Starts the engine; from now on it delivers to {@code node}. Called once. */
    void start(ClusterNode node);

    /** Stops the engine: no callback after it returns. */
    void stop();

    /** This node's name in the cluster. */
    String nodeName();

    /**
     * Queues an event of {@code topic} (name may be null); the engine assigns its id. Never blocks on
     * I/O; ordered per calling node.
     *
     * @throws IllegalArgumentException when the event exceeds the engine's message size
     */
    void publish(String topic, String name, String data);

    /**
     * Asks where a subscriber that joins {@code topic} on this node starts. Answered once through
     * {@link ClusterNode#caughtUp}, on the delivery thread, in order with the topic's events.
     *
     * @param lastEventId the client's last id when it resumes (and the topic replays), else null
     * @param ticket handed back with the answer
     */
    void catchUp(String topic, String lastEventId, Object ticket);

    /**
     * Creates the job of {@code topic} or joins it, atomically across nodes: running → join;
     * finished and retained → replaced when {@code replaceFinished}, else joined; none → created.
     *
     * @throws ClusterUnavailableException when the cluster cannot be reached in time
     */
    JobRecord startJob(String topic, boolean replaceFinished);

    /**
     * Queues a job event of run {@code run}; ignored cluster-wide once that run is finished. The
     * terminal ({@code terminal == true}) is never dropped.
     *
     * @param json whether {@code data} is JSON (else text)
     */
    void publishJob(String topic, String run, String name, String data, boolean json, boolean terminal);

    /**
     * Asks the running job of {@code topic} to cancel, cluster-wide: marks its run and has every node
     * (this one included, and one that was away, when it re-reads its jobs) told through
     * {@link ClusterNode#jobCancelRequested}. A finished run is left as it is.
     *
     * @return the job as it was when asked (its {@code finished()} says whether it was still running);
     *         empty when there is none
     * @throws ClusterUnavailableException when the cluster cannot be reached in time
     */
    Optional<JobRecord> cancelJob(String topic);

    /**
     * The job of {@code topic} as the cluster has it now; empty when there is none (never started or
     * retention over).
     *
     * @throws ClusterUnavailableException when the cluster cannot be reached in time
     */
    Optional<JobRecord> job(String topic);

    /**
     * The engine's state for monitoring (connected, subscribed, last probe, lag, reconnects, dropped
     * messages). Cheap and non-blocking: it reads what the engine already keeps. Empty by default.
     */
    default Optional<ClusterStatus> status() {
        return Optional.empty();
    }
}
