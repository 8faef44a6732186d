package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

import io.github.sseprogress.Manager;
import io.github.sseprogress.testing.InProcessServer;

import jakarta.ws.rs.sse.Sse;

/**
 * Races on one topic: 64 threads subscribe and leave while 8 threads publish, with the container's
 * real {@code Sse} and {@code SseBroadcaster} (Jersey) and in-memory sinks, repeated.
 */
class ManagerConcurrencyTest {

    private static InProcessServer server;
    private static Manager topics;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.queue-size", "100000"),
                CaptureResource.class);
        topics = server.bean(Manager.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @RepeatedTest(5)
    void churningSubscribersNeitherCorruptTheRegistryNorLoseFramesOfOneThatStays() throws Exception {
        String topic = "race-" + System.nanoTime();
        int churners = 64;
        int publishers = 8;
        int perPublisher = 2_000;
        RecordingSink stayer = new RecordingSink();
        topics.subscribe(topic, stayer, sse);

        ExecutorService pool = Executors.newFixedThreadPool(churners + publishers + 1);
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Queue<RecordingSink> churned = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicBoolean registryBroken = new AtomicBoolean();
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < churners; c++) {
            work.add(pool.submit(() -> {
                try {
                    go.await();
                    while (publishing.get()) {
                        RecordingSink s = new RecordingSink();
                        topics.subscribe(topic, s, sse);
                        churned.add(s);
                        s.gone(); // the client leaves; its next write fails and removes it
                        Thread.yield();
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
                return null;
            }));
        }
        List<Future<?>> pubs = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            int id = p;
            pubs.add(pool.submit(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perPublisher; i++) {
                        topics.publish(topic, id + ":" + i);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
                return null;
            }));
        }
        pool.submit(() -> {
            while (publishing.get()) {
                if (!topics.topics().contains(topic)) {
                    registryBroken.set(true);
                }
            }
        });
        go.countDown();
        for (Future<?> f : pubs) {
            f.get(60, TimeUnit.SECONDS);
        }
        publishing.set(false);
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        // every churned subscriber must leave: publish until each has seen a failing write
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            topics.publish(topic, "flush");
            return topics.subscriberCount(topic) == 1;
        });
        pool.shutdownNow();

        assertThat(errors).isEmpty();
        assertThat(registryBroken).as("the topic stayed registered while a subscriber stayed").isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> stayer.data.stream().filter(d -> !d.equals("flush")).count()
                == (long) publishers * perPublisher);
        int[] next = new int[publishers];
        for (String d : stayer.data) {
            if (d.equals("flush")) {
                continue;
            }
            int p = Integer.parseInt(d.substring(0, d.indexOf(':')));
            int i = Integer.parseInt(d.substring(d.indexOf(':') + 1));
            assertThat(i).as("publisher %d's events in order, none lost", p).isEqualTo(next[p]);
            next[p]++;
        }
        assertThat(stayer.concurrentWrite).as("never two writers on one sink").isFalse();
        assertThat(churned).allSatisfy(s -> assertThat(s.concurrentWrite).isFalse());

        stayer.gone();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            topics.publish(topic, "last");
            return !topics.topics().contains(topic);
        });
        assertThat(topics.subscriberCount(topic)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> churned.stream().allMatch(RecordingSink::isClosed));
    }

    static URI uri() {
        return server.uri("/");
    }
}
