package io.github.sseprogress.internal.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one admitted stream holds while it is open: its counts in {@link Limits} and, when an observer
 * set {@code SubscriberConnecting#expiresAt}, the timer that ends it. {@link #release()} gives both
 * back, exactly once, whoever calls it first (the stream's end, or a failed attach).
 *
 * <p>Threads: {@link #release()} runs on any thread and is lock-free apart from the timer's monitor,
 * which guards nothing else; {@link #expireAt} on the request thread (or a WebSocket's message
 * thread). The timer runs on the managed scheduler and only enqueues the final frame and starts the
 * ordinary close (the close listener goes to the callbacks executor): no application code there.
 */
public final class Admission {

    private final Limits owner;
    private final boolean total;
    private final String principal;
    private final String address;
    private final String topicKey;
    private final AtomicBoolean released = new AtomicBoolean();
    private Instant expiresAt;
    private ScheduledFuture<?> timer;

    Admission(Limits owner, boolean total, String principal, String address, String topicKey) {
        this.owner = owner;
        this.total = total;
        this.principal = principal;
        this.address = address;
        this.topicKey = topicKey;
    }

    /** Gives the counts back and cancels the expiry timer; later calls do nothing. */
    public void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        owner.give(total, principal, address, topicKey);
        ScheduledFuture<?> t;
        synchronized (this) {
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * Runs {@code expire} at {@code at} (at once when it has passed), unless the stream ended before;
     * of several calls the earliest instant wins. {@code expire} must only enqueue and close.
     */
    public void expireAt(Instant at, Runnable expire) {
        if (at == null || released.get()) {
            return;
        }
        ScheduledFuture<?> previous;
        synchronized (this) {
            if (expiresAt != null && !at.isBefore(expiresAt)) {
                return;
            }
            expiresAt = at;
            previous = timer;
            long delay = Math.max(0, Duration.between(Instant.now(), at).toNanos());
            try {
                timer = owner.scheduling().executor().schedule(expire, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                timer = null; // the application is stopping: every stream ends anyway
            }
        }
        if (previous != null) {
            previous.cancel(false);
        }
        if (released.get()) {
            cancelTimer();
        }
    }

    /** The stream ended while a timer was being set: cancel it (release ran before it was stored). */
    private void cancelTimer() {
        ScheduledFuture<?> t;
        synchronized (this) {
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.cancel(false);
        }
    }

    /** Whether {@link #release()} ran. */
    public boolean isReleased() {
        return released.get();
    }
}
