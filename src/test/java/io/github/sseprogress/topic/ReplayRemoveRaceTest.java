package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.testing.InProcessServer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.Sse;

/**
 * Issue 10 item 2: on a replay topic with the REMOVE or CLOSE policy, a publisher that overflows a
 * subscriber's queue under the topic's publish lock used to run the close listener (→ registry
 * compute) on its own thread, while a concurrent subscribe held the registry bin and waited for the
 * publish lock: a deadlock (reproduced by this test on that code: jstack showed the two client
 * threads holding the bin and the publish lock). Many subscribers and publishers, repeated; every
 * round must end, and disconnect observers run on neither kind of client thread.
 */
class ReplayRemoveRaceTest {

    private static final int ROUNDS = 20;
    private static final int SUBSCRIBERS = 8;
    private static final int PUBLISHERS = 4;
    private static final int EVENTS = 300;

    private static InProcessServer server;
    private static Manager topics;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.replay.idle-retention", "1s"),
                CaptureResource.class, DisconnectThreads.class);
        topics = server.bean(Manager.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void replayWithRemoveAndCloseNeverDeadlocks() throws Exception {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(SUBSCRIBERS + PUBLISHERS,
                r -> {
                    Thread t = new Thread(r, "race-client-" + n.incrementAndGet());
                    t.setDaemon(true); // a deadlocked thread must not keep the test JVM alive
                    return t;
                });
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String topic = "race-" + round;
                SlowSubscriberPolicy policy = round % 2 == 0 ? SlowSubscriberPolicy.REMOVE : SlowSubscriberPolicy.CLOSE;
                SubscribeOptions options = SubscribeOptions.builder().replay(16).queueSize(1)
                        .slowSubscriberPolicy(policy).build();
                List<RecordingSink> sinks = new CopyOnWriteArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(SUBSCRIBERS + PUBLISHERS);
                for (int s = 0; s < SUBSCRIBERS; s++) {
                    pool.execute(() -> {
                        try {
                            go.await();
                            for (int i = 0; i < 20; i++) {
                                RecordingSink sink = new RecordingSink();
                                sinks.add(sink);
                                topics.subscribe(topic, sink, sse, options);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            done.countDown();
                        }
                    });
                }
                for (int p = 0; p < PUBLISHERS; p++) {
                    pool.execute(() -> {
                        try {
                            go.await();
                            for (int i = 0; i < EVENTS; i++) {
                                topics.publish(topic, "e" + i);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            done.countDown();
                        }
                    });
                }
                go.countDown();
                assertThat(done.await(60, TimeUnit.SECONDS)).as("round %d finished (no deadlock)", round).isTrue();
                sinks.forEach(RecordingSink::gone);
                topics.publish(topic, "last"); // writes fail: every subscriber still open leaves
                await().atMost(Duration.ofSeconds(30)).until(() -> topics.subscriberCount(topic) == 0);
            }
            assertThat(failures).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> topics.stats().subscribers() == 0);
            // Every slow subscriber's removal was told to the observers, never on a publishing or
            // subscribing thread (where the registry bin or the publish lock may be held).
            assertThat(DisconnectThreads.THREADS).isNotEmpty();
            assertThat(DisconnectThreads.THREADS).noneMatch(name -> name.startsWith("race-client-"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Records the threads {@code SubscriberDisconnected} observers run on. */
    @ApplicationScoped
    public static class DisconnectThreads {
        static final List<String> THREADS = new CopyOnWriteArrayList<>();

        void onDisconnect(@Observes SubscriberDisconnected d) {
            THREADS.add(Thread.currentThread().getName());
        }
    }
}
