package io.github.sseprogress.internal.delivery;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The writer pool's work list: subscribers that have something to write, in the order they became
 * ready, served by at most {@link #target(int) target} pool tasks ("runners") that each take a run of
 * them, one turn each. Before, every subscriber with a queued frame was one pool task per event
 * (execute, the pool queue's lock, a park/unpark); now a publish to 5,000 subscribers starts at most
 * {@code target} tasks and the rest is a lock-free queue (issue 15 item 1).
 *
 * <ul>
 *   <li>Ownership does not change: only the subscriber's owner (its {@code draining} flag) puts it
 *       here, and it stays the owner while queued, so a subscriber is queued at most once (memory is
 *       bounded by the number of subscribers) and only one thread ever writes its sink.</li>
 *   <li>Fairness: a turn writes at most {@link #TURN_FRAMES} frames; a subscriber with more goes to
 *       the back of the queue.</li>
 *   <li>A runner pinned by a stalled client (a blocking {@code send}) still counts as a runner; the
 *       watchdog raises the target by one per pinned writer ({@code Delivery.fitWriters}), which starts
 *       a runner for what waits, so free writers keep serving the queue.</li>
 *   <li>When the pool refuses a runner (the application is stopping), every queued subscriber is
 *       closed and its sink closed, as the per-event task did before.</li>
 * </ul>
 */
final class ReadyQueue {

    private static final Logger LOG = Logger.getLogger(ReadyQueue.class.getName());
    /** The most frames one subscriber writes per turn before the others get theirs. */
    static final int TURN_FRAMES = 16;

    private final Executor pool;
    private final ConcurrentLinkedQueue<Subscriber> ready = new ConcurrentLinkedQueue<>();
    /** Runners started and not yet ended (queued in the pool, running, or pinned in a send). */
    private final AtomicInteger runners = new AtomicInteger();
    private final Runnable runner = this::run;
    private volatile int target;

    ReadyQueue(Executor pool, int target) {
        this.pool = pool;
        this.target = Math.max(1, target);
    }

    /** The executor the runners run on. */
    Executor pool() {
        return pool;
    }

    /** Runners now (for tests and diagnostics). */
    int runners() {
        return runners.get();
    }

    /**
     * Sets how many runners may exist at once (the free writers plus the pinned ones) and starts
     * runners for what waits. Runners beyond a lowered target end after their current turn.
     */
    void target(int n) {
        target = Math.max(1, n);
        while (!ready.isEmpty() && startRunner()) {
            // one runner per free slot while work waits
        }
    }

    /** Queues {@code s}, whose caller owns it (its draining flag), and makes sure a runner will take it. */
    void submit(Subscriber s) {
        ready.offer(s);
        startRunner();
    }

    private boolean startRunner() {
        if (!acquire()) {
            return false;
        }
        try {
            pool.execute(runner);
            return true;
        } catch (RejectedExecutionException e) {
            runners.decrementAndGet();
            refuseAll();
            return false;
        }
    }

    private boolean acquire() {
        while (true) {
            int n = runners.get();
            if (n >= target) {
                return false;
            }
            if (runners.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** The pool refused work: nothing can write any more; close whatever waits (we own each one we take). */
    private void refuseAll() {
        Subscriber s;
        while ((s = ready.poll()) != null) {
            s.refused();
        }
    }

    private void run() {
        boolean counted = true;
        try {
            while (true) {
                Subscriber s = ready.poll();
                if (s != null) {
                    turn(s);
                }
                if (s == null || runners.get() > target) {
                    runners.decrementAndGet();
                    counted = false;
                    // Re-check after leaving so a subscriber queued meanwhile is never stranded: it
                    // was queued either before this check (seen here) or after it (its submit starts
                    // a runner, as this one is gone).
                    if (ready.isEmpty() || !acquire()) {
                        return;
                    }
                    counted = true;
                }
            }
        } finally {
            if (counted) {
                runners.decrementAndGet(); // only on an Error: keep the count honest
            }
        }
    }

    private void turn(Subscriber s) {
        boolean again;
        try {
            again = s.drainTurn(TURN_FRAMES);
        } catch (RuntimeException e) {
            // A library defect: end this stream (the client reconnects), keep serving the others.
            LOG.log(Level.WARNING, "an SSE writer turn failed; the stream is closed", e);
            s.refused();
            return;
        }
        if (again) {
            ready.offer(s); // still its owner: to the back of the queue
        }
    }
}
