package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.topic.ManagerBean;
import io.github.sseprogress.testing.InProcessServer;

import jakarta.ws.rs.sse.Sse;

/**
 * Issue 10 item 1: a topic that always has a listener must not keep every subscriber that ever
 * connected. One permanent subscriber, 10,000 others connect and leave (their writes fail, as after a
 * client disconnect); afterwards the departed ones, with their sinks, are garbage, and the topic's
 * real (Jersey) {@code SseBroadcaster} holds only the live seat once swept. Before the fix every
 * departed subscriber stayed registered with the broadcaster until the topic itself was removed.
 */
class TopicChurnTest {

    private static final int CHURN = 10_000;

    private static InProcessServer server;
    private static Manager topics;
    private static ManagerBean bean;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0"), CaptureResource.class);
        topics = server.bean(Manager.class);
        bean = server.bean(ManagerBean.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void departedSubscribersAreReleasedWhileTheTopicLives() {
        String topic = "alarms";
        RecordingSink permanent = new RecordingSink();
        // Its queue holds the whole run: this test is about memory, not about a subscriber falling behind.
        topics.subscribe(topic, permanent, sse, SubscribeOptions.builder().queueSize(CHURN).build());
        List<WeakReference<RecordingSink>> departed = new ArrayList<>(CHURN);
        for (int i = 0; i < CHURN; i++) {
            RecordingSink sink = new RecordingSink();
            topics.subscribe(topic, sink, sse);
            departed.add(new WeakReference<>(sink));
            sink.gone(); // the client left: its next write fails
            topics.publish(topic, "e" + i);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> topics.subscriberCount(topic) == 1);

        // The permanent subscriber got every event, in order.
        await().atMost(Duration.ofSeconds(30)).until(() -> permanent.data.size() == CHURN);
        for (int i = 0; i < CHURN; i++) {
            assertThat(permanent.data.get(i)).isEqualTo("e" + i);
        }

        // The broadcaster drops departed seats on a sweep and never calls them again.
        assertThat(bean.registrations(topic)).isLessThanOrEqualTo(1 + 64);
        bean.sweep(topic);
        await().atMost(Duration.ofSeconds(10)).until(() -> bean.registrations(topic) == 1);
        // overlapping sweeps during the churn may each have reached a seat once; no sweep after this one may
        int callsAfterDrop = bean.seatCallsAfterDrop(topic);
        bean.sweep(topic);
        bean.sweep(topic);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> bean.seatCallsAfterDrop(topic) == callsAfterDrop && bean.registrations(topic) == 1);

        // Nothing the library or the broadcaster holds keeps a departed subscriber's sink alive.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            return departed.stream().allMatch(r -> r.get() == null);
        });
        assertThat(topics.subscriberCount(topic)).isEqualTo(1);
        assertThat(permanent.isClosed()).isFalse();
    }
}
