package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Polling;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.testing.InProcessServer;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.sse.Sse;

/** The polling publisher's contract, driven through the Manager with the container's real Sse. */
class PollingLifecycleTest {

    private static InProcessServer server;
    private static Manager topics;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0"), CaptureResource.class);
        topics = server.bean(Manager.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static SubscribeOptions with(Polling p) {
        return SubscribeOptions.builder().polling(p).build();
    }

    @Test
    void firstPollIsImmediateAndAFailingPollPublishesAnErrorPayloadAndGoesOn() {
        AtomicInteger n = new AtomicInteger();
        Polling p = Polling.of(c -> {
            int i = n.incrementAndGet();
            if (i == 2) {
                throw new IllegalStateException("database down");
            }
            if (i == 3) {
                throw new NotFoundException("no devices");
            }
            if (i == 4) {
                throw new NoSuchElementException("gone");
            }
            return "ok " + i;
        }).every(Duration.ofMillis(30));
        RecordingSink sink = new RecordingSink();
        long t0 = System.nanoTime();
        topics.subscribe("poll-errors", sink, sse, with(p.every(Duration.ofSeconds(30))));
        await().atMost(Duration.ofSeconds(2)).until(() -> sink.data.size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        sink.gone();
        topics.publish("poll-errors", "trigger a write");
        await().until(() -> !topics.topics().contains("poll-errors"));

        n.set(0);
        RecordingSink s2 = new RecordingSink();
        topics.subscribe("poll-errors-2", s2, sse, with(p));
        await().atMost(Duration.ofSeconds(5)).until(() -> s2.data.size() >= 5);
        assertThat(java.util.List.copyOf(s2.data).subList(0, 5)).containsExactly("ok 1", "{\"status\":500,\"message\":\"database down\"}",
                "{\"status\":404,\"message\":\"no devices\"}", "{\"status\":404,\"message\":\"gone\"}", "ok 5");
        s2.gone();
        topics.publish("poll-errors-2", "x");
    }

    /** Issue 10 item 4: an Error from the source or the stop condition must not end polling silently. */
    @Test
    void aPollerSurvivesErrorsFromTheSourceAndTheStopConditionAndStillStopsOnce() {
        AtomicInteger n = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        Polling p = Polling.of(c -> {
            int i = n.incrementAndGet();
            if (i == 2) {
                throw new AssertionError("invariant broken");
            }
            return "ok " + i;
        }).every(Duration.ofMillis(20)).stopWhen(payload -> {
            if ("ok 3".equals(payload)) {
                throw new StackOverflowError("deep");
            }
            return false;
        }).onStop(stops::incrementAndGet);
        RecordingSink sink = new RecordingSink();
        topics.subscribe("poll-survives", sink, sse, with(p));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.data.size() >= 4);
        assertThat(java.util.List.copyOf(sink.data).subList(0, 4)).containsExactly("ok 1",
                "{\"status\":500,\"message\":\"invariant broken\"}", "ok 3", "ok 4");
        assertThat(stops.get()).as("still running").isZero();
        sink.gone();
        topics.publish("poll-survives", "write fails, subscriber leaves");
        await().atMost(Duration.ofSeconds(5)).until(() -> stops.get() == 1);
        assertThat(topics.topics()).doesNotContain("poll-survives");
    }

    /**
     * Issue 10 item 3: an idle replay topic that becomes active again before the deferred stop runs
     * must stop the old poller (once) and keep the new one. The scheduler is held busy so the
     * deferred stop surely runs after the re-subscribe.
     */
    @Test
    void aReplayTopicReactivatedBeforeTheDeferredStopStopsTheOldPollerAndKeepsTheNew() throws Exception {
        AtomicInteger polls1 = new AtomicInteger();
        AtomicInteger stops1 = new AtomicInteger();
        AtomicInteger polls2 = new AtomicInteger();
        AtomicInteger stops2 = new AtomicInteger();
        Polling p1 = Polling.of(c -> "a" + polls1.incrementAndGet()).every(Duration.ofMillis(20)).onStop(stops1::incrementAndGet);
        Polling p2 = Polling.of(c -> "b" + polls2.incrementAndGet()).every(Duration.ofMillis(20)).onStop(stops2::incrementAndGet);
        RecordingSink first = new RecordingSink();
        topics.subscribe("poll-revive", first, sse, SubscribeOptions.builder().replay(8).polling(p1).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> polls1.get() >= 1);

        java.util.concurrent.ScheduledExecutorService scheduler =
                server.bean(io.github.sseprogress.internal.config.Scheduling.class).executor();
        int threads = ((java.util.concurrent.ThreadPoolExecutor) scheduler).getCorePoolSize();
        CountDownLatch busy = new CountDownLatch(threads);
        CountDownLatch hold = new CountDownLatch(1);
        for (int i = 0; i < threads; i++) {
            scheduler.execute(() -> {
                busy.countDown();
                try {
                    hold.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            first.gone();
            topics.publish("poll-revive", "write fails, the last subscriber leaves");
            await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount("poll-revive") == 0);
            RecordingSink second = new RecordingSink();
            topics.subscribe("poll-revive", second, sse, SubscribeOptions.builder().replay(8).polling(p2).build());
            hold.countDown();

            await().atMost(Duration.ofSeconds(10)).until(() -> stops1.get() == 1);
            int after = polls2.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> polls2.get() >= after + 3);
            int old = polls1.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> polls2.get() >= after + 6);
            assertThat(polls1.get()).as("the old poller no longer polls").isEqualTo(old);
            assertThat(stops1.get()).isEqualTo(1);
            assertThat(stops2.get()).as("the new poller still runs").isZero();
            second.gone();
            topics.publish("poll-revive", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> stops2.get() == 1);
        } finally {
            hold.countDown();
        }
    }

    @Test
    void stopConditionPublishesThenStopsAndTheStopCallbackRunsOnce() throws Exception {
        AtomicInteger n = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        Polling p = Polling.of(c -> Map.of("done", n.incrementAndGet() >= 3)).every(Duration.ofMillis(20))
                .stopWhen(payload -> Boolean.TRUE.equals(((Map<?, ?>) payload).get("done")))
                .onStop(stops::incrementAndGet);
        RecordingSink sink = new RecordingSink();
        topics.subscribe("poll-stop", sink, sse, with(p));
        await().atMost(Duration.ofSeconds(5)).until(() -> stops.get() == 1);
        Thread.sleep(200);
        assertThat(n.get()).isEqualTo(3);
        // the second {"done":false} equals the first and is not re-sent
        assertThat(sink.data).containsExactly("{\"done\":false}", "{\"done\":true}");
        sink.gone();
        topics.publish("poll-stop", "x");
        await().until(() -> !topics.topics().contains("poll-stop"));
        assertThat(stops.get()).as("the callback runs once whatever stopped it").isEqualTo(1);
    }

    @Test
    void lastSubscriberLeavingStopsPollingWithoutWaitingForAPollInProgress() throws Exception {
        CountDownLatch inPoll = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean cancelSeen = new AtomicBoolean();
        AtomicInteger stops = new AtomicInteger();
        Polling p = Polling.of(c -> {
            c.onCancel(() -> cancelSeen.set(true));
            inPoll.countDown();
            release.await(10, TimeUnit.SECONDS); // a slow source that ignores cancellation
            return "late";
        }).onStop(stops::incrementAndGet);
        RecordingSink sink = new RecordingSink();
        topics.subscribe("poll-slow", sink, sse, with(p));
        assertThat(inPoll.await(5, TimeUnit.SECONDS)).isTrue();
        sink.gone();
        topics.publish("poll-slow", "write fails, subscriber leaves");
        await().atMost(Duration.ofSeconds(2)).until(() -> stops.get() == 1);
        assertThat(cancelSeen).isTrue();
        assertThat(topics.topics()).doesNotContain("poll-slow");
        release.countDown();
        Thread.sleep(100);
        assertThat(sink.data).doesNotContain("late");
    }

    @Test
    void identicalConsecutivePayloadsAreNotResentButALateSubscriberGetsTheLatest() {
        AtomicInteger n = new AtomicInteger();
        List<Integer> values = List.of(1, 1, 1, 2, 2, 3);
        Polling p = Polling.of(c -> "v" + values.get(Math.min(n.getAndIncrement(), values.size() - 1)))
                .every(Duration.ofMillis(20));
        RecordingSink first = new RecordingSink();
        topics.subscribe("poll-dedupe", first, sse, with(p));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.data.contains("v3"));
        RecordingSink late = new RecordingSink();
        topics.subscribe("poll-dedupe", late, sse);
        await().atMost(Duration.ofSeconds(2)).until(() -> late.data.size() == 1);
        assertThat(first.data).containsExactly("v1", "v2", "v3");
        assertThat(late.data).containsExactly("v3");
        first.gone();
        late.gone();
        topics.publish("poll-dedupe", "x");
    }

    @Test
    void pollingIsSharedByAllSubscribersAndStartsOnce() {
        AtomicInteger sources = new AtomicInteger();
        List<RecordingSink> sinks = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSink s = new RecordingSink();
            sinks.add(s);
            int mine = i;
            topics.subscribe("poll-shared", s, sse, with(Polling.of(c -> {
                sources.accumulateAndGet(1 << mine, (a, b) -> a | b);
                return "tick " + System.nanoTime();
            }).every(Duration.ofMillis(20))));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sinks.stream().allMatch(s -> s.data.size() >= 3));
        assertThat(sources.get()).as("only the first subscriber's polling ran").isEqualTo(1);
        sinks.forEach(RecordingSink::gone);
        topics.publish("poll-shared", "x");
        await().until(() -> !topics.topics().contains("poll-shared"));
    }
}
