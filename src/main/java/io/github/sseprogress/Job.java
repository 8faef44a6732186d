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
 * <p>Threads: every method is thread-safe, lock-free (a {@link Step} takes one small lock per job)
 * and never waits for a client (except {@link #awaitSubscriber}, which waits by design). A publish and a finish racing on two threads
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
     * Whether someone asked this job to cancel ({@link Tracker#cancel}, on any node of a cluster for the
     * job's own node). Cancelling is cooperative: the work checks this (or is called back through
     * {@link #onCancel}), stops, and ends the job itself, usually with {@link Progress#cancelled(String)}.
     * Work that ignores the request keeps running and finishes as it would have; work that finishes
     * anyway finishes normally. Once true, stays true. The no-op job (and, by default, a {@code Job}
     * implemented outside the library, e.g. a test double) returns {@code false}.
     */
    default boolean isCancelRequested() {
        return false;
    }

    /**
     * Calls {@code callback} once when cancellation is requested, e.g. to abort a blocking call
     * ({@code job.onCancel(request::abort)}). It runs on the library's callbacks executor (the
     * container's {@code ManagedExecutorService}), never on the caller's thread, under a lock or on the
     * scheduler; at once (asynchronously) when the request was already made. Callbacks registered
     * before the request run in registration order. Never called when the job ends without a request;
     * a request racing the job's end may still call it, so keep it harmless after the work is done.
     * The no-op job (and, by default, a {@code Job} implemented outside the library) ignores it.
     */
    default void onCancel(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "callback");
    }

    /**
     * A weighted sub-step of the job: {@code weight} percent of the whole bar, itself reporting 0–100 %
     * of its own work (see {@link Step}). Steps roll up into the job's {@link Progress} snapshots: one
     * bar that never goes back, with the current step's name as {@code step}. Use steps or publish
     * {@code Progress} yourself, not both. The no-op job (and, by default, a {@code Job} implemented
     * outside the library) returns a step that does nothing.
     *
     * <pre>{@code
     * try (Job.Step download = Job.current().step("Downloading", 60)) {
     *     download.progress(50);                                 // the bar: 30 %
     * }                                                          // closed early: its 60 % are filled
     * try (Job.Step index = Job.current().step("Indexing", 30);
     *      Job.Step parse = index.step("Parsing", 50)) {         // nested: half of the 30 %
     *     parse.progress(100);                                   // the bar: 75 %
     * }
     * }</pre>
     *
     * @param name the step's name shown while it is the current one, or null to show its parent's
     * @param weight its share of the job in percent, in (0, 100]; shares beyond 100 in total cap at 100 %
     * @throws IllegalArgumentException when the weight is out of range
     */
    default Step step(String name, double weight) {
        return NoJob.step(weight);
    }

    /**
     * A weighted part of a job's (or of a parent step's) work, modelled on Eclipse's
     * {@code SubMonitor} and Apple's {@code Progress} tree. Its completion is what {@link #progress}
     * set, plus the whole weight of each closed child and each open child's weight times its own
     * completion, at most 100 %. The bar shows the newest open step's name. Thread-safe; the rolled-up
     * snapshot is published when its whole percentage or the current name changes.
     */
    interface Step extends AutoCloseable {

        /** A child that is {@code weight} percent of this step (nested steps); see {@link Job#step}. */
        Step step(String name, double weight);

        /**
         * This step's own work done, in percent (0–100, clamped); only ever raised: a lower value is
         * ignored, so the bar never goes back. For a step without children, simply its completion.
         */
        void progress(double percent);

        /**
         * Ends the step: it counts as complete (a step finished early fills its share), its open
         * children end with it, and it stops being the current step. Idempotent.
         */
        @Override
        void close();
    }

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
