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
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.topic.TopicResource;

/**
 * Issue 10 item 10: each client stalled in a blocked write pins a writer thread until the server's
 * write timeout. With a fixed pool of 16 writers, 16 stalled clients used to stop delivery to
 * everyone. 32 stalled raw-socket clients (that never read) and 4 healthy ones on one topic, the
 * default 16 writers and a write timeout beyond the test: the healthy clients get every event in
 * order throughout, and {@code stats()} shows the 32 pinned writers.
 */
class WriterCeilingTest {

    private static final int STALLED = 32;
    private static final int HEALTHY = 4;
    private static final int WINDOW = 8;
    private static final int MAX_EVENTS = 3_000; // 16 KiB each: far beyond what buffers hold per connection
    private static final String PADDING = "x".repeat(16 * 1024);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void stalledClientsPinTheirOwnWritersAndHealthyOnesKeepGoing() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        List<RawSseClient> healthy = new ArrayList<>();
        AtomicInteger[] received = new AtomicInteger[HEALTHY];
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService readers = Executors.newFixedThreadPool(HEALTHY);
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0",
                "sse.write-timeout", "10m"), TopicResource.class)) {
            Manager topics = server.bean(Manager.class);
            for (int i = 0; i < STALLED; i++) {
                stalled.add(stalledClient(server, "ceiling"));
            }
            for (int i = 0; i < HEALTHY; i++) {
                RawSseClient c = RawSseClient.open(server.uri("topics/ceiling/events")).readHead(WAIT);
                healthy.add(c);
                AtomicInteger count = received[i] = new AtomicInteger();
                readers.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        for (SseParser.Event e : c.readEvents(1, Duration.ofMillis(200))) {
                            if (!"message".equals(e.type())) {
                                problems.add("a healthy client got " + e.type() + " " + e.data());
                                return null;
                            }
                            int n = Integer.parseInt(e.data().substring(0, e.data().indexOf(':')));
                            if (n != count.get()) {
                                problems.add("expected " + count.get() + " got " + n);
                            }
                            count.incrementAndGet();
                        }
                        if (c.ended()) {
                            problems.add("a healthy stream ended at " + count.get());
                            return null;
                        }
                    }
                    return null;
                });
            }
            await().atMost(WAIT).until(() -> topics.subscriberCount("ceiling") == STALLED + HEALTHY);

            int published = 0;
            int afterAllPinned = -1;
            while (afterAllPinned < 100) {
                assertThat(published).as("the stalled clients' writes never all blocked (%s)", topics.stats())
                        .isLessThan(MAX_EVENTS);
                int behind = published - WINDOW;
                await().alias("healthy clients keep up while writers are pinned (" + topics.stats() + ")")
                        .atMost(WAIT).until(() -> !problems.isEmpty() || slowest(received) >= behind);
                assertThat(problems).isEmpty();
                topics.publish("ceiling", published + ":" + PADDING);
                published++;
                if (afterAllPinned >= 0) {
                    afterAllPinned++;
                } else if (topics.stats().pinned() == STALLED) {
                    afterAllPinned = 0;
                }
            }
            int all = published;
            await().atMost(WAIT).until(() -> slowest(received) >= all);
            assertThat(problems).isEmpty();
            assertThat(topics.stats("ceiling").pinned()).isEqualTo(STALLED);
            assertThat(topics.stats().pinned()).isEqualTo(STALLED);
            assertThat(topics.stats().evicted()).isZero();
        } finally {
            readers.shutdownNow();
            for (Socket s : stalled) {
                s.close();
            }
            for (RawSseClient c : healthy) {
                c.close();
            }
        }
    }

    private static int slowest(AtomicInteger[] received) {
        int min = Integer.MAX_VALUE;
        for (AtomicInteger r : received) {
            min = Math.min(min, r.get());
        }
        return min;
    }

    /** Connects, sends the request, reads the start of the response, and never reads again. */
    private static Socket stalledClient(InProcessServer server, String topic) throws IOException {
        return RawSseClient.stalled(server.uri("topics/" + topic + "/events"));
    }
}
