package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.internal.wire.SseResponseHeaders;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.sse.SseEventSource;

/** The Manager over real HTTP (Jersey + Grizzly on a loopback port). */
class ManagerHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static InProcessServer server;
    private static Manager topics;

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms", "sse.queue-size", "4096",
                // a starved CPU must not get a reader evicted: eviction is tested elsewhere
                "sse.write-timeout", "30s"), TopicResource.class, SseResponseHeaders.class);
        topics = server.bean(Manager.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawSseClient connect(String path) throws Exception {
        RawSseClient c = RawSseClient.open(server.uri(path)).readHead(WAIT);
        assertThat(c.status()).isEqualTo(200);
        return c;
    }

    @Test
    void streamHeadersAreSentAndFlushedBeforeAnyEvent() throws Exception {
        try (RawSseClient c = connect("topics/headers/events")) {
            assertThat(c.header("Content-Type")).startsWith("text/event-stream");
            assertThat(c.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(c.header("X-Accel-Buffering")).isEqualTo("no");
            assertThat(c.parser().pendingEvents()).isZero();
        }
    }

    @Test
    void fansOutToTwoHundredSubscribersEachInPublishOrder() throws Exception {
        int subscribers = 200;
        int events = 300;
        List<RawSseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                clients.add(connect("topics/fanout/events"));
            }
            await().atMost(WAIT).until(() -> topics.subscriberCount("fanout") == subscribers);
            for (int i = 0; i < events; i++) {
                topics.publish("fanout", "event-" + i);
            }
            for (RawSseClient c : clients) {
                List<SseParser.Event> got = c.readEvents(events, WAIT);
                assertThat(got).hasSize(events);
                for (int i = 0; i < events; i++) {
                    assertThat(got.get(i).data()).isEqualTo("event-" + i);
                }
            }
            assertThat(topics.stats("fanout").dropped()).isZero();
            assertThat(topics.stats("fanout").delivered()).isEqualTo((long) subscribers * events);
        } finally {
            for (RawSseClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void jerseySseEventSourceReceivesNamedJsonEventsInOrder() throws Exception {
        Client client = ClientBuilder.newClient();
        List<String> received = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(20);
        try (SseEventSource source = SseEventSource.target(client.target(server.uri("topics/jersey/events"))).build()) {
            source.register(e -> {
                if (e.getName() == null && e.getId() == null && e.isEmpty()) {
                    return; // a heartbeat comment
                }
                received.add(e.getName() + ":" + e.getId() + ":" + e.readData());
                done.countDown();
            });
            source.open();
            await().atMost(WAIT).until(() -> topics.subscriberCount("jersey") == 1);
            for (int i = 0; i < 20; i++) {
                topics.publish("jersey", SseEvent.builder().name("n").id("i" + i).data(Map.of("k", i)).build());
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            client.close();
        }
        for (int i = 0; i < 20; i++) {
            assertThat(received.get(i)).isEqualTo("n:i" + i + ":{\"k\":" + i + "}");
        }
    }

    @Test
    void topicIsRemovedWhenTheLastClientDisconnects() throws Exception {
        List<RawSseClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(connect("topics/leaving/events"));
        }
        await().atMost(WAIT).until(() -> topics.subscriberCount("leaving") == 3);
        clients.get(0).close();
        await().atMost(WAIT).until(() -> topics.subscriberCount("leaving") == 2);
        assertThat(topics.topics()).contains("leaving");
        clients.get(1).abort();
        clients.get(2).close();
        await().atMost(WAIT).until(() -> !topics.topics().contains("leaving"));
        assertThat(topics.subscriberCount("leaving")).isZero();
    }

    @Test
    void publishWithoutSubscribersCreatesNothing() {
        topics.publish("nobody-here", "lost");
        topics.publish("nobody-here", SseEvent.of("x"));
        assertThat(topics.topics()).doesNotContain("nobody-here");
        assertThat(topics.subscriberCount("nobody-here")).isZero();
        assertThat(topics.stats("nobody-here").delivered()).isZero();
    }

    @Test
    void heartbeatCommentsAreWrittenOnIdleStreams() throws Exception {
        try (RawSseClient c = connect("topics/idle/events")) {
            List<String> comments = c.readComments(Duration.ofSeconds(3));
            assertThat(comments).isNotEmpty();
            String body = new String(c.bodyBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(body).startsWith(":");
            assertThat(c.parser().pendingEvents()).isZero();
        }
    }

    @Test
    void urlDerivedTopicsSeparateQueryViews() throws Exception {
        try (RawSseClient a = connect("derived?view=a"); RawSseClient b = connect("derived?view=b");
                RawSseClient plain = connect("derived")) {
            await().atMost(WAIT).until(() -> topics.topics().containsAll(List.of("/derived?view=a", "/derived?view=b", "/derived")));
            topics.publish("/derived?view=a", "for a");
            topics.publish("/derived?view=b", "for b");
            topics.publish("/derived", "for plain");
            assertThat(a.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("for a");
            assertThat(b.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("for b");
            assertThat(plain.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("for plain");
        }
    }

    @Test
    void pollingStartsOnceIsSharedAndStopsAfterTheLastSubscriber() throws Exception {
        TopicResource.POLLS.set(0);
        TopicResource.STARTS.set(0);
        TopicResource.STOPS.set(0);
        try (RawSseClient a = connect("polled/events")) {
            List<SseParser.Event> first = a.readEvents(1, WAIT);
            assertThat(first).hasSize(1);
            try (RawSseClient b = connect("polled/events")) {
                // the late subscriber gets the latest payload at once, then the shared live tail
                List<SseParser.Event> got = b.readEvents(3, WAIT);
                assertThat(got).hasSize(3);
                assertThat(topics.subscriberCount("polled")).isEqualTo(2);
                List<SseParser.Event> gotA = a.readEvents(3, WAIT);
                for (List<SseParser.Event> seen : List.of(got, gotA)) {
                    for (int i = 1; i < seen.size(); i++) {
                        assertThat(seen.get(i).data()).as("identical consecutive payloads are not re-sent")
                                .isNotEqualTo(seen.get(i - 1).data());
                    }
                }
            }
        }
        await().atMost(WAIT).until(() -> TopicResource.STOPS.get() == 1);
        assertThat(TopicResource.STARTS.get()).isEqualTo(1);
        int polls = TopicResource.POLLS.get();
        Thread.sleep(300);
        assertThat(TopicResource.POLLS.get()).as("no polling after the last subscriber left").isEqualTo(polls);
        assertThat(topics.topics()).doesNotContain("polled");
    }

    @Test
    void multiLineTextArrivesAsOneEvent() throws Exception {
        try (RawSseClient c = connect("topics/lines/events")) {
            await().atMost(WAIT).until(() -> topics.subscriberCount("lines") == 1);
            topics.publish("lines", "a\r\nb\rc\nd");
            topics.publish("lines", SseEvent.builder().data("x\n\ny").name("two").build());
            List<SseParser.Event> got = c.readEvents(2, WAIT);
            assertThat(got).extracting(SseParser.Event::data).containsExactly("a\nb\nc\nd", "x\n\ny");
            assertThat(got.get(1).type()).isEqualTo("two");
        }
    }

    static URI base() {
        return server.uri("/");
    }
}
