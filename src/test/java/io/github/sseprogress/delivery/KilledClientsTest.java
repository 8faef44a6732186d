package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.topic.TopicResource;

/**
 * Clients that vanish (reset, or closed like a killed process) are found by the heartbeat and leave
 * nothing behind: no subscriber, no topic, no extra thread, after 1,000 connect/kill cycles.
 */
class KilledClientsTest {

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    @Test
    void vanishedClientsAreRemovedWithinOneHeartbeatIntervalAndThreadsReturnToBaseline() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", HEARTBEAT.toMillis() + "ms"),
                TopicResource.class)) {
            Manager topics = server.bean(Manager.class);
            Delivery delivery = server.bean(Delivery.class);
            cycle(server, topics, 50, 0); // warm up pools before taking the baseline
            await().atMost(Duration.ofSeconds(10)).until(() -> delivery.liveCount() == 0);
            Thread.sleep(500);
            java.util.Set<String> before = threadNames();
            long baseline = ownThreads();

            long worst = 0;
            for (int batch = 0; batch < 20; batch++) {
                worst = Math.max(worst, cycle(server, topics, 50, batch));
            }
            assertThat(delivery.liveCount()).isZero();
            assertThat(topics.topics()).isEmpty();
            // Detection takes a failed write; the two-frame heartbeat finds every vanished client at the
            // next heartbeat (the 500 ms slack covers the writer task on a loaded 2-core machine).
            assertThat(Duration.ofNanos(worst)).isLessThan(HEARTBEAT.plusMillis(500));
            try {
                // Jersey's own cached async executor (used by its SseBroadcaster.register/close) grows
                // with peak concurrency and shrinks after its keep-alive: bounded, not per client.
                assertThat(jerseyAsyncThreads()).isLessThanOrEqualTo(64);
                await().atMost(Duration.ofSeconds(10)).until(() -> ownThreads() <= baseline + 2);
            } catch (RuntimeException e) {
                java.util.Set<String> now = threadNames();
                now.removeAll(before);
                throw new AssertionError("new threads: " + now, e);
            }
        }
    }

    private static long ownThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("jersey-server-managed-async-executor")).count();
    }

    private static long jerseyAsyncThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("jersey-server-managed-async-executor")).count();
    }

    private static java.util.Set<String> threadNames() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    /** Connects n clients, kills them (half reset, half closed), returns how long removal took (ns). */
    private static long cycle(InProcessServer server, Manager topics, int n, int batch) throws Exception {
        String topic = "killed-" + batch;
        List<RawSseClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(RawSseClient.open(server.uri("topics/" + topic + "/events")).readHead(Duration.ofSeconds(10)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> topics.subscriberCount(topic) == n);
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                clients.get(i).abort();
            } else {
                clients.get(i).close();
            }
        }
        long killed = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !topics.topics().contains(topic));
        return System.nanoTime() - killed;
    }
}
