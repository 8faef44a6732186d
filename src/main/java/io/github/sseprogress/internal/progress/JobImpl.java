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
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.internal.wire.PreparedEvent;
import io.github.sseprogress.spi.ClusterEngine;
import io.github.sseprogress.spi.JobRecord;

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
    private final String run;
    /** The cluster engine when the job lives in the cluster (its state is a mirror), else null. */
    private final ClusterEngine cluster;
    /** Clustered: this handle sent the terminal (the mirror learns it when the engine delivers it). */
    private final java.util.concurrent.atomic.AtomicBoolean terminalSent = new java.util.concurrent.atomic.AtomicBoolean();

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
    private final Set<Outlet> subscribers = ConcurrentHashMap.newKeySet();
    private final CountDownLatch firstSubscriber = new CountDownLatch(1);
    private volatile boolean hadSubscriber;
    private volatile ScheduledFuture<?> retention;
    /** The max-run-time timer, cancelled when the job ends. */
    private volatile ScheduledFuture<?> deadline;

    JobImpl(String topic, EventFormatter formatter, Consumer<JobImpl> onFinished) {
        this(topic, formatter, onFinished, null,
                Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL, 36));
    }

    /** A job of the cluster: publish and finish go to the engine, its events come back through {@link #accept}. */
    JobImpl(String topic, EventFormatter formatter, Consumer<JobImpl> onFinished, ClusterEngine cluster, String run) {
        this.cluster = cluster;
        this.run = run;
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
        if (state.get().finished() || terminalSent.get()) {
            return; // skip serialising a payload nobody will see
        }
        if (cluster != null) {
            toCluster(snapshot, false);
            return;
        }
        State next = advance(prepare(snapshot), snapshot, false);
        if (next != null) {
            for (Outlet s : subscribers) {
                s.offer(next.event());
            }
        }
    }

    @Override
    public boolean finish(Object terminal) {
        if (state.get().finished()) {
            return false;
        }
        if (cluster != null) {
            if (!terminalSent.compareAndSet(false, true)) {
                return false;
            }
            toCluster(terminal, true);
            cancelDeadline();
            return true;
        }
        State next = advance(prepare(terminal), terminal, true);
        if (next == null) {
            return false;
        }
        cancelDeadline();
        for (Outlet s : subscribers) {
            s.offer(next.event());
            s.closeAfterDrain(DisconnectReason.TERMINAL);
        }
        firstSubscriber.countDown();
        onFinished.accept(this);
        return true;
    }

    private void toCluster(Object payload, boolean terminal) {
        SseEvent event = payload instanceof SseEvent ? (SseEvent) payload : SseEvent.of(payload);
        Object data = event.data();
        cluster.publishJob(topic, run, event.name(), formatter.text(data), !(data instanceof CharSequence), terminal);
    }

    /**
     * Clustered: takes the cluster's state of this run when it is newer than the mirror's (latest-wins
     * by seq), offers it to the subscribers and, for the terminal, ends their streams. Called on the
     * engine's delivery thread or by the request that created the mirror.
     */
    void accept(JobRecord r) {
        if (!run.equals(r.run()) || r.seq() == 0) {
            return;
        }
        SseEvent event = SseEvent.builder().name(r.name()).data(r.data()).build();
        PreparedEvent prepared = formatter.prepare(event, r.data(), r.seq(), r.id());
        State next = new State(prepared, null, r.finished());
        while (true) {
            State cur = state.get();
            if (cur.finished() || cur.sequence() >= r.seq()) {
                return;
            }
            if (state.compareAndSet(cur, next)) {
                break;
            }
        }
        for (Outlet s : subscribers) {
            s.offer(prepared);
            if (r.finished()) {
                s.closeAfterDrain(DisconnectReason.TERMINAL);
            }
        }
        if (r.finished()) {
            cancelDeadline();
            firstSubscriber.countDown();
            onFinished.accept(this);
        }
    }

    /** Clustered: the cluster lost this run; its subscribers get {@code payload} as a failed terminal. */
    void lost(String payload) {
        State cur = state.get();
        if (!cur.finished()) {
            accept(new JobRecord(topic, run, false, cur.sequence() + 1, null, payload, true, true));
        }
    }

    /** The run token of this job (its ids are {@code <run>-<seq>}). */
    String run() {
        return run;
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
        return state.get().finished() || terminalSent.get();
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
    void attach(Outlet s) {
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
    void detach(Outlet s) {
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
        for (Outlet s : List.copyOf(subscribers)) {
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
