package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.progress.ScanResource;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;

/** Connect hooks can refuse a stream with a status; disconnect hooks learn why a stream ended. */
class HooksHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static InProcessServer server;
    private static Manager topics;

    @BeforeAll
    static void start() {
        // Polled from Awaitility's own thread, the Weld client proxy of this container intermittently
        // answered 0 after other Weld SE containers had run in the JVM; polling on the test thread is
        // what every other check here does.
        org.awaitility.Awaitility.pollInSameThread();
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms"), ReplayResource.class,
                ScanResource.class, HookObserver.class);
        topics = server.bean(Manager.class);
    }

    @AfterAll
    static void stop() {
        org.awaitility.Awaitility.reset();
        server.close();
    }

    @BeforeEach
    void clear() {
        HookObserver.CONNECTS.clear();
        HookObserver.DISCONNECTS.clear();
    }

    private static String body(RawSseClient c) throws Exception {
        c.awaitEnd(Duration.ofSeconds(3));
        return new String(c.bodyBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void theObserverSeesTopicHeadersAndLastEventId() throws Exception {
        try (RawSseClient c = RawSseClient.open(server.uri("replay/open-1"), "X-Token: abc", "Last-Event-ID: 42")
                .readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(200);
            assertThat(HookObserver.CONNECTS).hasSize(1);
            assertThat(HookObserver.CONNECTS.get(0).topic()).isEqualTo("open-1");
            assertThat(HookObserver.CONNECTS.get(0).header("x-token")).isEqualTo("abc");
            assertThat(HookObserver.CONNECTS.get(0).lastEventId()).isEqualTo("42");
        }
    }

    @Test
    void aRejectedStreamGetsTheStatusAndAJsonBodyAndNothingIsAttached() throws Exception {
        try (RawSseClient c = RawSseClient.open(server.uri("replay/secret-1")).readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(401);
            assertThat(c.header("Content-Type")).startsWith("application/json");
            assertThat(body(c)).contains("\"status\":401").contains("token \\\"required\\\"");
        }
        try (RawSseClient c = RawSseClient.open(server.uri("replay/forbidden-1")).readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(403);
        }
        try (RawSseClient c = RawSseClient.open(server.uri("replay/busy-1")).readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(429);
            assertThat(body(c)).contains("slow down");
        }
        assertThat(topics.topics()).doesNotContain("secret-1", "forbidden-1", "busy-1");
        try (RawSseClient c = RawSseClient.open(server.uri("replay/secret-1"), "X-Token: let-me-in").readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> topics.subscriberCount("secret-1") == 1);
        }
    }

    @Test
    void trackerStreamsGoThroughTheSameHooksBeforeTheJobIsLookedUp() throws Exception {
        try (RawSseClient c = RawSseClient.open(server.uri("scans/secret-unknown/events")).readHead(WAIT)) {
            assertThat(c.status()).as("401, not 404: the hook runs before the existence check").isEqualTo(401);
        }
    }

    @Test
    void disconnectObserversLearnWhyAStreamEnded() throws Exception {
        RawSseClient c = RawSseClient.open(server.uri("replay/leaving-1")).readHead(WAIT);
        assertThat(c.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> topics.subscriberCount("leaving-1") == 1);
        c.abort();
        await().atMost(WAIT).until(() -> HookObserver.DISCONNECTS.contains(
                new SubscriberDisconnected("leaving-1", DisconnectReason.CLIENT_GONE)));

        Tracker tracker = server.bean(Tracker.class);
        Tracker.Started job = tracker.start("scan/hooked");
        try (RawSseClient s = RawSseClient.open(server.uri("scans/hooked/events")).readHead(WAIT)) {
            await().atMost(WAIT).until(() -> tracker.subscriberCount("scan/hooked") == 1);
            job.job().finish("done");
            assertThat(s.awaitEnd(WAIT)).isTrue();
        }
        await().atMost(WAIT).until(() -> HookObserver.DISCONNECTS.contains(
                new SubscriberDisconnected("scan/hooked", DisconnectReason.TERMINAL)));
    }
}
