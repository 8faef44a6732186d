package io.github.sseprogress.internal.progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A job's cancellation request and the callbacks waiting for it. Lock-free: the whole state is one
 * immutable value in an {@link AtomicReference} — the callbacks registered so far (a persistent list),
 * or "requested" (with the executor callbacks run on), or "ended" (the job finished without a
 * request: callbacks are dropped and never run).
 *
 * <p>Each callback runs exactly once, on the given executor (the library's callbacks executor: never
 * the scheduler, never a thread holding a lock or publishing): those registered before the request
 * in one task, in registration order, after {@code first}; one registered after the request in a task
 * of its own, at once.
 */
final class CancelSignal {

    private static final Logger LOG = Logger.getLogger(CancelSignal.class.getName());

    /** Callbacks registered, newest first; {@link #EMPTY} is the end. */
    private record Pending(Runnable head, Pending tail) {
    }

    private record Requested(Executor executor) {
    }

    private static final Pending EMPTY = new Pending(null, null);
    private static final Object ENDED = new Object();

    private final AtomicReference<Object> state = new AtomicReference<>(EMPTY);

    /** Once requested, always requested (the job's end does not undo it). */
    boolean isRequested() {
        return state.get() instanceof Requested;
    }

    /** Registers {@code callback}; runs it soon on the callbacks executor when cancel was already requested. */
    void onCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        while (true) {
            Object cur = state.get();
            if (cur == ENDED) {
                return;
            }
            if (cur instanceof Requested) {
                run(((Requested) cur).executor(), List.of(callback), null);
                return;
            }
            if (state.compareAndSet(cur, new Pending(callback, (Pending) cur))) {
                return;
            }
        }
    }

    /**
     * Requests cancellation: {@code first} (may be null), then every registered callback, run on
     * {@code executor}. Returns whether this call made the request (false when it was made before or
     * the job ended).
     */
    boolean request(Executor executor, Runnable first) {
        Requested next = new Requested(executor);
        while (true) {
            Object cur = state.get();
            if (!(cur instanceof Pending)) {
                return false;
            }
            if (state.compareAndSet(cur, next)) {
                List<Runnable> callbacks = new ArrayList<>();
                for (Pending p = (Pending) cur; p != EMPTY; p = p.tail()) {
                    callbacks.add(0, p.head());
                }
                run(executor, callbacks, first);
                return true;
            }
        }
    }

    /** The job ended: callbacks not yet run never will, later ones are dropped. */
    void ended() {
        while (true) {
            Object cur = state.get();
            if (!(cur instanceof Pending) || state.compareAndSet(cur, ENDED)) {
                return;
            }
        }
    }

    private static void run(Executor executor, List<Runnable> callbacks, Runnable first) {
        if (callbacks.isEmpty() && first == null) {
            return;
        }
        try {
            executor.execute(() -> {
                if (first != null) {
                    safely(first);
                }
                for (Runnable r : callbacks) {
                    safely(r);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "cancel callbacks not run: the container is stopping", e);
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "A job's cancel callback failed", e);
        }
    }
}
