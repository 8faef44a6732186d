package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Issue 10 item 9: an event dropped because a subscriber's queue was full is never a silent gap. On
 * a topic without replay the client gets {@code missed} with the number dropped, exactly where the
 * gap is; on a replay topic the stream ends after what was queued, and the reconnect with
 * {@code Last-Event-ID} recovers every event from the ring. Before the fix the DROP policy discarded
 * events and told the client nothing.
 */
class OverflowSignalTest {

    private static InProcessServer server;
    private static Manager topics;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.write-timeout", "30s"),
                CaptureResource.class);
        topics = server.bean(Manager.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Records every data frame (name, id, data); its first data write blocks until released. */
    static final class GatedSink implements SseEventSink {
        record Frame(String name, String id, String data) {
        }

        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blocked = new CountDownLatch(1);
        final List<Frame> frames = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (event.getData() == null || "".equals(event.getData())) {
                return CompletableFuture.completedFuture(null); // opening frame, comments
            }
            blocked.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            frames.add(new Frame(event.getName(), event.getId(), (String) event.getData()));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }

        List<String> data() {
            List<String> d = new ArrayList<>();
            frames.forEach(f -> d.add(f.data()));
            return d;
        }
    }

    @Test
    void aFullQueueIsSignalledWhereTheGapIsWithTheNumberDropped() throws Exception {
        GatedSink slow = new GatedSink();
        topics.subscribe("overflow", slow, sse, SubscribeOptions.builder().queueSize(3).build());
        topics.publish("overflow", "e0");
        assertThat(slow.blocked.await(5, TimeUnit.SECONDS)).isTrue(); // e0 is being written
        for (int i = 1; i <= 9; i++) {
            topics.publish("overflow", "e" + i); // e1..e3 fit, e4..e9 overflow
        }
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.frames.size() == 5);
        topics.publish("overflow", "e10"); // room again
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.frames.size() == 6);
        assertThat(slow.data()).containsExactly("e0", "e1", "e2", "e3",
                "{\"reason\":\"queue-overflow\",\"dropped\":6}", "e10");
        GatedSink.Frame signal = slow.frames.get(4);
        assertThat(signal.name()).isEqualTo("missed");
        assertThat(signal.id()).as("the client's position is not reset").isNull();
        assertThat(topics.stats("overflow").dropped()).isEqualTo(6);
        assertThat(topics.subscriberCount("overflow")).isEqualTo(1);
        slow.closed = true;
    }

    @Test
    void onAReplayTopicAFullQueueEndsTheStreamAndTheResumeRecoversEveryEvent() throws Exception {
        SubscribeOptions options = SubscribeOptions.builder().replay(100).queueSize(3).build();
        GatedSink slow = new GatedSink();
        topics.subscribe("overflow-replay", slow, sse, options);
        topics.publish("overflow-replay", "e0");
        assertThat(slow.blocked.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 9; i++) {
            topics.publish("overflow-replay", "e" + i);
        }
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.closed);
        assertThat(slow.data()).as("what was queued, then the end").containsExactly("e0", "e1", "e2", "e3");
        assertThat(slow.frames).noneMatch(f -> "missed".equals(f.name()));

        GatedSink resumed = new GatedSink();
        resumed.release.countDown();
        String lastId = slow.frames.get(3).id();
        topics.subscribe("overflow-replay", resumed, sse, SubscribeOptions.builder().replay(100).queueSize(3)
                .lastEventId(lastId).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> resumed.frames.size() == 6);
        assertThat(resumed.data()).containsExactly("e4", "e5", "e6", "e7", "e8", "e9");
        resumed.closed = true;
    }
}
