package io.github.sseprogress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.topic.ManagerBean;
import io.github.sseprogress.testing.TestConfig;
import io.github.sseprogress.testing.TestScheduling;

/** Configuration through a real MicroProfile Config (SmallRye), read by the CDI container at start. */
class ConfigTest {

    private static WeldContainer boot() {
        return new Weld("config-" + System.nanoTime()).disableDiscovery()
                .addPackages(false, ManagerBean.class, Delivery.class, SseConfig.class,
                        io.github.sseprogress.internal.cluster.ClusterBridge.class)
                .addBeanClass(TestScheduling.class)
                .initialize();
    }

    @Test
    void defaultsApplyWhenNothingIsConfigured() {
        try (TestConfig ignored = TestConfig.install(Map.of()); WeldContainer weld = boot()) {
            SseConfig c = weld.select(SseConfig.class).get();
            assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.queueSize()).isEqualTo(256);
            assertThat(c.slowSubscriberPolicy()).isEqualTo(SlowSubscriberPolicy.DROP);
            assertThat(c.pollingInterval()).isEqualTo(Duration.ofSeconds(5));
            assertThat(c.retry()).isNull();
            assertThat(c.replaySize()).isZero();
            assertThat(c.trackerRetention()).isEqualTo(Duration.ofSeconds(30));
            assertThat(c.writerThreads()).isEqualTo(16);
            assertThat(c.replayIdleRetention()).isEqualTo(Duration.ofMinutes(5));
        }
    }

    @Test
    void overridesAreReadInBothDurationForms() {
        Map<String, String> props = Map.of("sse.heartbeat-interval", "PT2S", "sse.write-timeout", "750ms",
                "sse.queue-size", "8", "sse.slow-subscriber-policy", "close", "sse.polling.interval", "1m",
                "sse.tracker.retention", "2h", "sse.retry", "3s", "sse.replay.size", "256",
                "sse.writer-threads", "4", "sse.replay.idle-retention", "PT1M");
        try (TestConfig ignored = TestConfig.install(props); WeldContainer weld = boot()) {
            SseConfig c = weld.select(SseConfig.class).get();
            assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(c.writeTimeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(c.queueSize()).isEqualTo(8);
            assertThat(c.slowSubscriberPolicy()).isEqualTo(SlowSubscriberPolicy.CLOSE);
            assertThat(c.pollingInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(c.trackerRetention()).isEqualTo(Duration.ofHours(2));
            assertThat(c.retry()).isEqualTo(Duration.ofSeconds(3));
            assertThat(c.replaySize()).isEqualTo(256);
            assertThat(c.writerThreads()).isEqualTo(4);
            assertThat(c.replayIdleRetention()).isEqualTo(Duration.ofMinutes(1));
        }
    }

    @Test
    void zeroOrNegativeHeartbeatDisablesIt() {
        for (String v : new String[] {"0", "-1", "PT0S", "-5s"}) {
            SseConfig c = new SseConfig(k -> k.equals(SseConfig.HEARTBEAT_INTERVAL) ? Optional.of(v) : Optional.empty());
            assertThat(c.heartbeatEnabled()).as(v).isFalse();
            assertThat(c.writeTimeout()).as("a write timeout still applies").isPositive();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "sse.heartbeat-interval, fifteen",
        "sse.heartbeat-interval, 15",
        "sse.write-timeout, -1s",
        "sse.queue-size, 0",
        "sse.queue-size, many",
        "sse.slow-subscriber-policy, ignore",
        "sse.polling.interval, 0s",
        "sse.tracker.retention, PT-5S",
        "sse.replay.size, -1",
        "sse.writer-threads, 0",
        "sse.replay.idle-retention, 0"
    })
    void invalidValueFailsStartUpNamingTheKey(String key, String value) {
        try (TestConfig ignored = TestConfig.install(Map.of(key, value))) {
            assertThatThrownBy(ConfigTest::boot)
                    .hasStackTraceContaining("'" + key + "'")
                    .hasStackTraceContaining(value);
        }
    }

    @Test
    void theSchedulerIsTheReplaceableProducedOne() {
        try (TestConfig ignored = TestConfig.install(Map.of()); WeldContainer weld = boot()) {
            Delivery d = weld.select(Delivery.class).get();
            assertThat(d.scheduling().executor().getClass().getName()).contains("ScheduledThreadPoolExecutor");
            java.util.concurrent.atomic.AtomicReference<String> ran = new java.util.concurrent.atomic.AtomicReference<>();
            d.scheduling().executor().submit(() -> ran.set(Thread.currentThread().getName()));
            org.awaitility.Awaitility.await().until(() -> ran.get() != null);
            assertThat(ran.get()).startsWith(TestScheduling.THREAD_PREFIX);
        }
    }
}
