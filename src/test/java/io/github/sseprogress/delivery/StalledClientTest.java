package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.topic.TopicResource;

/**
 * One client that stops reading (tiny receive buffer, never reads) among healthy ones on one topic,
 * 1 KB events published as fast as the healthy ones read them: what the library holds for the
 * stalled subscriber is its queue and nothing more, the slow-subscriber policy takes the rest, its
 * blocked write gets it evicted, and every healthy subscriber gets every event in order.
 *
 * <p>What the library holds for the stalled subscriber is counted, not guessed from the heap: every
 * event published while it is registered is offered to it, and each offered event is either written
 * (counted as delivered), discarded by the policy (counted as dropped) or still held (queued, or in
 * the one write that is blocked). The healthy subscribers' share of "delivered" is known exactly,
 * so {@code held = published - dropped - (delivered - healthy * published)}.
 */
class StalledClientTest {

    private static final int HEALTHY = 20;
    private static final int QUEUE = 64;
    private static final int WINDOW = 32; // the publisher stays this far ahead of the slowest healthy reader
    /** Far more than the kernel and Grizzly buffer for one connection (a few MB): the stalled write must block. */
    private static final int MAX_EVENTS = 40_000;
    private static final String PADDING = "x".repeat(1024 - 8);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aStalledSubscriberHoldsOnlyItsQueueThePolicyDropsTheRestAndHealthyOnesGetEverything() throws Exception {
        // No heartbeats and a write timeout far beyond the test: nothing but the policy acts on it.
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0",
                "sse.write-timeout", "10m", "sse.queue-size", Integer.toString(QUEUE)), TopicResource.class);
                Socket stalled = stalledClient(server, "held");
                Healthy healthy = Healthy.connect(server, "held")) {
            Manager topics = server.bean(Manager.class);
            await().atMost(WAIT).until(() -> topics.subscriberCount("held") == HEALTHY + 1);

            // publish until the stalled subscriber's queue is full AND its writer is stuck: three
            // batches of a queue's worth in a row were all dropped (a writer that is merely slow on a
            // loaded machine makes progress in between); whatever it holds now, it holds at the most
            int published = 0;
            int stuckBatches = 0;
            long droppedAtBatchStart = 0;
            while (stuckBatches < 3) {
                assertThat(published).as("the stalled client's write never blocked").isLessThan(MAX_EVENTS);
                healthy.awaitReadUpTo(published - WINDOW);
                topics.publish("held", published + ":" + PADDING);
                published++;
                if (published % 500 == 0) { // a checkpoint: at no time does it hold more
                    healthy.awaitAll(published);
                    assertHeld(topics, published, QUEUE + 1, false);
                }
                if (published % QUEUE == 0) {
                    long dropped = topics.stats("held").dropped();
                    stuckBatches = dropped - droppedAtBatchStart == QUEUE ? stuckBatches + 1 : 0;
                    droppedAtBatchStart = dropped;
                }
            }
            healthy.awaitAll(published);

            // now its queue is full and one write is blocked: exactly that much is held
            assertHeld(topics, published, QUEUE + 1, true);
            DeliveryStats s = topics.stats("held");
            System.out.println("STALLED (held) published=" + published + " stats=" + s);
            assertThat(s.dropped()).as("the policy (drop) discarded what did not fit").isGreaterThan(QUEUE);
            assertThat(s.subscribers()).as("drop keeps the subscriber").isEqualTo(HEALTHY + 1);
            assertThat(s.evicted()).isZero();
        }
    }

    @Test
    void aStalledSubscriberIsEvictedAndForgottenWhileHealthyOnesCarryOn() throws Exception {
        HookObserver.DISCONNECTS.clear();
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "500ms",
                "sse.write-timeout", "1s", "sse.queue-size", Integer.toString(QUEUE)),
                TopicResource.class, HookObserver.class);
                Socket stalled = stalledClient(server, "evict");
                Healthy healthy = Healthy.connect(server, "evict")) {
            Manager topics = server.bean(Manager.class);
            await().atMost(WAIT).until(() -> topics.subscriberCount("evict") == HEALTHY + 1);

            // publish until the watchdog evicts the stalled subscriber (its write blocked past 1 s)
            int published = 0;
            long fullSince = 0;
            while (topics.stats().evicted() == 0) {
                if (fullSince == 0) {
                    assertThat(published).as("the stalled client's write never blocked").isLessThan(MAX_EVENTS);
                }
                if (topics.subscriberCount("evict") != HEALTHY + 1) { // it left: evicted is counted just after
                    await().alias("the stalled subscriber left without being evicted").atMost(WAIT)
                            .until(() -> topics.stats().evicted() > 0);
                    break;
                }
                if (fullSince == 0 && topics.stats("evict").dropped() > 0) {
                    fullSince = System.nanoTime(); // its write is blocked and its queue full
                } else if (fullSince != 0) {
                    assertThat(Duration.ofNanos(System.nanoTime() - fullSince))
                            .as("evicted within the write timeout (1 s) of its queue filling, give or take").isLessThan(WAIT);
                }
                healthy.awaitReadUpTo(published - WINDOW);
                topics.publish("evict", published + ":" + PADDING);
                published++;
            }
            await().atMost(WAIT).until(() -> topics.subscriberCount("evict") == HEALTHY);
            assertThat(HookObserver.DISCONNECTS).as("told once, as evicted")
                    .containsExactly(new SubscriberDisconnected("evict", DisconnectReason.EVICTED));
            assertThat(topics.stats().subscribers()).as("nothing else left open for it").isEqualTo(HEALTHY);
            assertThat(topics.stats("evict").evicted()).isEqualTo(1);

            // evicted means unregistered: later events are not even offered to it (no more drops)
            long droppedAtEviction = topics.stats("evict").dropped();
            for (int i = 0; i < 4 * QUEUE; i++) {
                healthy.awaitReadUpTo(published - WINDOW);
                topics.publish("evict", published + ":" + PADDING);
                published++;
            }
            healthy.awaitAll(published);
            assertThat(topics.stats("evict").dropped()).isEqualTo(droppedAtEviction);
            assertThat(topics.stats("evict").subscribers()).isEqualTo(HEALTHY);
            System.out.println("STALLED (evict) published=" + published + " stats=" + topics.stats("evict"));
        }
    }

    /**
     * Asserts what the library holds for the stalled subscriber of "held" once every healthy client
     * has read all {@code published} events: at most (or exactly) {@code expected}. The healthy
     * subscribers' delivered counter may trail their reads for a moment; that only makes the count
     * look larger, so waiting for it to settle can never hide an excess.
     */
    private static void assertHeld(Manager topics, int published, int expected, boolean exactly) {
        await().atMost(WAIT).untilAsserted(() -> {
            DeliveryStats s = topics.stats("held");
            long writtenToStalled = s.delivered() - (long) HEALTHY * published;
            long held = published - s.dropped() - writtenToStalled;
            if (exactly) {
                assertThat(held).as("events held for the stalled subscriber (%s, %d published)", s, published)
                        .isEqualTo(expected); // a full queue plus the one write that is blocked
            } else {
                assertThat(held).as("events held for the stalled subscriber (%s, %d published)", s, published)
                        .isBetween(0L, (long) expected);
            }
        });
    }

    /** Connects, sends the request, reads the start of the response, and never reads again. */
    private static Socket stalledClient(InProcessServer server, String topic) throws IOException {
        return RawSseClient.stalled(server.uri("topics/" + topic + "/events"));
    }

    /** Healthy subscribers, each read by its own thread, checking order as they go. */
    private static final class Healthy implements AutoCloseable {
        final List<RawSseClient> clients = new ArrayList<>();
        final AtomicInteger[] received = new AtomicInteger[HEALTHY];
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        final ExecutorService readers = Executors.newFixedThreadPool(HEALTHY);
        final List<Future<?>> done = new ArrayList<>();
        volatile boolean closing;

        static Healthy connect(InProcessServer server, String topic) throws IOException {
            Healthy h = new Healthy();
            for (int i = 0; i < HEALTHY; i++) {
                RawSseClient c = RawSseClient.open(server.uri("topics/" + topic + "/events")).readHead(WAIT);
                h.clients.add(c);
                AtomicInteger count = h.received[i] = new AtomicInteger();
                int client = i;
                h.done.add(h.readers.submit(() -> {
                    while (!h.closing) {
                        List<SseParser.Event> got = c.readEvents(1, Duration.ofMillis(200));
                        if (got.isEmpty() && c.ended()) {
                            if (!h.closing) {
                                h.problems.add("client " + client + " ended at " + count.get());
                            }
                            return null;
                        }
                        for (SseParser.Event e : got) {
                            int n = Integer.parseInt(e.data().substring(0, e.data().indexOf(':')));
                            if (n != count.get()) {
                                h.problems.add("client " + client + " expected " + count.get() + " got " + n);
                                return null;
                            }
                            count.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            return h;
        }

        int slowest() {
            int min = Integer.MAX_VALUE;
            for (AtomicInteger r : received) {
                min = Math.min(min, r.get());
            }
            return min;
        }

        /** Waits until every healthy client has read at least {@code n} events. */
        void awaitReadUpTo(int n) {
            waitFor(() -> slowest() >= n || !problems.isEmpty(), () -> "healthy clients stuck below " + n);
            assertThat(problems).isEmpty();
        }

        /** Waits until every healthy client has read exactly the {@code n} events published. */
        void awaitAll(int n) {
            awaitReadUpTo(n);
            for (AtomicInteger r : received) {
                assertThat(r.get()).as("nothing beyond what was published").isEqualTo(n);
            }
        }

        private static void waitFor(BooleanSupplier condition, java.util.function.Supplier<String> what) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError(what.get());
                }
                LockSupport.parkNanos(100_000);
            }
        }

        @Override
        public void close() throws Exception {
            closing = true;
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            readers.shutdownNow();
            for (RawSseClient c : clients) {
                c.close();
            }
        }
    }
}
