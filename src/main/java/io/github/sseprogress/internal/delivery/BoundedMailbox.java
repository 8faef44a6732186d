package io.github.sseprogress.internal.delivery;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.sseprogress.internal.wire.PreparedEvent;

/**
 * Bounded multi-producer FIFO. The bound is enforced by reserving a slot in {@code size} before
 * adding (increment, check, undo on overflow), so the queue never holds more than {@code capacity}
 * events. An empty mailbox costs one queue head node and one counter (no pre-sized array), which
 * keeps an idle subscriber small.
 */
final class BoundedMailbox implements Mailbox {

    private final ConcurrentLinkedQueue<PreparedEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    BoundedMailbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public boolean offer(PreparedEvent event) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        queue.add(event);
        return true;
    }

    @Override
    public void offerBeyondBound(PreparedEvent event) {
        size.incrementAndGet();
        queue.add(event);
    }

    @Override
    public PreparedEvent poll() {
        PreparedEvent e = queue.poll();
        if (e != null) {
            size.decrementAndGet();
        }
        return e;
    }

    @Override
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    @Override
    public int depth() {
        return size.get();
    }

    @Override
    public int clear() {
        int n = 0;
        while (poll() != null) {
            n++;
        }
        return n;
    }
}
