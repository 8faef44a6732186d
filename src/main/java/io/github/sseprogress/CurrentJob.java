package io.github.sseprogress;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The binding behind {@link Job#current()}: the Java counterpart of a job carried in a Go
 * {@code context.Context}. It is a {@link ThreadLocal} on purpose, and the only one in the library:
 * it holds no application state, only which job the task running on this thread reports to, and it
 * is set and restored in {@code try/finally} around exactly one wrapped task, so a pooled thread
 * never keeps a job after the task ends.
 */
final class CurrentJob {

    private static final ThreadLocal<Job> BOUND = new ThreadLocal<>();

    private CurrentJob() {
    }

    static Job get() {
        Job j = BOUND.get();
        return j != null ? j : NoJob.INSTANCE;
    }

    static Runnable wrap(Job job, Runnable task) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(task, "task");
        return () -> {
            Job previous = BOUND.get();
            BOUND.set(job);
            try {
                task.run();
            } finally {
                restore(previous);
            }
        };
    }

    static <T> Callable<T> wrap(Job job, Callable<T> task) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(task, "task");
        return () -> {
            Job previous = BOUND.get();
            BOUND.set(job);
            try {
                return task.call();
            } finally {
                restore(previous);
            }
        };
    }

    private static void restore(Job previous) {
        if (previous == null) {
            BOUND.remove();
        } else {
            BOUND.set(previous);
        }
    }
}
