package io.github.sseprogress.bench.app;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The publisher loop shared by every resource: publish number {@code i} is due at
 * {@code start + i * period}, and carries that INTENDED time (not the time it actually ran) in its
 * payload, so a publisher held up by a blocking broadcast is charged for the delay
 * (no coordinated omission). Overdue publishes are sent back to back. The loop stops at its
 * deadline even if it fell behind; what it skipped is visible in {@link #published}.
 */
public final class Pacer {

    /** Publishes so far, by key (topic or job prefix). */
    public static final ConcurrentHashMap<String, AtomicLong> published = new ConcurrentHashMap<>();

    public interface Sink {
        void publish(long index, String payload);
    }

    private Pacer() {
    }

    /**
     * Runs {@code loop} on a new thread of the container's thread factory. Not on the default
     * {@code ManagedExecutorService}: Payara Micro's has {@code core-pool-size="0"} and an unbounded queue,
     * so it runs ONE task at a time, and a publisher loop would queue behind a blocked filler (or the reverse).
     */
    public static void start(java.util.concurrent.ThreadFactory threads, Runnable loop) {
        threads.newThread(loop).start();
    }

    /** Runs on the calling thread: {@code total} publishes at {@code ratePerSecond}, {@code bytes} of payload each. */
    public static void run(String key, long total, double ratePerSecond, int bytes, long graceNanos, Sink sink) {
        AtomicLong count = new AtomicLong();
        published.put(key, count);
        long period = (long) (1e9 / ratePerSecond);
        long start = System.nanoTime() + 1_000_000;
        long deadline = start + total * period + graceNanos;
        long i = 0;
        while (i < total) {
            long target = start + i * period;
            long now = System.nanoTime();
            if (now > deadline) {
                break;
            }
            if (target - now > 0) {
                LockSupport.parkNanos(target - now);
                continue;
            }
            sink.publish(i, payload(target, i, bytes));
            count.incrementAndGet();
            i++;
        }
    }

    /** {"t":<intended System.nanoTime()>,"s":<index>,"p":"xxx"} padded to {@code bytes} characters. */
    public static String payload(long t, long index, int bytes) {
        StringBuilder b = new StringBuilder(bytes + 32).append("{\"t\":").append(t).append(",\"s\":").append(index)
                .append(",\"p\":\"");
        while (b.length() < bytes - 2) {
            b.append('x');
        }
        return b.append("\"}").toString();
    }

    public static long published(String key) {
        AtomicLong c = published.get(key);
        return c == null ? 0 : c.get();
    }
}
