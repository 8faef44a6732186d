package io.github.sseprogress.internal.progress;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Job;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * One job: its latest event and its subscribers. Lock-free.
 *
 * <h2>Algorithm</h2>
 * The whole observable state is one immutable {@link State} in an {@link AtomicReference}: the
 * latest event (whose id is {@code <run>-<sequence>}), the payload as published, and whether it is
 * terminal. {@code publish} and {@code finish} format the payload first (outside any retry loop),
 * then CAS {@code state} from {@code cur} to a state whose sequence is {@code cur.sequence + 1};
 * a CAS that finds a terminal state gives up. So sequences follow the order of successful CASes, the
 * cached event is always the newest, nothing is accepted after the terminal, and exactly one
 * {@code finish} wins. Memory is one {@code State}, whatever the number of publishes.
 *
 * <p>After its CAS, a publisher offers the event to every subscriber; each subscriber has a
 * latest-wins one-slot mailbox that keeps the highest sequence and never takes a lower or equal
 * one after a higher, so concurrent publishers delivering out of order cannot make a client go back
 * or see a duplicate. The finisher offers the terminal then asks each subscriber to close after
 * draining; a publish that lost the race to it finds the subscriber closing and is dropped.
 *
 * <p>Attach vs publish (no gap, no duplicate): {@link #attach} adds the subscriber to the set and
 * then reads {@code state}; a publisher writes {@code state} and then iterates the set. Both are
 * volatile accesses, so at least one side sees the other: the subscriber reads the new event, or the
 * publisher's iteration finds the subscriber, or both, in which case the mailbox drops the second
 * copy by sequence. The same argument gives every subscriber the terminal event.
 *
 * <h2>Threads and lock order</h2>
 * No lock is taken here. The tracker's registry (a {@code ConcurrentHashMap}, whose per-key bin lock
 * is the "tracker lock") only calls {@link #isFinished()} (one volatile read) inside its atomic
 * compute; a job never calls the registry while inside its own state change, and calls back
 * {@code onFinished} (which schedules retention) after its CAS. Order: tracker → job, never back.
 * {@code publish}/{@code finish} run on the work's thread and only enqueue; clients are written by
 * their subscribers' writer tasks on the managed scheduler.
 */
final class JobImpl implements Job {

    /**
     * A random token per job, prefixed to its event ids ({@code <run>-<sequence>}): a job that replaces
     * a finished one on the same topic never reuses an id, so a browser reconnecting with the old
     * run's terminal id is not mistaken for one that has this run's terminal (204).
     */
    private final String run = Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL, 36);

    /** The latest event; {@code event == null} before the first publish (and in a dropped job). */
    record State(PreparedEvent event, Object data, boolean finished) {

        static final State EMPTY = new State(null, null, false);

        long sequence() {
            return event == null ? 0 : event.sequence();
        }
    }

    private final String topic;
    private final EventFormatter formatter;
    private final Consumer<JobImpl> onFinished;
    private final AtomicReference<State> state = new AtomicReference<>(State.EMPTY);
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final CountDownLatch firstSubscriber = new CountDownLatch(1);
    private volatile boolean hadSubscriber;
    private volatile ScheduledFuture<?> retention;
    /** The max-run-time timer, cancelled when the job ends. */
    private volatile ScheduledFuture<?> deadline;

    JobImpl(String topic, EventFormatter formatter, Consumer<JobImpl> onFinished) {
        this.topic = topic;
        this.formatter = formatter;
        this.onFinished = onFinished;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public void publish(Object snapshot) {
        if (state.get().finished()) {
            return; // skip serialising a payload nobody will see
        }
        State next = advance(prepare(snapshot), snapshot, false);
        if (next != null) {
            for (Subscriber s : subscribers) {
                s.offer(next.event());
            }
        }
    }

    @Override
    public boolean finish(Object terminal) {
        if (state.get().finished()) {
            return false;
        }
        State next = advance(prepare(terminal), terminal, true);
        if (next == null) {
            return false;
        }
        cancelDeadline();
        for (Subscriber s : subscribers) {
            s.offer(next.event());
            s.closeAfterDrain(DisconnectReason.TERMINAL);
        }
        firstSubscriber.countDown();
        onFinished.accept(this);
        return true;
    }

    /** CASes to the next state; {@code null} when the job is (or became) finished. */
    private State advance(PreparedEvent formatted, Object data, boolean terminal) {
        while (true) {
            State cur = state.get();
            if (cur.finished()) {
                return null;
            }
            long seq = cur.sequence() + 1;
            State next = new State(formatted.withSequenceAndId(seq, run + "-" + seq), data, terminal);
            if (state.compareAndSet(cur, next)) {
                return next;
            }
        }
    }

    private PreparedEvent prepare(Object payload) {
        SseEvent event = payload instanceof SseEvent ? (SseEvent) payload : SseEvent.of(payload);
        return formatter.prepare(event, 0, null);
    }

    @Override
    public boolean isFinished() {
        return state.get().finished();
    }

    @Override
    public boolean awaitSubscriber(Duration timeout) throws InterruptedException {
        if (!hadSubscriber && !timeout.isNegative() && !timeout.isZero()) {
            firstSubscriber.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return hadSubscriber;
    }

    /**
     * Registers an opened subscriber: latest event first, then the live tail; for a finished job the
     * terminal event, then close. Runs on the request thread.
     */
    void attach(Subscriber s) {
        subscribers.add(s);
        hadSubscriber = true;
        firstSubscriber.countDown();
        State cur = state.get();
        if (cur.event() != null) {
            s.offer(cur.event());
        }
        if (cur.finished()) {
            if (cur.event() == null) {
                s.close(DisconnectReason.SHUTDOWN); // dropped by shutdown while we attached
            } else {
                s.closeAfterDrain(DisconnectReason.TERMINAL);
            }
        }
        if (s.reason() != null) {
            subscribers.remove(s); // it closed before it was in the set: its listener found nothing
        }
    }

    /** Called once when a subscriber closed, on whatever thread closed it. */
    void detach(Subscriber s) {
        subscribers.remove(s);
    }

    /** The state now (one volatile read). */
    State state() {
        return state.get();
    }

    /** The latest event as the public value, or {@code null} before the first publish. */
    Tracker.Snapshot snapshot() {
        State s = state.get();
        return s.event() == null ? null : new Tracker.Snapshot(s.event().getId(), s.data(), s.finished());
    }

    int subscriberCount() {
        return subscribers.size();
    }

    void retention(ScheduledFuture<?> future) {
        retention = future;
    }

    /** Sets the max-run-time timer; cancels it at once when the job already ended. */
    void deadline(ScheduledFuture<?> future) {
        deadline = future;
        if (isFinished()) {
            future.cancel(false);
        }
    }

    private void cancelDeadline() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
    }

    /**
     * Shutdown: marks the job finished without a terminal event (the work's further calls are
     * ignored), ends every stream with {@code SHUTDOWN} and releases {@link #awaitSubscriber} waiters.
     */
    void drop() {
        while (true) {
            State cur = state.get();
            if (cur.finished() || state.compareAndSet(cur, new State(null, null, true))) {
                break;
            }
        }
        firstSubscriber.countDown();
        cancelDeadline();
        ScheduledFuture<?> r = retention;
        if (r != null) {
            r.cancel(false);
        }
        for (Subscriber s : List.copyOf(subscribers)) {
            s.close(DisconnectReason.SHUTDOWN);
        }
        subscribers.clear();
    }

    @Override
    public String toString() {
        State s = state.get();
        return "Job[topic=" + topic + ", sequence=" + s.sequence() + ", finished=" + s.finished() + "]";
    }
}
