package io.github.sseprogress.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Limits;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * A stream an observer gave an expiry ends at that instant with {@code event: expired} after what was
 * queued, closed normally (the client reconnects and is authorised again); the others go on. A token in
 * the query string reaches the observer only when {@code sse.auth.query-token} is on and never a log.
 */
class TokenExpiryHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String EXPIRED = "{\"reason\":\"token-expired\"}";
    private static InProcessServer server;
    private static Manager topics;
    private static Tracker tracker;

    @BeforeAll
    static void start() {
        org.awaitility.Awaitility.pollInSameThread();
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "100ms", "sse.auth.query-token", "true",
                "sse.limits.max-streams-per-principal", "1"),
                LimitsResource.class, ExpiryObserver.class);
        topics = server.bean(Manager.class);
        tracker = server.bean(Tracker.class);
    }

    @AfterAll
    static void stop() {
        org.awaitility.Awaitility.reset();
        server.close();
    }

    @BeforeEach
    void clear() {
        // sse.limits.max-streams-per-principal is 1: the previous test's stream must have given its count back
        // (its end bookkeeping runs after the client saw the stream end), or this test's first stream is refused
        await().atMost(WAIT).until(() -> server.bean(Limits.class).streams() == 0);
        ExpiryObserver.TOKENS.clear();
        ExpiryObserver.DISCONNECTS.clear();
    }

    private static List<SseParser.Event> untilEnd(RawSseClient c) throws Exception {
        List<SseParser.Event> events = c.readEvents(Integer.MAX_VALUE, WAIT);
        assertThat(c.ended()).as("the server ended the stream").isTrue();
        return events;
    }

    @Test
    void anExpiredTopicStreamGetsItsQueuedEventsThenExpiredAndEndsTheOthersGoOn() throws Exception {
        try (RawSseClient expiring = RawSseClient.open(server.uri("limits/topic/exp"), "X-Expires-Ms: 700").readHead(WAIT);
                RawSseClient staying = RawSseClient.open(server.uri("limits/topic/exp")).readHead(WAIT)) {
            await().atMost(WAIT).until(() -> topics.subscriberCount("exp") == 2);
            topics.publish("exp", "before");
            List<SseParser.Event> events = untilEnd(expiring);
            assertThat(events).extracting(SseParser.Event::type, SseParser.Event::data)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("message", "before"),
                            org.assertj.core.groups.Tuple.tuple("expired", EXPIRED));
            await().atMost(WAIT).until(() -> topics.subscriberCount("exp") == 1);
            await().atMost(WAIT).until(() -> ExpiryObserver.DISCONNECTS.contains(
                    new SubscriberDisconnected("exp", DisconnectReason.EXPIRED)));
            topics.publish("exp", "after");
            assertThat(staying.readEvents(2, WAIT)).extracting(SseParser.Event::data).containsExactly("before", "after");
            assertThat(staying.ended()).isFalse();
        }
    }

    @Test
    void anExpiredJobStreamGetsTheLatestSnapshotThenExpired() throws Exception {
        Tracker.Started job = tracker.start("scan/exp");
        job.job().publish("half");
        try (RawSseClient c = RawSseClient.open(server.uri("limits/job/scan%2Fexp"), "X-Expires-Ms: 500").readHead(WAIT)) {
            List<SseParser.Event> events = untilEnd(c);
            assertThat(events).extracting(SseParser.Event::type).containsExactly("message", "expired");
            assertThat(events.get(1).data()).isEqualTo(EXPIRED);
            await().atMost(WAIT).until(() -> tracker.subscriberCount("scan/exp") == 0);
        } finally {
            job.job().finish("done");
        }
    }

    @Test
    void aMultiplexedConnectionEndsWholeAtItsEarliestKeysExpiry() throws Exception {
        try (RawSseClient c = RawSseClient.open(server.uri("limits/streams?topic=ma&topic=mb"), "X-Expires-Ms: 500")
                .readHead(WAIT)) {
            List<SseParser.Event> events = untilEnd(c);
            assertThat(events).extracting(SseParser.Event::type).containsExactly("expired");
            assertThat(events.get(0).data()).isEqualTo(EXPIRED);
            await().atMost(WAIT).until(() -> topics.subscriberCount("ma") == 0 && topics.subscriberCount("mb") == 0);
        }
    }

    @Test
    void aStreamThatEndsBeforeItsExpiryLeavesNoTimerBehindAndItsCountsGoBack() throws Exception {
        RawSseClient c = RawSseClient.open(server.uri("limits/topic/gone"), "X-Expires-Ms: 600000").readHead(WAIT);
        await().atMost(WAIT).until(() -> topics.subscriberCount("gone") == 1);
        c.abort();
        Delivery delivery = server.bean(Delivery.class);
        await().atMost(WAIT).until(() -> delivery.liveCount() == 0 && server.bean(Limits.class).streams() == 0);
        await().atMost(WAIT).until(() -> ExpiryObserver.DISCONNECTS.contains(
                new SubscriberDisconnected("gone", DisconnectReason.CLIENT_GONE)));
        assertThat(ExpiryObserver.DISCONNECTS).doesNotContain(new SubscriberDisconnected("gone", DisconnectReason.EXPIRED));
    }

    @Test
    void theQueryTokenReachesTheObserverButNeitherTheTopicNorAnyLog() throws Exception {
        // the resource takes the topic from the path here; Manager.topicOf(uriInfo) leaves access_token out
        // (ManagerHttpTest-style check in TopicOfQueryTokenTest)
        String secret = "eyJhbGciOiJub25lIn0.c2VjcmV0LXRva2Vu.sig";
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler all = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()) + " " + r.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger library = Logger.getLogger("io.github.sseprogress");
        Level before = library.getLevel();
        library.setLevel(Level.ALL);
        all.setLevel(Level.ALL);
        library.addHandler(all);
        try (RawSseClient c = RawSseClient.open(server.uri("limits/streams?topic=qt&access_token=" + secret),
                "X-User: eve").readHead(WAIT);
                RawSseClient refused = RawSseClient.open(server.uri("limits/topic/qt?access_token=" + secret),
                        "X-User: eve").readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(200);
            assertThat(refused.status()).as("logged at FINE, with the request's topic").isEqualTo(429);
            assertThat(ExpiryObserver.TOKENS).containsExactly(secret, secret);
            await().atMost(WAIT).until(() -> topics.subscriberCount("qt") == 1);
            assertThat(topics.topics()).noneMatch(t -> t.contains(secret));
        } finally {
            library.removeHandler(all);
            library.setLevel(before);
        }
        assertThat(logged).anyMatch(line -> line.contains("stream refused")).noneMatch(line -> line.contains(secret));
    }
}
