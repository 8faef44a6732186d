package io.github.sseprogress.internal.stream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.delivery.CloseNotice;
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * One key of a multiplexed {@link Connection}: what a topic or job delivers to. Its events go into
 * the connection's one queue, tagged with this member; the connection's single writer frames them.
 *
 * <ul>
 *   <li>A topic's member queues each event (bounded by the connection's queue); on overflow the
 *       connection's policy applies: {@code DROP} counts the loss for this key and queues one marker
 *       that the writer turns into this key's {@code missed} frame (or, on a replay topic, ends the
 *       connection for a lossless resume); {@code REMOVE}/{@code CLOSE} end the connection.</li>
 *   <li>A job's member is latest-wins: one slot holds the newest event (by sequence, never going
 *       back) and at most one token waits in the queue for it, so a slow client gets the newest
 *       snapshot, never a backlog, and the job's terminal is never lost.</li>
 * </ul>
 *
 * <p>States: OPEN → CLOSING (ends after what is queued: a terminal, {@link #closeAfterDrain}) or
 * CLOSED (ends now, what is queued is skipped: {@link #close}); either way an END marker queued
 * behind this key's events makes the writer send the key's {@code end} frame. The close listener
 * (leave the topic, detach from the job) is told at once, through {@link CloseNotice}.
 *
 * <h2>Threads</h2>
 * Publishers offer from any thread, several at once; the connection's writer takes the loss markers
 * ({@link #takeLost}). Lock-free but for one leaf lock, {@code lossLock}, per member: it guards the
 * counts of the key's loss markers and their opening, and nothing is called out under it (only the
 * lock-free queue's add; the writer is woken after it is released). The successful offer never takes
 * it. The rule kept: a publisher's dropped event is counted by a marker queued after that publisher's
 * previous queued event of this key and before its next one.
 * <ul>
 *   <li>A drop, under the lock, joins the open marker ({@code openLoss}) or opens a new one: it
 *       publishes it as open first, then queues it, both before it lets go of the lock; so a later
 *       dropper only ever joins a marker already queued, and its own next event lands behind it.</li>
 *   <li>An offer that queued its event closes the open marker (compare-and-set, no lock), so the next
 *       drop opens a marker after that event. A marker opened while an offer queued its event either
 *       lands behind the event or is closed by that offer.</li>
 *   <li>The writer takes a marker's count under the lock and closes it if still open: a drop counted
 *       before is in its {@code missed} frame, a drop after opens a new marker behind it.</li>
 * </ul>
 */
final class Member implements Outlet {

    static final int OPEN = 0;
    static final int CLOSING = 1;
    static final int CLOSED = 2;

    final Connection connection;
    final String key;
    /** Whether it follows a job (latest-wins); set before it is attached. */
    boolean job;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final CloseNotice<Member> notice;
    /** The topic's or job's listener, set by {@link #listener} when the member is attached. */
    private volatile BiConsumer<? super Member, DisconnectReason> onClosed;
    private volatile String endPayload;
    private volatile boolean resumeOnOverflow;
    /** Job: the newest event not yet taken, the highest sequence ever offered. */
    private final AtomicReference<PreparedEvent> slot = new AtomicReference<>();
    private final AtomicLong highest = new AtomicLong(Long.MIN_VALUE);
    /**
     * The loss marker queued after this key's last queued event and not written yet, which further
     * drops add to; cleared when one of the key's events is queued after it, so drops after that event
     * get their own marker after it (each {@code missed} frame then stands exactly where its events
     * were lost, also when the key's events share the queue with other keys' events).
     */
    private final AtomicReference<Loss> openLoss = new AtomicReference<>();
    /** Guards the loss markers' counts and the opening of one (see "Threads"); a leaf lock. */
    private final Object lossLock = new Object();
    /** Written by the writer only: the key's position (last event id, "" none, "!" ended) and whether it ended. */
    String position;
    boolean ended;

    Member(Connection connection, String key, boolean job, String position) {
        this.connection = connection;
        this.key = key;
        this.job = job;
        this.position = position == null ? "" : position;
        // One notice for the member's life: a connection that ends while the member is being attached
        // records it here, and the listener set meanwhile is told when the owner arms the member.
        this.notice = new CloseNotice<>(this, (m, why) -> {
            BiConsumer<? super Member, DisconnectReason> l = onClosed;
            if (l != null) {
                l.accept(m, why);
            }
        }, connection.callbacks());
    }

    /** Sets the close listener (before the member is offered to anything; told once armed). */
    Member listener(BiConsumer<? super Member, DisconnectReason> listener) {
        onClosed = listener;
        return this;
    }

    @Override
    public boolean offer(PreparedEvent event) {
        if (state.get() != OPEN) {
            return false;
        }
        if (job) {
            offerLatest(event);
            return true;
        }
        if (!connection.queue(this, event)) {
            overflow();
            return state.get() == OPEN;
        }
        Loss open = openLoss.get();
        if (open != null) {
            openLoss.compareAndSet(open, null); // the gap before this event is closed: later drops are a gap after it
        }
        return true;
    }

    private void offerLatest(PreparedEvent event) {
        long seq = event.sequence();
        while (true) {
            long h = highest.get();
            if (seq <= h) {
                return; // older than, or the same as, what was offered: no duplicate, never back
            }
            if (highest.compareAndSet(h, seq)) {
                break;
            }
        }
        PreparedEvent before = slot.getAndAccumulate(event,
                (cur, next) -> cur == null || next.sequence() > cur.sequence() ? next : cur);
        if (before == null) {
            connection.mark(this, StreamMailbox.TOKEN); // one token per filled slot
        }
    }

    /** The writer takes the newest event of a job's slot. */
    PreparedEvent takeLatest() {
        return slot.getAndSet(null);
    }

    /** Events of this key lost at one place of its stream: one {@code missed} frame. */
    static final class Loss {
        /** Events dropped (guarded by the member's lossLock). */
        private long count = 1;
    }

    /** The writer takes the count of a loss marker: the events it stands for, which no later drop joins. */
    long takeLost(Loss loss) {
        synchronized (lossLock) {
            openLoss.compareAndSet(loss, null);
            long n = loss.count;
            loss.count = 0;
            return n;
        }
    }

    private void overflow() {
        connection.dropped();
        SlowSubscriberPolicy policy = connection.policy();
        if (policy == SlowSubscriberPolicy.DROP && !resumeOnOverflow) {
            synchronized (lossLock) {
                Loss open = openLoss.get();
                if (open != null) {
                    open.count++;
                    return;
                }
                Loss gap = new Loss();
                openLoss.set(gap); // open before queued: an offer queueing its event meanwhile closes it
                if (!connection.enqueue(this, gap)) { // the gap's place in this key's events
                    return;
                }
            }
            connection.wake();
            return;
        }
        connection.overflowed(policy);
    }

    @Override
    public void offerFirst(Iterable<PreparedEvent> frames) {
        if (state.get() != OPEN) {
            return;
        }
        for (PreparedEvent e : frames) {
            connection.mark(this, e);
        }
    }

    @Override
    public void closeAfterDrain(DisconnectReason why) {
        if (state.compareAndSet(OPEN, CLOSING)) {
            end(why);
        }
    }

    @Override
    public boolean close(DisconnectReason why) {
        while (true) {
            int s = state.get();
            if (s == CLOSED) {
                return false;
            }
            if (state.compareAndSet(s, CLOSED)) {
                slot.set(null);
                if (s == OPEN) {
                    end(why);
                }
                return true;
            }
        }
    }

    /** Queues the key's end behind its events and tells the listener. */
    private void end(DisconnectReason why) {
        if (endPayload == null) {
            endPayload = payloadOf(why);
        }
        connection.mark(this, StreamMailbox.END);
        notice.closed(why, null);
    }

    /** The connection ended: the key leaves without an end frame (the client resumes it). */
    void leave(DisconnectReason why) {
        state.compareAndSet(OPEN, CLOSING); // what is queued still goes out if the writer still drains
        notice.closed(why, null);
    }

    /** Ends a key that was never attached (unknown, rejected, already finished on the client). */
    void endWith(String payload) {
        endPayload = payload;
        state.set(CLOSING);
        connection.mark(this, StreamMailbox.END);
    }

    private static String payloadOf(DisconnectReason why) {
        switch (why) {
            case TERMINAL:
                return "{\"reason\":\"finished\"}";
            case UNSUBSCRIBED:
                return "{\"reason\":\"unsubscribed\"}";
            case SHUTDOWN:
                return "{\"reason\":\"shutdown\"}";
            default:
                return "{\"reason\":\"" + why.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "\"}";
        }
    }

    /** The {@code end} frame's payload. */
    String endPayload() {
        String p = endPayload;
        return p == null ? "{\"reason\":\"shutdown\"}" : p;
    }

    /** Whether what is queued for this key is to be skipped (closed now, not after draining). */
    boolean skipsQueued() {
        return state.get() == CLOSED;
    }

    @Override
    public boolean isClosed() {
        return state.get() != OPEN;
    }

    @Override
    public DisconnectReason reason() {
        return state.get() == OPEN ? null : notice.reason();
    }

    @Override
    public void arm() {
        notice.arm();
    }

    @Override
    public void resumeOnOverflow() {
        resumeOnOverflow = true;
    }

    @Override
    public long sendInFlightSince() {
        return connection.sendInFlightSince();
    }

    @Override
    public String toString() {
        return "Member[" + key + "]";
    }
}
