package io.github.sseprogress.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Polling;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.delivery.StalledSink;
import io.github.sseprogress.spi.LibraryMetrics;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;
import io.github.sseprogress.topic.RecordingSink;

import jakarta.ws.rs.sse.Sse;

/**
 * The read surface that {@code sse-progress-metrics} publishes: exact numbers after known scenarios,
 * read from a server of its own (the counters are since start). Runs with no MicroProfile Metrics on
 * the class path, which is what proves the core needs none.
 */
class LibraryMetricsTest {

    private static InProcessServer server;
    private static Manager topics;
    private static Tracker tracker;
    private static LibraryMetrics metrics;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.write-timeout", "30s",
                "sse.tracker.retention", "60s"), CaptureResource.class);
        topics = server.bean(Manager.class);
        tracker = server.bean(Tracker.class);
        metrics = server.bean(LibraryMetrics.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theCoreRunsWithoutMicroProfileMetricsOnTheClassPath() {
        assertThatThrownBy(() -> Class.forName("org.eclipse.microprofile.metrics.MetricRegistry"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.eclipse.microprofile.health.HealthCheck"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(metrics.running()).isTrue();
        assertThat(metrics.cluster()).as("single node").isEmpty();
    }

    @Test
    void streamsPerTopicAndDeliveredEventsAreCountedExactly() {
        long deliveredBefore = metrics.delivered();
        int openBefore = metrics.openStreams();
        List<RecordingSink> a = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordingSink s = new RecordingSink();
            a.add(s);
            topics.subscribe("m-a", s, sse);
        }
        RecordingSink b = new RecordingSink();
        topics.subscribe("m-b", b, sse);
        assertThat(metrics.openStreams()).isEqualTo(openBefore + 4);
        assertThat(metrics.openStreamsByTopic()).containsEntry("m-a", 3).containsEntry("m-b", 1);
        assertThat(metrics.openStreams("m-a")).isEqualTo(3);
        assertThat(metrics.openStreams("m-none")).isZero();

        for (int i = 0; i < 5; i++) {
            topics.publish("m-a", "e" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> a.stream().allMatch(s -> s.data.size() == 5));
        assertThat(metrics.delivered()).as("3 subscribers x 5 events; opening frames are not events")
                .isEqualTo(deliveredBefore + 15);

        a.forEach(RecordingSink::gone);
        b.gone();
        topics.publish("m-a", "bye");
        topics.publish("m-b", "bye");
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.openStreamsByTopic().keySet().stream()
                .noneMatch(t -> t.equals("m-a") || t.equals("m-b")));
        assertThat(metrics.openStreams()).isEqualTo(openBefore);
    }

    @Test
    void aFullQueueCountsDropsPolicyActionsPinnedWritersAndTheQueueHighWaterMark() {
        StalledSink slow = new StalledSink();
        topics.subscribe("m-slow", slow, sse,
                SubscribeOptions.builder().queueSize(2).slowSubscriberPolicy(SlowSubscriberPolicy.DROP).build());
        // the writer takes the opening frame and blocks in it: after a tick it counts as pinned
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.pinnedWriters() == 1);
        long droppedBefore = metrics.dropped();
        for (int i = 0; i < 6; i++) {
            topics.publish("m-slow", "e" + i);
        }
        assertThat(metrics.dropped() - droppedBefore).as("2 fit the queue, 4 dropped").isEqualTo(4);
        assertThat(metrics.slowSubscriberActions(SlowSubscriberPolicy.DROP)).isEqualTo(metrics.dropped());
        assertThat(metrics.slowSubscriberActions(SlowSubscriberPolicy.REMOVE)).isZero();
        assertThat(metrics.slowSubscriberActions(SlowSubscriberPolicy.CLOSE)).isZero();
        // 2 events and the loss marker (beyond the bound) wait; the tick samples the depth
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.queueDepthHighWater() == 3);
        slow.release();
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.pinnedWriters() == 0);
        assertThat(metrics.queueDepthHighWater()).as("a high-water mark stays").isEqualTo(3);
        slow.gone();
        topics.publish("m-slow", "bye");
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("m-slow") == 0);
    }

    @Test
    void jobsRunningAndRetainedFollowTheirLifecycle() {
        int running = metrics.jobsRunning();
        int retained = metrics.jobsRetained();
        Tracker.Started s = tracker.start("m-job");
        assertThat(metrics.jobsRunning()).isEqualTo(running + 1);
        assertThat(metrics.jobsRetained()).isEqualTo(retained);
        s.job().finish("done");
        assertThat(metrics.jobsRunning()).isEqualTo(running);
        assertThat(metrics.jobsRetained()).isEqualTo(retained + 1);
    }

    @Test
    void pollsAndPollFailuresAreCounted() {
        long polls = metrics.polls();
        long failures = metrics.pollFailures();
        AtomicInteger calls = new AtomicInteger();
        Polling polling = Polling.of(c -> {
            int n = calls.incrementAndGet();
            if (n == 2) {
                throw new IllegalStateException("source down (expected by the test)");
            }
            return "p" + n;
        }).every(Duration.ofMillis(10)).stopWhen("p3"::equals);
        RecordingSink sink = new RecordingSink();
        topics.subscribe("m-poll", sink, sse, SubscribeOptions.builder().polling(polling).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.data.size() == 3);
        assertThat(metrics.polls() - polls).isEqualTo(3);
        assertThat(metrics.pollFailures() - failures).isEqualTo(1);
        sink.gone();
        topics.publish("m-poll", "bye");
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("m-poll") == 0);
    }
}
