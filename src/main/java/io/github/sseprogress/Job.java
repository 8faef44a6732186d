package io.github.sseprogress;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * One run of an asynchronous operation on a {@link Tracker} topic, as seen by the code doing the
 * work: it publishes snapshots and ends with one terminal event. Obtained from
 * {@link Tracker#start}/{@link Tracker#startOrJoin}, or with {@link #current()} inside a task
 * {@link #wrap wrapped} by the job.
 *
 * <pre>{@code
 * executor.submit(job.wrap(() -> {
 *     try {
 *         Result r = scanner.run();                    // calls Job.current().publish(Progress.processing(40, "Scanning"))
 *         job.finish(Progress.completed(r));
 *     } finally {
 *         job.finish(Progress.failed("Scan did not complete"));   // safety net: no-op after the line above
 *     }
 * }));
 * }</pre>
 *
 * <p>Payloads: a {@link CharSequence} is sent as text, an {@link SseEvent} with its fields (its
 * {@code id} is replaced by the job's), anything else (including {@code null}) as JSON, serialised
 * once per call. Each event should be a snapshot that subsumes the previous ones (see
 * {@link Progress}): subscribers get only the latest.
 *
 * <p>Threads: every method is thread-safe, lock-free and never waits for a client (except
 * {@link #awaitSubscriber}, which waits by design). A publish and a finish racing on two threads
 * are ordered: either the publish is delivered before the terminal or it is ignored.
 */
public interface Job {

    /** The topic the job is tracked under; {@code ""} for the no-op job. */
    String topic();

    /**
     * Replaces the job's latest event and sends it to every subscriber, latest-wins. A no-op once
     * the job is finished.
     *
     * @throws IllegalArgumentException when the payload cannot be serialised (nothing changes)
     */
    void publish(Object snapshot);

    /**
     * Publishes the terminal event, closes every subscriber's stream after it, and starts the
     * retention period. Idempotent: the first call wins and returns {@code true}; later calls (or
     * calls after the tracker shut down) return {@code false} and change nothing, so a failure
     * terminal in a {@code finally} block is a safe net.
     *
     * @throws IllegalArgumentException when the payload cannot be serialised; the job stays running
     */
    boolean finish(Object terminal);

    /** Whether the job has its terminal event (or was dropped by {@link Tracker#shutdown()}). */
    boolean isFinished();

    /**
     * Waits until the job has had at least one subscriber, for work that should not start before
     * someone watches. Returns {@code true} at once when it already had one; {@code false} after the
     * timeout, or when the job finished without one. The no-op job returns {@code false} at once.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    boolean awaitSubscriber(Duration timeout) throws InterruptedException;

    /**
     * A task that runs {@code task} with this job as {@link #current()}. The job is bound only while
     * the returned task runs, on the thread that runs it, and the previous binding is restored
     * afterwards; submit the result to a {@code ManagedExecutorService}.
     */
    default Runnable wrap(Runnable task) {
        return CurrentJob.wrap(this, task);
    }

    /** As {@link #wrap(Runnable)}, for a task with a result. */
    default <T> Callable<T> wrap(Callable<T> task) {
        return CurrentJob.wrap(this, task);
    }

    /**
     * The job bound to this thread by a task {@link #wrap wrapped} by it, or the {@link #none()}
     * job: library code can report progress unconditionally.
     */
    static Job current() {
        return CurrentJob.get();
    }

    /** A job that ignores everything: not finished, no topic, no subscribers. */
    static Job none() {
        return NoJob.INSTANCE;
    }
}
