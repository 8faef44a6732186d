package io.github.sseprogress.bench.app;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The burst (issue 15), shared by ours and stock: {@code publishers} threads from the container's thread
 * factory, released together, each publish {@code count} events back to back. Event k of publisher p
 * carries {@code "s": p * count + k} (and its publish time in {@code "t"}), so the client can check each
 * publisher's order and count what it got. {@link Pacer#published} counts publish CALLS, thrown or not.
 * Also recorded per topic: how long the publishers took from
 * release to the last one done (a broadcast that blocks its caller shows here) and how many publish
 * calls threw.
 */
public final class Burst {

    public interface Sink {
        void publish(String payload);
    }

    static final class Run {
        final AtomicLong errors = new AtomicLong();
        final java.util.concurrent.atomic.AtomicInteger remaining;
        final CountDownLatch done;
        volatile long released;
        volatile long finished;
        volatile String firstError;

        Run(int publishers) {
            remaining = new java.util.concurrent.atomic.AtomicInteger(publishers);
            done = new CountDownLatch(publishers);
        }
    }

    private static final ConcurrentHashMap<String, Run> RUNS = new ConcurrentHashMap<>();

    private Burst() {
    }

    /** Starts the publishers and returns once they are released ("ok"), or why not. */
    public static String start(ThreadFactory threads, String topic, int publishers, int count, int bytes, Sink sink)
            throws InterruptedException {
        AtomicLong published = new AtomicLong();
        Pacer.published.put(topic, published);
        Run run = new Run(publishers);
        RUNS.put(topic, run);
        CountDownLatch ready = new CountDownLatch(publishers);
        CountDownLatch go = new CountDownLatch(1);
        for (int p = 0; p < publishers; p++) {
            long base = (long) p * count;
            Thread t = threads.newThread(() -> {
                ready.countDown();
                try {
                    go.await();
                    for (int k = 0; k < count; k++) {
                        try {
                            sink.publish(Pacer.payload(System.nanoTime(), base + k, bytes));
                        } catch (RuntimeException e) {
                            // Jersey's broadcast throws once a subscriber's buffer overflows ("Unknown
                            // subscriber", jersey#4551) after it handed the event to some sinks: still a publish
                            if (run.errors.getAndIncrement() == 0) {
                                run.firstError = e.toString();
                            }
                        }
                        published.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (run.remaining.decrementAndGet() == 0) {
                        run.finished = System.nanoTime(); // before the latch opens: info() sees it once done
                    }
                    run.done.countDown();
                }
            });
            t.setName("bench-burst-" + p);
            t.start();
        }
        if (!ready.await(30, TimeUnit.SECONDS)) {
            go.countDown();
            return "not all " + publishers + " publisher threads started";
        }
        run.released = System.nanoTime();
        go.countDown();
        return "ok";
    }

    /** {"done":all publishers returned,"publishMs":release to the last one done (-1 while running),"errors":n,"firstError":"..."}. */
    public static String info(String topic) {
        Run r = RUNS.get(topic);
        if (r == null) {
            return "{\"done\":false,\"publishMs\":-1,\"errors\":0}";
        }
        boolean done = r.done.getCount() == 0;
        long ms = done && r.finished != 0 ? (r.finished - r.released) / 1_000_000 : -1;
        String err = r.firstError == null ? "" : r.firstError.replace('"', '\'').replace('\\', '/');
        return "{\"done\":" + done + ",\"publishMs\":" + ms + ",\"errors\":" + r.errors.get() + ",\"firstError\":\""
                + err + "\"}";
    }
}
