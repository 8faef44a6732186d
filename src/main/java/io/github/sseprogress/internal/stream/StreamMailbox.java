package io.github.sseprogress.internal.stream;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * The one queue of a multiplexed {@link Connection}: the connection's own frames (its opening frame)
 * and its members' entries, in one FIFO. A topic event counts against the bound (the configured queue
 * size for each key the connection follows, so a key is as well served as on a stream of its own); markers (a job's
 * token, a loss marker ({@code Member.Loss}), a key's end, a member's replay) are at most a few per key and go beyond it.
 * {@link #poll()} runs on the connection's single writer and hands each entry to
 * {@link Connection#frame}, which turns it into the frame to write (or skips it). Not final only so a
 * test can hold a marker on its way in ({@code MemberLossSignalTest}).
 */
class StreamMailbox implements Mailbox {

    /** A job's slot has an event: the writer takes the newest one. */
    static final Object TOKEN = new Object();
    /** A key ended: the writer sends its {@code end} frame. */
    static final Object END = new Object();

    /** A member's event or marker; {@code counted} when it holds a place under the bound. */
    record Entry(Member member, Object item, boolean counted) {
    }

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger bounded = new AtomicInteger();
    private final int perKey;
    private final Connection connection;

    /** A bound of {@code perKey} events for each key the connection follows. */
    StreamMailbox(int perKey, Connection connection) {
        this.perKey = perKey;
        this.connection = connection;
    }

    /** Queues a topic's event for a member; {@code false} when the bound is reached. */
    boolean offer(Member member, PreparedEvent event) {
        if (bounded.incrementAndGet() > (long) perKey * Math.max(1, connection.keys())) {
            bounded.decrementAndGet();
            return false;
        }
        queue.add(new Entry(member, event, true));
        return true;
    }

    /** Queues a marker (or a frame that precedes a member's live tail) beyond the bound. */
    void mark(Member member, Object item) {
        queue.add(new Entry(member, item, false));
    }

    @Override
    public boolean offer(PreparedEvent event) {
        queue.add(event);
        return true;
    }

    @Override
    public PreparedEvent poll() {
        while (true) {
            Object next = queue.poll();
            if (next == null) {
                return null;
            }
            if (next instanceof PreparedEvent) {
                return (PreparedEvent) next;
            }
            Entry e = (Entry) next;
            if (e.counted()) {
                bounded.decrementAndGet();
            }
            PreparedEvent frame = connection.frame(e.member(), e.item());
            if (frame != null) {
                return frame;
            }
        }
    }

    @Override
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    public int depth() {
        return bounded.get();
    }

    @Override
    public int clear() {
        int n = 0;
        while (queue.poll() != null) {
            n++;
        }
        bounded.set(0);
        return n;
    }
}
