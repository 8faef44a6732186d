package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.delivery.HookObserver;
import io.github.sseprogress.internal.config.Scheduling;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.LogCapture;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * {@link Manager#shutdown()} as documented: every stream ends (its subscriber closed with
 * {@link DisconnectReason#SHUTDOWN}), every poller stops ({@code onStop} once, no poll after it),
 * then {@code subscribe} answers 503 and {@code publish} does nothing.
 */
class ManagerShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** {@link TopicResource#polled}'s interval. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    @BeforeEach
    void reset() {
        TopicResource.POLLS.set(0);
        TopicResource.STARTS.set(0);
        TopicResource.STOPS.set(0);
        HookObserver.CONNECTS.clear();
        HookObserver.DISCONNECTS.clear();
    }

    @Test
    void shutdownEndsEveryStreamStopsPollersAndRejectsLaterSubscribers() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "1s"),
                TopicResource.class, HookObserver.class)) {
            Manager topics = server.bean(Manager.class);
            List<RawSseClient> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                clients.add(RawSseClient.open(server.uri("topics/t" + (i % 3) + "/events")).readHead(WAIT));
            }
            RawSseClient polled = RawSseClient.open(server.uri("polled/events")).readHead(WAIT);
            clients.add(polled);
            assertThat(polled.readEvents(1, WAIT)).extracting(SseParser.Event::data)
                    .as("the poller runs before the shutdown").containsExactly("tick 0");
            await().atMost(WAIT).until(() -> topics.stats().subscribers() == 11);
            assertThat(topics.topics()).containsExactlyInAnyOrder("t0", "t1", "t2", "polled");
            assertThat(TopicResource.STOPS).hasValue(0);

            topics.shutdown();

            for (RawSseClient c : clients) {
                assertThat(c.awaitEnd(WAIT)).as("stream ended by the server").isTrue();
                if (c != polled) { // nothing was published to t0..t2, and a shutdown sends no terminal event
                    assertThat(c.readEvents(1, Duration.ZERO)).as("no event on the way out").isEmpty();
                }
                c.close();
            }
            // every subscriber was closed for the shutdown and its observers told so, once
            await().atMost(WAIT).until(() -> HookObserver.DISCONNECTS.size() >= 11);
            assertThat(HookObserver.DISCONNECTS).extracting(SubscriberDisconnected::reason)
                    .containsOnly(DisconnectReason.SHUTDOWN);
            assertThat(countByTopic(HookObserver.DISCONNECTS))
                    .isEqualTo(Map.of("t0", 4L, "t1", 3L, "t2", 3L, "polled", 1L));
            assertThat(topics.topics()).isEmpty();
            assertThat(topics.stats().subscribers()).as("nothing left open in the library").isZero();
            DeliveryStats t0 = topics.stats("t0");
            assertThat(t0.subscribers() + t0.delivered() + t0.dropped() + t0.evicted())
                    .as("the topic itself is gone (an unknown topic has zero counters): %s", t0).isZero();

            // the poller stopped: onStop ran, and no poll starts after it
            await().atMost(WAIT).until(() -> TopicResource.STOPS.get() >= 1);
            int pollsAtStop = TopicResource.POLLS.get();

            // after the shutdown: publish is a no-op (no exception, nothing created, nothing sent) ...
            long deliveredBefore = topics.stats().delivered();
            topics.publish("t0", "ignored after shutdown");
            topics.publish("polled", "ignored after shutdown");
            assertThat(topics.topics()).isEmpty();
            assertThat(topics.stats().delivered()).isEqualTo(deliveredBefore);
            // ... and subscribe answers 503, for a known, a new and a polled topic alike, starting nothing
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("topics/t0/events", "topics/never-seen/events", "polled/events")) {
                HttpResponse<String> late = http.send(HttpRequest.newBuilder(server.uri(path))
                        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
                assertThat(late.statusCode()).as(path).isEqualTo(503);
            }
            assertThat(topics.topics()).isEmpty();
            assertThat(topics.stats().subscribers()).isZero();

            // A stopped poller's next run would have come POLL_INTERVAL after its last one: let the
            // library's own scheduler run a task due well after that, then count.
            awaitSchedulerPast(server, POLL_INTERVAL.multipliedBy(6));
            assertThat(TopicResource.POLLS.get()).as("no poll after the shutdown (one may have been in flight)")
                    .isBetween(pollsAtStop, pollsAtStop + 1);
            assertThat(TopicResource.STOPS).as("onStop exactly once").hasValue(1);
            assertThat(HookObserver.DISCONNECTS).as("the refused subscribers never opened").hasSize(11);
        }
    }

    @Test
    void containerShutdownClosesStreamsAndStopsPollersThroughPreDestroyWithoutAWarning() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of(), TopicResource.class, HookObserver.class)) {
            Manager topics = server.bean(Manager.class);
            RawSseClient plain = RawSseClient.open(server.uri("topics/pd/events")).readHead(WAIT);
            RawSseClient polled = RawSseClient.open(server.uri("polled/events")).readHead(WAIT);
            assertThat(polled.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("tick 0");
            await().atMost(WAIT).until(() -> topics.subscriberCount("pd") == 1 && topics.subscriberCount("polled") == 1);

            try (LogCapture log = LogCapture.warningsAndErrors()) {
                server.stopApplication();
                assertThat(plain.awaitEnd(WAIT)).as("plain stream ended").isTrue();
                assertThat(polled.awaitEnd(WAIT)).as("polled stream ended").isTrue();
                await().atMost(WAIT).until(() -> TopicResource.STOPS.get() >= 1);
                assertThat(TopicResource.STOPS).as("the poller's onStop ran once").hasValue(1);
                assertThat(log.lines()).as("an application stop is normal: nothing at WARNING or above").isEmpty();
            }
            plain.close();
            polled.close();
        }
    }

    private static Map<String, Long> countByTopic(List<SubscriberDisconnected> events) {
        return events.stream().collect(Collectors.groupingBy(SubscriberDisconnected::topic, Collectors.counting()));
    }

    /** Waits until a task the library's scheduler runs {@code delay} from now has run. */
    private static void awaitSchedulerPast(InProcessServer server, Duration delay) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        server.bean(Scheduling.class).executor().schedule(ran::countDown, delay.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ran.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the scheduler ran the marker").isTrue();
    }
}
