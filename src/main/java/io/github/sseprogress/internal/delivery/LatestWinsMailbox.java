package io.github.sseprogress.internal.delivery;

import java.util.concurrent.atomic.AtomicReference;

import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * One slot that keeps the event with the highest sequence ever offered and not yet taken. An older
 * event offered after a newer one (a publish racing an attach) is ignored, and once the writer took
 * sequence {@code n}, anything {@code <= n} offered later is ignored too: no duplicate, no going back.
 */
final class LatestWinsMailbox implements Mailbox {

    private final AtomicReference<PreparedEvent> slot = new AtomicReference<>();
    private volatile long taken = Long.MIN_VALUE;

    @Override
    public boolean offer(PreparedEvent event) {
        if (event.sequence() <= taken) {
            return true;
        }
        slot.accumulateAndGet(event, (cur, next) -> cur == null || next.sequence() > cur.sequence() ? next : cur);
        return true;
    }

    @Override
    public PreparedEvent poll() {
        while (true) {
            PreparedEvent e = slot.getAndSet(null);
            if (e == null) {
                return null;
            }
            if (e.sequence() > taken) {
                taken = e.sequence();
                return e;
            }
        }
    }

    @Override
    public boolean isEmpty() {
        return slot.get() == null;
    }

    @Override
    public int clear() {
        return slot.getAndSet(null) == null ? 0 : 1;
    }
}
