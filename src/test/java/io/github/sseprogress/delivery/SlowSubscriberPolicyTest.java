package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;
import io.github.sseprogress.topic.RecordingSink;

import jakarta.json.bind.annotation.JsonbTransient;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** The three slow-subscriber policies, and formatting once per publish, with the container's Sse. */
class SlowSubscriberPolicyTest {

    private static InProcessServer server;
    private static Manager topics;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.write-timeout", "30s"),
                CaptureResource.class, HookObserver.class);
        topics = server.bean(Manager.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A sink whose writes block until released, like a client that stopped reading. */
    static final class BlockedSink implements SseEventSink {
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> data = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (event.getData() != null && !"".equals(event.getData())) {
                data.add((String) event.getData());
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static SubscribeOptions policy(SlowSubscriberPolicy p) {
        return SubscribeOptions.builder().queueSize(2).slowSubscriberPolicy(p).build();
    }

    @Test
    void dropDiscardsOnlyTheSlowSubscribersEventsAndKeepsIt() {
        BlockedSink slow = new BlockedSink();
        RecordingSink fast = new RecordingSink();
        topics.subscribe("p-drop", slow, sse, policy(SlowSubscriberPolicy.DROP));
        topics.subscribe("p-drop", fast, sse, policy(SlowSubscriberPolicy.DROP));
        for (int i = 0; i < 10; i++) {
            topics.publish("p-drop", "e" + i);
            int n = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> fast.data.size() == n + 1); // fast keeps up
        }
        assertThat(topics.stats("p-drop").dropped()).isPositive();
        assertThat(topics.subscriberCount("p-drop")).isEqualTo(2);
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !slow.data.isEmpty());
        assertThat(slow.data).as("what it got is in order").isSorted();
        assertThat(fast.data).hasSize(10);
        fast.gone();
        slow.closed = true;
    }

    @Test
    void removeUnsubscribesItDeliversWhatIsQueuedThenEndsTheStream() {
        HookObserver.DISCONNECTS.clear();
        BlockedSink slow = new BlockedSink();
        topics.subscribe("p-remove", slow, sse, policy(SlowSubscriberPolicy.REMOVE));
        for (int i = 0; i < 6; i++) {
            topics.publish("p-remove", "e" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("p-remove") == 0);
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.closed);
        assertThat(slow.data).as("the events already queued are still written, in order")
                .isNotEmpty().isSorted().allMatch(d -> d.matches("e[0-5]"));
        assertThat(HookObserver.DISCONNECTS).contains(new SubscriberDisconnected("p-remove", DisconnectReason.SLOW));
    }

    @Test
    void closeEndsTheStreamAtOnceDiscardingTheQueue() {
        HookObserver.DISCONNECTS.clear();
        BlockedSink slow = new BlockedSink();
        topics.subscribe("p-close", slow, sse, policy(SlowSubscriberPolicy.CLOSE));
        for (int i = 0; i < 6; i++) {
            topics.publish("p-close", "e" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("p-close") == 0);
        assertThat(HookObserver.DISCONNECTS).contains(new SubscriberDisconnected("p-close", DisconnectReason.SLOW));
        slow.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.closed);
        assertThat(slow.data.size()).as("at most the one write that was already in flight").isLessThanOrEqualTo(1);
    }

    /** A payload that counts how often JSON-B reads it. */
    public static final class Counted {
        static final AtomicInteger READS = new AtomicInteger();

        public int getValue() {
            READS.incrementAndGet();
            return 42;
        }

        @JsonbTransient
        public String getIgnored() {
            return "";
        }
    }

    @Test
    void anObjectIsSerialisedOncePerPublishWhateverTheNumberOfSubscribers() {
        List<RecordingSink> sinks = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 20; i++) {
            RecordingSink s = new RecordingSink();
            sinks.add(s);
            topics.subscribe("once", s, sse);
        }
        Counted.READS.set(0);
        topics.publish("once", new Counted());
        await().atMost(Duration.ofSeconds(5)).until(() -> sinks.stream().allMatch(s -> s.data.size() == 1));
        assertThat(Counted.READS.get()).isEqualTo(1);
        assertThat(sinks).allSatisfy(s -> assertThat(s.data).containsExactly("{\"value\":42}"));
        sinks.forEach(RecordingSink::gone);
    }
}
