package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

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
 * Many clients stalling at once (issue 15, "32 stalled"): twice as many subscribers as writer threads block
 * in {@code send} at the same moment, ahead of a healthy one in the writers' queue. The pool grows by one
 * writer per pinned one, and it must notice them within a fraction of a second: with the 1 s tick the
 * library had, the healthy subscriber waited for two growths (the first went to the stalled ones queued
 * ahead of it), 3.9 s here, about 350 ms with the 100 ms tick. The bench's 32 stalled clients raised the
 * others' p50 from 43 to 651 ms with the 1 s tick.
 */
class PinnedWritersTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aHealthySubscriberQueuedBehindStalledSendsOnEveryWriterIsServedWithinOneAndAHalfSeconds() throws Exception {
        int writers = 16; // the default sse.writer-threads
        int stalled = 2 * writers;
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0",
                "sse.write-timeout", "10m", "sse.writer-threads", Integer.toString(writers)), CaptureResource.class)) {
            Delivery delivery = server.bean(Delivery.class);
            Sse sse = CaptureResource.capture(server);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger inSend = new AtomicInteger();
            List<Subscriber> subs = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                TimedSink healthy = new TimedSink(null, null);
                List<Subscriber> stuck = new ArrayList<>();
                for (int i = 0; i < stalled; i++) {
                    stuck.add(open(delivery, sse, new TimedSink(release, inSend)));
                }
                Subscriber h = open(delivery, sse, healthy);
                await().atMost(WAIT).until(() -> healthy.opened.get() == 1); // its opening frame went out
                int before = inSend.get();
                PreparedEvent e = PreparedEvent.frame(round + 1, null, null, "e" + round, false);
                long t0 = System.nanoTime();
                for (Subscriber s : stuck) {
                    assertThat(s.offer(e)).isTrue(); // queued ahead of the healthy one: every writer blocks
                }
                assertThat(h.offer(e)).isTrue();
                await().atMost(WAIT).until(() -> healthy.firstDataNanos.get() != 0);
                long ms = TimeUnit.NANOSECONDS.toMillis(healthy.firstDataNanos.get() - t0);
                assertThat(ms).as("round %d: the healthy subscriber's event waited %d ms behind %d stalled sends",
                        round, ms, stalled).isLessThan(1500); // about 350 ms here; over 3.8 s with the 1 s tick
                await().alias("every stalled subscriber pins a writer of its own").atMost(WAIT)
                        .until(() -> inSend.get() == before + stalled);
                subs.addAll(stuck);
                subs.add(h);
            }
            release.countDown();
            await().alias("the pool shrinks back once the pinned writes returned").atMost(WAIT)
                    .until(() -> delivery.pinnedCount() == 0);
        }
    }

    private static Subscriber open(Delivery delivery, Sse sse, SseEventSink sink) {
        Subscriber s = delivery.open(sink, sse, Mailbox.bounded(16), SlowSubscriberPolicy.DROP,
                new Counters(null), (x, why) -> { });
        s.arm();
        return s;
    }

    /** Records when the first data frame arrives; with a latch, blocks in every data send until released. */
    static final class TimedSink implements SseEventSink {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicLong firstDataNanos = new AtomicLong();
        private final CountDownLatch release;
        private final AtomicInteger inSend;
        private volatile boolean closed;

        TimedSink(CountDownLatch release, AtomicInteger inSend) {
            this.release = release;
            this.inSend = inSend;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (event.getData() == null || "".equals(event.getData())) {
                opened.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }
            if (release != null) {
                inSend.incrementAndGet();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            firstDataNanos.compareAndSet(0, System.nanoTime());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
