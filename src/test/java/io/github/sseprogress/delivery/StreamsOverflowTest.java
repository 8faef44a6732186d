package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.stream.TestKeys;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;

import jakarta.ws.rs.sse.Sse;

/**
 * Issue 12: a multiplexed connection's one bounded queue under the DROP policy. A topic without replay
 * gets its own {@code missed} frame where its gap is; a replay topic ends the connection after what was
 * queued, and one Last-Event-ID resumes it losslessly. (The gated sink of {@link OverflowSignalTest}
 * holds the writer in its first data write.)
 */
class StreamsOverflowTest {

    private static InProcessServer server;
    private static Manager topics;
    private static Streams streams;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.write-timeout", "30s"),
                CaptureResource.class, TestKeys.class);
        topics = server.bean(Manager.class);
        streams = server.bean(Streams.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aTopicWithoutReplayGetsItsOwnMissedFrameWhereTheGapIs() throws Exception {
        OverflowSignalTest.GatedSink slow = new OverflowSignalTest.GatedSink();
        streams.subscribe(List.of("topic:mux-overflow", "topic:mux-quiet"), slow, sse,
                SubscribeOptions.builder().queueSize(3).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("mux-overflow") == 1);
        topics.publish("mux-overflow", "e0");
        assertThat(slow.blocked.await(5, TimeUnit.SECONDS)).isTrue(); // e0 is being written
        for (int i = 1; i <= 12; i++) {
            topics.publish("mux-overflow", "e" + i); // the bound is 3 per key, 2 keys: e1..e6 fit, e7..e12 overflow
        }
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.frames.size() == 8);
        topics.publish("mux-overflow", "e13");
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.frames.size() == 9);
        assertThat(slow.data()).containsExactly("topic:mux-overflow\ne0", "topic:mux-overflow\ne1",
                "topic:mux-overflow\ne2", "topic:mux-overflow\ne3", "topic:mux-overflow\ne4",
                "topic:mux-overflow\ne5", "topic:mux-overflow\ne6",
                "topic:mux-overflow\n{\"reason\":\"queue-overflow\",\"dropped\":6}", "topic:mux-overflow\ne13");
        assertThat(slow.frames.get(7).name()).isEqualTo("missed");
        assertThat(topics.subscriberCount("mux-quiet")).isEqualTo(1);
        slow.closed = true;
    }

    @Test
    void aReplayTopicEndsTheConnectionAndOneLastEventIdRecoversEveryEvent() throws Exception {
        OverflowSignalTest.GatedSink slow = new OverflowSignalTest.GatedSink();
        List<String> keys = List.of("topic:mux-other", "replay:mux-ring");
        streams.subscribe(keys, slow, sse, SubscribeOptions.builder().queueSize(3).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("mux-ring") == 1);
        topics.publish("mux-ring", "e0");
        assertThat(slow.blocked.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 9; i++) {
            topics.publish("mux-ring", "e" + i); // the bound is 3 per key, 2 keys: e7 overflows
        }
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.closed);
        assertThat(slow.data()).as("what was queued, then the end").containsExactly("replay:mux-ring\ne0",
                "replay:mux-ring\ne1", "replay:mux-ring\ne2", "replay:mux-ring\ne3", "replay:mux-ring\ne4",
                "replay:mux-ring\ne5", "replay:mux-ring\ne6");
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("mux-other") == 0);

        OverflowSignalTest.GatedSink resumed = new OverflowSignalTest.GatedSink();
        resumed.release.countDown();
        streams.subscribe(keys, resumed, sse, SubscribeOptions.builder().queueSize(3)
                .lastEventId(slow.frames.get(6).id()).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> resumed.frames.size() == 3);
        assertThat(resumed.data()).containsExactly("replay:mux-ring\ne7", "replay:mux-ring\ne8", "replay:mux-ring\ne9");
        resumed.closed = true;
    }
}
