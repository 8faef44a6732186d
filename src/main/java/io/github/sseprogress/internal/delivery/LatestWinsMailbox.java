package io.github.sseprogress.internal.delivery;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * One slot that keeps the event with the highest sequence ever offered and not yet taken. An older
 * event offered after a newer one (a publish racing an attach) is ignored, and once the writer took
 * sequence {@code n}, anything {@code <= n} offered later is ignored too: no duplicate, no going back.
 *
 * <p>Frames that open a stream ({@link #offerBeyondBound}: the {@code retry:} frame, a loss signal)
 * go to a small FIFO ahead of the slot and are never replaced: the writer takes them first, in order.
 * Only the subscriber's opening calls it, so the FIFO holds a handful of frames at most.
 */
final class LatestWinsMailbox implements Mailbox {

    private final ConcurrentLinkedQueue<PreparedEvent> opening = new ConcurrentLinkedQueue<>();
    private final AtomicReference<PreparedEvent> slot = new AtomicReference<>();
    private volatile long taken = Long.MIN_VALUE;
    /** The stream's final frame, written after the slot. */
    private final AtomicReference<PreparedEvent> last = new AtomicReference<>();

    @Override
    public boolean offer(PreparedEvent event) {
        if (event.sequence() <= taken) {
            return true;
        }
        slot.accumulateAndGet(event, (cur, next) -> cur == null || next.sequence() > cur.sequence() ? next : cur);
        return true;
    }

    @Override
    public void offerBeyondBound(PreparedEvent event) {
        opening.add(event);
    }

    @Override
    public void offerLast(PreparedEvent event) {
        last.compareAndSet(null, event);
    }

    @Override
    public PreparedEvent poll() {
        PreparedEvent first = opening.poll();
        if (first != null) {
            if (first.sequence() > taken) {
                taken = first.sequence(); // single consumer: only the writer writes 'taken'
            }
            return first;
        }
        while (true) {
            PreparedEvent e = slot.getAndSet(null);
            if (e == null) {
                return last.getAndSet(null);
            }
            if (e.sequence() > taken) {
                taken = e.sequence();
                return e;
            }
        }
    }

    @Override
    public boolean isEmpty() {
        return opening.isEmpty() && slot.get() == null && last.get() == null;
    }

    @Override
    public int clear() {
        int n = 0;
        while (opening.poll() != null) {
            n++;
        }
        n += last.getAndSet(null) == null ? 0 : 1;
        return n + (slot.getAndSet(null) == null ? 0 : 1);
    }
}
