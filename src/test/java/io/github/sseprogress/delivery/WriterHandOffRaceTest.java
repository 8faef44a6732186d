package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.PreparedEvent;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Issue 15 item 1: the hand-off from publishers to the writers (mailbox, {@code draining} flag, writer
 * pool) under races. Many publishers offer to many subscribers at once, some sinks complete their
 * stages on another thread (the pending-stage path), some mailboxes are small enough to overflow;
 * every subscriber must get each publisher's events in order, exactly once, and every event is either
 * written or counted in a loss signal; no sink is ever written by two threads at once or while its
 * previous stage is pending. Subscribers blocked in {@code send} must not hold up the others, even when
 * they pin more writers than {@code sse.writer-threads}. Written for the ready-queue variant (measured
 * and not kept, see docs/BENCHMARKS.md); it holds for the per-subscriber task as well.
 */
class WriterHandOffRaceTest {

    private static final Pattern DROPPED = Pattern.compile("\"dropped\":(\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void manyPublishersAndSubscribersGetEveryEventInOrderOrItsLossSignal() throws Exception {
        int publishers = 6;
        int events = 200;
        int subscribers = 40;
        int rounds = 40;
        int total = publishers * events;
        ExecutorService completer = Executors.newFixedThreadPool(2);
        ExecutorService publishing = Executors.newFixedThreadPool(publishers);
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0",
                "sse.write-timeout", "10m", "sse.writer-threads", "4"), CaptureResource.class)) {
            Delivery delivery = server.bean(Delivery.class);
            Sse sse = CaptureResource.capture(server);
            for (int round = 0; round < rounds; round++) {
                boolean lossy = round % 2 == 1;
                List<RecordingSink> sinks = new ArrayList<>();
                List<Subscriber> subs = new ArrayList<>();
                CountDownLatch published = new CountDownLatch(publishers);
                for (int i = 0; i < subscribers; i++) {
                    RecordingSink sink = lossy && i == 0
                            ? new RecordingSink(publishers, null, true) { // surely overflows: writes only after the publish
                                @Override
                                void beforeSend(OutboundSseEvent event) throws InterruptedException {
                                    published.await(30, TimeUnit.SECONDS);
                                }
                            }
                            : new RecordingSink(publishers, i % 3 == 0 ? completer : null, lossy);
                    Subscriber s = delivery.open(sink, sse, Mailbox.bounded(lossy ? 4 + i % 5 : total + 1),
                            SlowSubscriberPolicy.DROP, new Counters(null), (x, why) -> { });
                    s.arm();
                    sinks.add(sink);
                    subs.add(s);
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    int publisher = p;
                    done.add(publishing.submit(() -> {
                        go.await();
                        for (int k = 0; k < events; k++) {
                            PreparedEvent e = PreparedEvent.frame(k + 1, null, null, publisher + ":" + k, false);
                            for (Subscriber s : subs) {
                                assertThat(s.offer(e)).isTrue();
                            }
                        }
                        published.countDown();
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
                int r = round;
                await().alias("round " + r + ": every event written or signalled").atMost(WAIT)
                        .until(() -> sinks.stream().allMatch(sink -> sink.accounted() >= total));
                for (RecordingSink sink : sinks) {
                    assertThat(sink.problems).as("round %d", r).isEmpty();
                    assertThat(sink.accounted()).as("round %d: written + signalled", r).isEqualTo(total);
                    if (!lossy) {
                        assertThat(sink.received.get()).as("round %d: nothing dropped", r).isEqualTo(total);
                        assertThat(sink.signalled.get()).isZero();
                    }
                }
                if (lossy) {
                    assertThat(sinks.get(0).signalled.get()).as("round %d: the held queue overflowed", r)
                            .isGreaterThanOrEqualTo(total - 4);
                }
                for (Subscriber s : subs) {
                    s.close(DisconnectReason.SHUTDOWN);
                }
                await().alias("round " + r + ": every sink closed").atMost(WAIT)
                        .until(() -> sinks.stream().allMatch(sink -> sink.closed));
            }
            await().atMost(WAIT).until(() -> delivery.liveCount() == 0);
        } finally {
            completer.shutdownNow();
            publishing.shutdownNow();
        }
    }

    @Test
    void subscribersBlockedInSendDoNotHoldUpTheOthers() throws Exception {
        int writers = 4;
        int blocked = writers + 2; // more than the writers: the free ones must come from the pool growing
        int healthy = 24;
        int events = 300;
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0",
                "sse.write-timeout", "10m", "sse.writer-threads", Integer.toString(writers)), CaptureResource.class)) {
            Delivery delivery = server.bean(Delivery.class);
            Sse sse = CaptureResource.capture(server);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger inSend = new AtomicInteger();
            List<RecordingSink> stuck = new ArrayList<>();
            List<Subscriber> subs = new ArrayList<>();
            for (int i = 0; i < blocked; i++) {
                RecordingSink sink = new RecordingSink(1, null) {
                    @Override
                    void beforeSend(OutboundSseEvent event) throws InterruptedException {
                        if (event.getData() != null && !"".equals(event.getData()) && release.getCount() > 0) {
                            inSend.incrementAndGet();
                            release.await(30, TimeUnit.SECONDS);
                        }
                    }
                };
                stuck.add(sink);
                subs.add(open(delivery, sse, sink, events + 1)); // + the opening frame
            }
            List<RecordingSink> others = new ArrayList<>();
            for (int i = 0; i < healthy; i++) {
                RecordingSink sink = new RecordingSink(1, null);
                others.add(sink);
                subs.add(open(delivery, sse, sink, events + 1));
            }
            for (int k = 0; k < events; k++) {
                PreparedEvent e = PreparedEvent.frame(k + 1, null, null, "0:" + k, false);
                for (Subscriber s : subs) {
                    assertThat(s.offer(e)).isTrue();
                }
            }
            await().alias("healthy subscribers get everything while " + blocked + " are blocked")
                    .atMost(WAIT).until(() -> others.stream().allMatch(sink -> sink.received.get() >= events));
            assertThat(release.getCount()).isEqualTo(1);
            await().alias("every blocked subscriber pins its own writer").atMost(WAIT)
                    .until(() -> inSend.get() == blocked);
            for (RecordingSink sink : stuck) {
                assertThat(sink.received.get()).isZero(); // still inside its first send
            }
            for (RecordingSink sink : others) {
                assertThat(sink.problems).isEmpty();
                assertThat(sink.received.get()).isEqualTo(events);
            }
            release.countDown();
            await().atMost(WAIT).until(() -> stuck.stream().allMatch(sink -> sink.received.get() >= events));
            for (RecordingSink sink : stuck) {
                assertThat(sink.problems).isEmpty();
                assertThat(sink.received.get()).isEqualTo(events);
                assertThat(sink.signalled.get()).isZero();
            }
            await().alias("the pool shrinks back once the pinned writes returned").atMost(WAIT)
                    .until(() -> delivery.pinnedCount() == 0);
        }
    }

    private static Subscriber open(Delivery delivery, Sse sse, RecordingSink sink, int capacity) {
        Subscriber s = delivery.open(sink, sse, Mailbox.bounded(capacity), SlowSubscriberPolicy.DROP,
                new Counters(null), (x, why) -> { });
        s.arm();
        return s;
    }

    /**
     * Checks each publisher's order ({@code "p:k"}: k ascending; consecutive unless a loss signal came
     * in between), counts data and signalled drops, and finds two writers on one sink or a send while
     * the previous stage is pending. With a completer, stages complete later on that executor.
     */
    static class RecordingSink implements SseEventSink {
        final AtomicInteger received = new AtomicInteger();
        final AtomicLong signalled = new AtomicLong();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        private final int[] next;
        private final Executor completer;
        private final AtomicInteger writersIn = new AtomicInteger();
        private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
        /**
         * Whether drops are expected: then a publisher's events may skip ahead, but only with a loss signal
         * written since that publisher's previous event (the rule: told before the next one).
         */
        final boolean gapsAllowed;
        /** Loss signals written so far, and that count when each publisher's last event was written. */
        private long signals;
        private final long[] signalsAtLast;
        volatile boolean closed;

        RecordingSink(int publishers, Executor completer) {
            this(publishers, completer, false);
        }

        RecordingSink(int publishers, Executor completer, boolean gapsAllowed) {
            this.next = new int[publishers];
            this.signalsAtLast = new long[publishers];
            this.completer = completer;
            this.gapsAllowed = gapsAllowed;
        }

        void beforeSend(OutboundSseEvent event) throws InterruptedException {
        }

        long accounted() {
            return received.get() + signalled.get();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (writersIn.incrementAndGet() != 1) {
                problems.add("two threads in send");
            }
            try {
                if (!pending.isDone()) {
                    problems.add("send while the previous stage is pending");
                }
                try {
                    beforeSend(event);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                record(event);
                if (completer == null) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> f = new CompletableFuture<>();
                pending = f;
                completer.execute(() -> f.complete(null));
                return f;
            } finally {
                writersIn.decrementAndGet();
            }
        }

        private void record(OutboundSseEvent event) {
            Object data = event.getData();
            if (data == null || "".equals(data)) {
                return; // the opening frame
            }
            String d = data.toString();
            if ("missed".equals(event.getName())) {
                Matcher m = DROPPED.matcher(d);
                if (!m.find()) {
                    problems.add("a loss signal without a count: " + d);
                    return;
                }
                signalled.addAndGet(Long.parseLong(m.group(1)));
                signals++;
                return;
            }
            int colon = d.indexOf(':');
            int p = Integer.parseInt(d.substring(0, colon));
            int k = Integer.parseInt(d.substring(colon + 1));
            if (k < next[p] || (k > next[p] && !gapsAllowed)) {
                problems.add("publisher " + p + ": expected " + next[p] + " got " + k);
            } else if (k > next[p] && signals == signalsAtLast[p]) {
                problems.add("publisher " + p + ": a quiet gap, " + next[p] + " to " + k + " with no loss signal between");
            }
            next[p] = k + 1;
            signalsAtLast[p] = signals;
            received.incrementAndGet();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
