package io.github.sseprogress.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.redis.testing.RedisServer;
import io.github.sseprogress.spi.ClusterNode;
import io.github.sseprogress.spi.ClusterStatus;

/**
 * Payara Micro hands out managed threads while the application is still deploying and then does not run them
 * ("Module ... is disabled"): an engine first used then (a health probe during deployment, seen in
 * ClusterMetricsIT) never connected. Here the container's first three threads end without running what they
 * were given; the engine's status check (what health checks and metrics read) starts those loops again and the
 * node subscribes. Without it, it stays unsubscribed.
 */
class EngineThreadStartTest {

    @Test
    void loopsWhoseThreadsNeverRanAreStartedAgainAndTheNodeSubscribes() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            RedisSettings settings = RedisSettings.read(key -> Optional.ofNullable(Map.of(
                    "sse.cluster.redis.uri", redis.uri(), RedisSettings.NODE, "refused-threads",
                    RedisSettings.CHECK_INTERVAL, "1s").get(key))).orElseThrow();
            AtomicInteger made = new AtomicInteger();
            List<Thread> refused = new ArrayList<>();
            ThreadFactory container = body -> {
                if (made.incrementAndGet() <= 3) {
                    Thread t = new Thread(() -> { }); // the container's context setup failed: the body never runs
                    refused.add(t);
                    return t;
                }
                return new Thread(body);
            };
            RedisEngine engine = new RedisEngine(settings);
            engine.start(node(container));
            try {
                assertThat(made.get()).isEqualTo(3);
                for (Thread t : refused) {
                    t.join(5000);
                    assertThat(t.isAlive()).isFalse();
                }
                await("the engine subscribes once its loops run").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> engine.status().map(ClusterStatus::subscribed).orElse(false));
                assertThat(made.get()).as("each loop started again once, on a new thread").isEqualTo(6);
            } finally {
                engine.stop();
            }
        }
    }

    /** A node that ignores what the engine tells it and gives threads from {@code threads}. */
    private static ClusterNode node(ThreadFactory threads) {
        return (ClusterNode) Proxy.newProxyInstance(ClusterNode.class.getClassLoader(), new Class<?>[] {ClusterNode.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "threads" -> threads;
                    case "jobRetention" -> Duration.ofSeconds(30);
                    case "jobTopics" -> Set.of();
                    case "follows" -> false;
                    case "failedPayload" -> "{}";
                    case "toString" -> "test node";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }
}
