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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.stream.TestKeys;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * A multiplexed key that loses events twice, with one of its events queued between the two losses,
 * gets two {@code missed} frames, each where its gap is and counting only that gap's events. (Found by
 * WebSocketIT on Open Liberty: one frame counted both gaps, so a client placed the later gap before
 * events it then received.)
 */
class StreamsLossPositionTest {

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

    /** Writes one data frame per permit the test hands out. */
    static final class SteppingSink implements SseEventSink {
        final Semaphore permits = new Semaphore(0);
        final AtomicInteger entered = new AtomicInteger();
        final List<String> frames = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (event.getData() == null || "".equals(event.getData())) {
                return CompletableFuture.completedFuture(null);
            }
            entered.incrementAndGet();
            try {
                permits.tryAcquire(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            frames.add((event.getName() == null ? "" : event.getName() + " ") + event.getData());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void eachGapGetsItsOwnMissedFrameInItsPlace() throws Exception {
        SteppingSink sink = new SteppingSink();
        String topic = "mux-gaps";
        streams.subscribe(List.of("topic:" + topic), sink, sse, SubscribeOptions.builder().queueSize(3).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount(topic) == 1);
        topics.publish(topic, "e0");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.entered.get() == 1); // e0 in the writer
        for (int i = 1; i <= 5; i++) {
            topics.publish(topic, "e" + i); // e1..e3 queued; e4, e5 lost (first gap)
        }
        sink.permits.release(); // e0 written; the writer takes e1
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.entered.get() == 2);
        for (int i = 6; i <= 9; i++) {
            topics.publish(topic, "e" + i); // e6 queued after the first gap; e7..e9 lost (second gap)
        }
        sink.permits.release(100);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames.size() == 7);
        topics.publish(topic, "e10");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames.size() == 8);
        List<String> expected = new ArrayList<>();
        for (String e : List.of("e0", "e1", "e2", "e3")) {
            expected.add("topic:" + topic + "\n" + e);
        }
        expected.add("missed topic:" + topic + "\n{\"reason\":\"queue-overflow\",\"dropped\":2}");
        expected.add("topic:" + topic + "\ne6");
        expected.add("missed topic:" + topic + "\n{\"reason\":\"queue-overflow\",\"dropped\":3}");
        expected.add("topic:" + topic + "\ne10");
        assertThat(sink.frames).containsExactlyElementsOf(expected);
        sink.closed = true;
    }
}
