package io.github.sseprogress.internal.topic;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.Polling;
import io.github.sseprogress.internal.ApiAccess;
import io.github.sseprogress.internal.config.Scheduling;
import io.github.sseprogress.internal.delivery.Counters;

import jakarta.ws.rs.NotFoundException;

/**
 * Runs one {@link Polling} for one topic. States: NEW → RUNNING → STOPPED, or NEW → STOPPED (stop
 * before start is safe; a later start does nothing).
 *
 * <p>Threads: the managed scheduler only triggers; each poll (the application's source, then the
 * publish and the stop condition) runs on the callbacks executor (the container's
 * {@code ManagedExecutorService}), so a slow source never holds up heartbeats or the write watchdog
 * (Payara Micro's default scheduler has one thread). The next trigger is scheduled when a poll ends,
 * {@code interval} later, so two polls of one topic never overlap. {@link #stop()} never waits for a
 * poll in progress: it flips the state, cancels the pending trigger, runs cancellation callbacks and
 * the stop callback once, on the caller's thread (callers are never the scheduler).
 */
final class Poller implements Polling.Cancellation {

    private static final Logger LOG = Logger.getLogger(Poller.class.getName());
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int STOPPED = 2;

    private final ApiAccess.PollingParts polling;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private final List<Runnable> cancelActions = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> future;
    private Consumer<Object> publisher;
    private final Counters counters;

    Poller(Polling polling, Duration defaultInterval, Scheduling scheduling, Counters counters) {
        this.counters = counters;
        this.polling = ApiAccess.get().parts(polling);
        this.interval = this.polling.interval() != null ? this.polling.interval() : defaultInterval;
        this.scheduler = scheduling.executor();
        this.callbacks = scheduling.callbacks();
    }

    /** Starts polling now; each payload goes to {@code publisher}. */
    void start(Consumer<Object> publisher) {
        this.publisher = publisher;
        if (state.compareAndSet(NEW, RUNNING)) {
            trigger(0);
        }
    }

    /** Schedules the next poll's hand-over to the callbacks executor. */
    private void trigger(long delayMillis) {
        ScheduledFuture<?> f;
        try {
            f = scheduler.schedule(this::handOver, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            stop();
            return;
        }
        future = f;
        if (isCancelled()) {
            f.cancel(false);
        }
    }

    /** On the scheduler: never runs the source itself. */
    private void handOver() {
        if (isCancelled()) {
            return;
        }
        try {
            callbacks.execute(this::pollAndContinue);
        } catch (RejectedExecutionException e) {
            stop(); // the application is stopping
        }
    }

    private void pollAndContinue() {
        try {
            pollOnce();
        } finally {
            if (!isCancelled()) {
                trigger(interval.toMillis());
            }
        }
    }

    /** Stops polling; idempotent, never blocks. */
    void stop() {
        int previous = state.getAndSet(STOPPED);
        if (previous == STOPPED) {
            return;
        }
        ScheduledFuture<?> f = future;
        if (f != null) {
            f.cancel(false);
        }
        for (Runnable action : cancelActions) {
            runQuietly(action, "polling cancellation callback");
        }
        if (polling.stopCallback() != null) {
            runQuietly(polling.stopCallback(), "polling stop callback");
        }
    }

    boolean isStopped() {
        return state.get() == STOPPED;
    }

    @Override
    public boolean isCancelled() {
        return state.get() == STOPPED;
    }

    @Override
    public void onCancel(Runnable action) {
        cancelActions.add(action);
        if (isCancelled() && cancelActions.remove(action)) {
            runQuietly(action, "polling cancellation callback");
        }
    }

    /**
     * One poll. Nothing thrown here may escape (the chain of polls would end without a word,
     * leaving the poller RUNNING but dead and {@code onStop} never run). A
     * source failure of any kind becomes the error payload; a failure after it (the publisher, the
     * replay store, the stop condition) is logged once at WARNING (then at FINE), counted, and
     * polling goes on.
     */
    private void pollOnce() {
        try {
            pollOnceOrThrow();
        } catch (Throwable e) {
            failed(e);
        }
    }

    private void pollOnceOrThrow() {
        if (isCancelled()) {
            return;
        }
        Object payload;
        counters.countPoll();
        try {
            payload = polling.source().poll(this);
        } catch (Throwable e) {
            if (isCancelled()) {
                return;
            }
            counters.countPollFailure();
            payload = errorPayload(e);
        }
        if (isCancelled()) {
            return;
        }
        try {
            publisher.accept(payload);
        } catch (IllegalArgumentException e) {
            publisher.accept(errorPayload(e));
            return;
        }
        if (polling.stopCondition() != null) {
            boolean done;
            try {
                done = polling.stopCondition().test(payload);
            } catch (Throwable e) {
                failed(e);
                done = false;
            }
            if (done) {
                stop();
            }
        }
    }

    private void failed(Throwable e) {
        counters.countPollFailure();
        long n = failures.incrementAndGet();
        LOG.log(n == 1 ? Level.WARNING : Level.FINE,
                "polling failed (" + n + " failure(s) so far); polling goes on", e);
    }

    /** How many polls failed after the source (publisher, replay store, stop condition). */
    long failures() {
        return failures.get();
    }

    static Map<String, Object> errorPayload(Throwable e) {
        boolean notFound = e instanceof NotFoundException || e instanceof NoSuchElementException;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", notFound ? 404 : 500);
        m.put("message", e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        if (!notFound) {
            LOG.log(Level.FINE, "poll failed", e);
        }
        return m;
    }

    private static void runQuietly(Runnable r, String what) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, what + " failed", e);
        }
    }
}
