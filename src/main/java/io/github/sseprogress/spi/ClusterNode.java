package io.github.sseprogress.spi;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * What the library gives a {@link ClusterEngine}: where to deliver, and the container's threads.
 * Delivery callbacks only enqueue to this node's subscribers and return at once.
 */
public interface ClusterNode {

    /** An event of {@code topic}; {@code seq} is the number in {@code id} ({@code <epoch>-<seq>}). */
    void topicEvent(String topic, long seq, String id, String name, String data);

    /**
     * This node may have lost events of {@code topic} (reason: a short token); its subscribers get
     * the {@code missed} signal before newer events.
     *
     * @param reason why; null when nothing was lost and only the numbering restarted ({@code reset})
     * @param lastId the newest id known, to resume from (or null)
     * @param reset the topic's numbering restarted (a new epoch): positions held so far are void
     */
    void topicLost(String topic, String reason, String lastId, boolean reset);

    /**
     * Events of {@code topic} were lost just before {@code seq} (a node could not send them): the
     * subscribers whose position is below {@code seq} get the {@code missed} signal there. The
     * marker itself occupies {@code seq}.
     */
    void topicGap(String topic, long seq, String id, String reason);

    /** The answer to {@link ClusterEngine#catchUp}. */
    void caughtUp(String topic, Object ticket, CatchUp answer);

    /** A job event; the node keeps it when newer than what it has (latest-wins by {@code seq}). */
    void jobEvent(JobRecord record);

    /**
     * The cluster no longer knows the job of {@code topic} this node holds (its state was lost): the
     * node ends it {@code failed} for its subscribers.
     */
    void jobLost(String topic);

    /**
     * Someone asked run {@code run} of the job of {@code topic} to cancel ({@link ClusterEngine#cancelJob}
     * on any node): the node's handle of that run, where the work runs, calls the work back. Only enqueues.
     */
    void jobCancelRequested(String topic, String run);

    /** How long a finished job stays readable ({@code sse.tracker.retention}). */
    java.time.Duration jobRetention();

    /** Whether this node has subscribers (or a live local state) for {@code topic}. */
    boolean follows(String topic);

    /** The job topics this node holds locally (to re-read after the cluster was unreachable). */
    Set<String> jobTopics();

    /** The JSON payload of a job ended by the engine (its node died) with {@code message}. */
    String failedPayload(String message);

    /** The container's thread factory (long-running and blocking engine threads). */
    ThreadFactory threads();


    /**
     * Where a joining subscriber starts.
     *
     * @param events the missed events to send first, oldest first; null when they cannot be served
     *        (the subscriber gets {@code missed} with {@code reason} and {@code lastId})
     * @param position live events with a higher seq follow; lower or equal ones are skipped
     * @param reason why events cannot be served (when {@code events} is null)
     * @param lastId the newest id known (or null)
     */
    record CatchUp(List<Entry> events, long position, String reason, String lastId) {
    }

    /**
     * One stored event of a topic, or a loss marker ({@code lost}: events were lost here; name and
     * data are null).
     */
    record Entry(long seq, String id, String name, String data, boolean lost) {
    }
}
