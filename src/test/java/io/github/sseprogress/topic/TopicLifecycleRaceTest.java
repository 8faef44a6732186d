package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Polling;
import io.github.sseprogress.ReplayStore;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.testing.InProcessServer;

import jakarta.ws.rs.sse.Sse;

/**
 * Issue 10 items 5 and 6, as races repeated many times.
 * <ul>
 *   <li>Item 5: a subscriber joining a polled topic while polls are published never gets an older
 *       payload after a newer one (the last polled payload used to be offered outside the publish
 *       lock, after the subscriber had joined the live tail).</li>
 *   <li>Item 6: a publish racing the expiry of an idle replay topic never re-creates its ring after
 *       the topic is gone (it used to append after the store's remove).</li>
 * </ul>
 */
class TopicLifecycleRaceTest {

    private static InProcessServer server;
    private static Manager topics;
    private static ReplayStore store;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.replay.idle-retention", "50ms"),
                CaptureResource.class);
        topics = server.bean(Manager.class);
        store = server.bean(ReplayStore.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aJoiningSubscriberNeverGetsAnOlderPolledPayloadAfterANewerOne() throws Exception {
        AtomicLong counter = new AtomicLong();
        SubscribeOptions polled = SubscribeOptions.builder()
                .polling(Polling.of(c -> counter.incrementAndGet()).every(Duration.ofMillis(2))).build();
        RecordingSink keeper = new RecordingSink(); // keeps the topic and its poller alive
        topics.subscribe("polled-race", keeper, sse, polled);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<RecordingSink> sinks = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(8);
        for (int t = 0; t < 8; t++) {
            pool.execute(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        RecordingSink s = new RecordingSink();
                        sinks.add(s);
                        topics.subscribe("polled-race", s, sse, polled);
                        long before = counter.get();
                        await().atMost(Duration.ofSeconds(10)).until(() -> s.data.size() >= 3 || counter.get() > before + 50);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        long c0 = counter.get();
        await().alias("every joiner gets payloads (polls " + c0 + ")").atMost(Duration.ofSeconds(10))
                .until(() -> sinks.stream().allMatch(s -> s.data.size() >= 2));
        for (RecordingSink s : sinks) {
            List<Long> got = new ArrayList<>();
            s.data.stream().filter(d -> !d.startsWith("{")) // a missed signal, if the machine fell behind
                    .forEach(d -> got.add(Long.parseLong(d)));
            assertThat(got).as("polled payloads in order, no repeat").isSortedAccordingTo(Long::compare)
                    .doesNotHaveDuplicates();
            s.gone();
        }
        keeper.gone();
    }

    @Test
    void aPublishRacingTheExpiryNeverRecreatesTheRing() throws Exception {
        SubscribeOptions replay = SubscribeOptions.builder().replay(8).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 100; round++) {
                String topic = "expiring-" + round;
                RecordingSink s = new RecordingSink();
                topics.subscribe(topic, s, sse, replay);
                topics.publish(topic, "first");
                await().atMost(Duration.ofSeconds(5)).until(() -> s.data.size() == 1);
                AtomicBoolean stop = new AtomicBoolean();
                CountDownLatch publishing = new CountDownLatch(2);
                for (int p = 0; p < 2; p++) {
                    pool.execute(() -> {
                        publishing.countDown();
                        while (!stop.get()) {
                            topics.publish(topic, "racing");
                        }
                    });
                }
                publishing.await();
                s.gone();
                topics.publish(topic, "goodbye"); // its write fails: the topic goes idle, then expires
                await().atMost(Duration.ofSeconds(10)).until(() -> topics.stats(topic).delivered() == 0);
                stop.set(true);
                await().atMost(Duration.ofSeconds(5)).until(() -> ((java.util.concurrent.ThreadPoolExecutor) pool).getActiveCount() == 0);
                assertThat(store.lastId(topic)).as("round %d: no ring outlives its topic", round).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
