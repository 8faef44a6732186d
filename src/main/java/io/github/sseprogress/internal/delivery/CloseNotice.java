package io.github.sseprogress.internal.delivery;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;

/**
 * Tells a close listener once that its outlet ended, never on the closing thread (which may be a
 * publisher holding a topic's lock, or a thread inside a registry's compute): the listener is handed
 * to the callbacks executor, and only once the owner {@linkplain #arm() armed} it (registered, no lock
 * held); an end recorded before that is told when armed. Only if the executor refuses (the application
 * is stopping) does the listener run inline. Lock-free.
 *
 * @param <T> the outlet type handed to the listener
 */
public final class CloseNotice<T> {

    private static final Logger LOG = Logger.getLogger(CloseNotice.class.getName());

    private final T owner;
    private final BiConsumer<? super T, DisconnectReason> listener;
    private final Executor callbacks;
    private final AtomicReference<DisconnectReason> why = new AtomicReference<>();
    private final AtomicBoolean told = new AtomicBoolean();
    private volatile boolean armed;

    public CloseNotice(T owner, BiConsumer<? super T, DisconnectReason> listener, Executor callbacks) {
        this.owner = owner;
        this.listener = listener;
        this.callbacks = callbacks;
    }

    /**
     * Records the end (the first call wins), runs {@code first} (lock-free bookkeeping, on this thread),
     * and tells the listener if armed. {@code false} when an end was already recorded.
     */
    public boolean closed(DisconnectReason reason, Runnable first) {
        if (!why.compareAndSet(null, reason)) {
            return false;
        }
        if (first != null) {
            first.run();
        }
        if (armed) {
            dispatch();
        }
        return true;
    }

    /** The recorded end, or {@code null}. */
    public DisconnectReason reason() {
        return why.get();
    }

    /** Lets the listener run; if the end was already recorded, it is dispatched now. */
    public void arm() {
        armed = true;
        if (why.get() != null) {
            dispatch();
        }
    }

    private void dispatch() {
        if (listener == null || !told.compareAndSet(false, true)) {
            return;
        }
        DisconnectReason reason = why.get();
        Runnable tell = () -> {
            try {
                listener.accept(owner, reason);
            } catch (RuntimeException e) {
                // At shutdown the listener may run after the application's CDI container is gone:
                // expected then, so not a warning.
                LOG.log(reason == DisconnectReason.SHUTDOWN ? Level.FINE : Level.WARNING,
                        "an SSE disconnect listener failed", e);
            }
        };
        try {
            callbacks.execute(tell);
        } catch (RejectedExecutionException e) {
            tell.run(); // the application is stopping: nothing else will run it
        }
    }
}
