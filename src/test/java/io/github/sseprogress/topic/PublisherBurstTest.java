package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * Issue 10 item 9, over real HTTP with the default queue size: 64 publishers × 50 events at once to
 * one topic, 10 subscribers that read as fast as they can. Each subscriber accounts for every one of
 * the 3,200 events: delivered (each publisher's in its order) or counted in a {@code missed} signal.
 * Prints how many were dropped, which is what the default queue size is judged by.
 */
class PublisherBurstTest {

    private static final int PUBLISHERS = 64;
    private static final int EACH = 50;
    private static final int SUBSCRIBERS = 10;
    private static final Pattern DROPPED = Pattern.compile("\"dropped\":(\\d+)");

    private static InProcessServer server;
    private static Manager topics;

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0"), TopicResource.class);
        topics = server.bean(Manager.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What one subscriber saw. */
    record Seen(int delivered, long signalledDropped, boolean inPublisherOrder) {
    }

    @Test
    void everyEventIsDeliveredOrSignalledToEverySubscriber() throws Exception {
        String topic = "burst";
        ExecutorService readers = Executors.newFixedThreadPool(SUBSCRIBERS);
        List<Future<Seen>> seen = new ArrayList<>();
        List<RawSseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                RawSseClient c = RawSseClient.open(server.uri("topics/" + topic + "/events")).readHead(Duration.ofSeconds(10));
                assertThat(c.status()).isEqualTo(200);
                clients.add(c);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> topics.subscriberCount(topic) == SUBSCRIBERS);
            for (RawSseClient c : clients) {
                seen.add(readers.submit(() -> readUntilEnd(c)));
            }
            ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
            CountDownLatch go = new CountDownLatch(1);
            for (int p = 0; p < PUBLISHERS; p++) {
                int pub = p;
                publishers.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < EACH; i++) {
                        topics.publish(topic, "p" + pub + "-" + i);
                    }
                });
            }
            go.countDown();
            publishers.shutdown();
            assertThat(publishers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            long total = (long) PUBLISHERS * EACH * SUBSCRIBERS;
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    topics.stats(topic).delivered() + topics.stats(topic).dropped() == total);
            topics.publish(topic, "end");

            long dropped = 0;
            for (Future<Seen> f : seen) {
                Seen s = f.get(60, TimeUnit.SECONDS);
                assertThat(s.inPublisherOrder()).isTrue();
                assertThat(s.delivered() + s.signalledDropped()).as("delivered + signalled").isEqualTo(PUBLISHERS * EACH);
                dropped += s.signalledDropped();
            }
            assertThat(dropped).isEqualTo(topics.stats(topic).dropped());
            System.out.printf("PublisherBurstTest: %d publishers x %d events, %d subscribers, default queue: "
                    + "%d of %d deliveries dropped and signalled%n", PUBLISHERS, EACH, SUBSCRIBERS, dropped, total);
        } finally {
            readers.shutdownNow();
            for (RawSseClient c : clients) {
                c.close();
            }
        }
    }

    private static Seen readUntilEnd(RawSseClient c) throws Exception {
        int delivered = 0;
        long signalled = 0;
        boolean ordered = true;
        Map<String, Integer> lastOf = new HashMap<>();
        while (true) {
            List<SseParser.Event> events = c.readEvents(1, Duration.ofSeconds(60));
            assertThat(events).as("stream still open").isNotEmpty();
            for (SseParser.Event e : events) {
                if ("missed".equals(e.type())) {
                    Matcher m = DROPPED.matcher(e.data());
                    assertThat(m.find()).as("missed carries the count: %s", e.data()).isTrue();
                    signalled += Long.parseLong(m.group(1));
                } else if ("end".equals(e.data())) {
                    return new Seen(delivered, signalled, ordered);
                } else if (!e.data().isEmpty()) {
                    delivered++;
                    String[] parts = e.data().split("-");
                    int n = Integer.parseInt(parts[1]);
                    Integer before = lastOf.put(parts[0], n);
                    if (before != null && before >= n) {
                        ordered = false;
                    }
                }
            }
        }
    }
}
