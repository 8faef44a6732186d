package io.github.sseprogress.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.testing.LossPlacement;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Fakes for the loss-signal tests (single streams and multiplexed keys): a sink that records what
 * the writer wrote as {@code "P:S"} / {@code "missed:N"} (the form {@code LossPlacement} checks), a
 * writer executor the test runs by hand, and a way to build a {@link Subscriber} without CDI.
 */
public final class LossSinks {

    private static final Pattern DROPPED = Pattern.compile("\"dropped\":(\\d+)");

    private LossSinks() {
    }

    /** A subscriber writing to {@code sink} without {@code Sse} (frames reach the sink as they are). */
    public static Subscriber subscriber(SseEventSink sink, Mailbox mailbox, Executor writer) {
        return new Subscriber(sink, null, mailbox, SlowSubscriberPolicy.DROP, writer, Runnable::run,
                new Counters(null), PreparedEvent.comment(""), () -> { }, (s, why) -> { });
    }

    /** An event of publisher {@code p} with sequence {@code s}, data {@code "p:s"}. */
    public static PreparedEvent event(int p, long s) {
        return PreparedEvent.frame(s, null, null, p + ":" + s, false);
    }

    /**
     * {@code rounds} rounds of {@code threads} publishers offering {@code events} events each at once to the
     * outlet {@code open} makes per round (given the round's recording sink and the writer executor). Each
     * round waits until every event is delivered or reported, then asserts the loss rule for every publisher
     * ({@link LossPlacement#problems}); at the end, that the rounds exercised it: more than {@code minGaps}
     * missed frames, and as many between two delivered events.
     */
    public static void concurrentRounds(int rounds, int threads, int events, long minGaps,
            BiFunction<RecordingSink, Executor, Outlet> open) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(2);
        ExecutorService publishers = Executors.newFixedThreadPool(threads);
        long signals = 0;
        long interleaved = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                RecordingSink sink = new RecordingSink();
                Outlet outlet = open.apply(sink, writers);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int p = t;
                    running.add(publishers.submit(() -> {
                        start.await();
                        for (int i = 0; i < events; i++) {
                            assertThat(outlet.offer(event(p, i))).isTrue();
                            if (i % 7 == p % 7) {
                                Thread.yield();
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : running) {
                    f.get(30, TimeUnit.SECONDS);
                }
                long offered = (long) threads * events;
                await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> sink.delivered.get() + sink.reported.get() == offered);
                int[] counts = new int[threads];
                Arrays.fill(counts, events);
                assertThat(LossPlacement.problems(sink.frames, counts)).as("round %d", round).isEmpty();
                signals += sink.frames.stream().filter(f -> f.startsWith("missed:")).count();
                interleaved += LossPlacement.gapsBetweenDeliveries(sink.frames);
            }
        } finally {
            publishers.shutdownNow();
            writers.shutdownNow();
        }
        // the rounds did what they are for: many gaps, most with events delivered on both sides
        assertThat(signals).as("missed frames in all rounds").isGreaterThan(minGaps);
        assertThat(interleaved).as("missed frames between two delivered events").isGreaterThan(minGaps);
    }

    /** Runs writer tasks when the test says so; publishers may hand it tasks from any thread. */
    public static final class ManualExecutor implements Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        public void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    /**
     * Records each data frame: an event's data without the multiplexed key's line, a loss signal as
     * {@code "missed:N"}; comments are not recorded. When {@code pending} is set a write returns a
     * stage the test completes with {@link #completeOne()}.
     */
    public static final class RecordingSink implements SseEventSink {
        public final List<String> frames = new CopyOnWriteArrayList<>();
        public final AtomicLong delivered = new AtomicLong();
        public final AtomicLong reported = new AtomicLong();
        private final Queue<CompletableFuture<Void>> stages = new ConcurrentLinkedQueue<>();
        public volatile boolean pending;
        private volatile boolean closed;

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            PreparedEvent e = (PreparedEvent) event;
            String data = e.dataText();
            if (data != null) {
                int nl = data.indexOf('\n');
                String body = nl < 0 ? data : data.substring(nl + 1);
                if ("missed".equals(e.name())) {
                    Matcher m = DROPPED.matcher(body);
                    if (!m.find()) {
                        throw new AssertionError("a missed frame without a count: " + body);
                    }
                    long n = Long.parseLong(m.group(1));
                    frames.add("missed:" + n);
                    reported.addAndGet(n);
                } else {
                    frames.add(body);
                    delivered.incrementAndGet();
                }
            }
            if (pending) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                stages.add(f);
                return f;
            }
            return CompletableFuture.completedFuture(null);
        }

        /** Completes the oldest pending write; {@code false} when none is pending. */
        public boolean completeOne() {
            CompletableFuture<Void> f = stages.poll();
            if (f == null) {
                return false;
            }
            f.complete(null);
            return true;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
