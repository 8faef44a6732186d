package io.github.sseprogress.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Limits;
import io.github.sseprogress.internal.topic.ManagerBean;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.LogCapture;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * The {@code sse.limits.*} limits over real HTTP: a stream beyond a limit gets 429 with
 * {@code Retry-After} and a JSON body naming the limit, nothing is attached, the streams already open
 * go on, and a count goes back exactly when its stream ends.
 */
class LimitsHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static InProcessServer server;
    private static Manager topics;
    private static Tracker tracker;
    private static Limits limits;
    private static ManagerBean manager;
    private static Delivery delivery;
    private final List<RawSseClient> open = new ArrayList<>();

    @BeforeAll
    static void start() {
        org.awaitility.Awaitility.pollInSameThread();
        server = InProcessServer.start(Map.of(
                "sse.heartbeat-interval", "100ms",
                "sse.limits.max-streams", "12",
                "sse.limits.max-streams-per-topic", "2",
                "sse.limits.max-streams-per-principal", "3",
                "sse.limits.max-streams-per-address", "4",
                "sse.limits.client-address-header", "X-Forwarded-For",
                "sse.limits.max-topics", "6",
                "sse.limits.retry-after", "7s"), LimitsResource.class);
        topics = server.bean(Manager.class);
        tracker = server.bean(Tracker.class);
        limits = server.bean(Limits.class);
        manager = server.bean(ManagerBean.class);
        delivery = server.bean(Delivery.class);
    }

    @AfterAll
    static void stop() {
        org.awaitility.Awaitility.reset();
        server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (RawSseClient c : open) {
            try {
                c.abort();
            } catch (java.net.SocketException alreadyClosed) {
                // a test aborted it itself
            }
        }
        open.clear();
        awaitNothingCounted();
    }

    private static void awaitNothingCounted() {
        await().atMost(WAIT).until(() -> limits.streams() == 0 && limits.countedEntries() == 0
                && delivery.liveCount() == 0 && manager.topicCount() == 0);
    }

    private RawSseClient stream(String path, String... headers) throws Exception {
        RawSseClient c = RawSseClient.open(server.uri(path), headers).readHead(WAIT);
        open.add(c);
        return c;
    }

    private static String body(RawSseClient c) throws Exception {
        return c.readBody(WAIT);
    }

    private static long refused(String limit) {
        return server.bean(io.github.sseprogress.spi.LibraryMetrics.class).refusedStreams().getOrDefault(limit, 0L);
    }

    private static void assertRefused(RawSseClient c, String limit, String message) throws Exception {
        assertThat(c.status()).isEqualTo(429);
        assertThat(c.header("Retry-After")).isEqualTo("7");
        assertThat(c.header("Content-Type")).startsWith("application/json");
        assertThat(body(c)).isEqualTo("{\"status\":429,\"message\":\"" + message + "\",\"limit\":\"" + limit + "\"}");
    }

    @Test
    void aTopicsThirdStreamIsRefusedAndTheOthersGoOn() throws Exception {
        RawSseClient a = stream("limits/topic/news");
        RawSseClient b = stream("limits/topic/news");
        assertThat(a.status()).isEqualTo(200);
        assertThat(b.status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> topics.subscriberCount("news") == 2);

        long refusedBefore = refused("per-topic");
        assertRefused(stream("limits/topic/news"), "per-topic", "too many streams on this topic (limit 2)");
        assertThat(refused("per-topic")).as("counted instead of logged (LibraryMetrics.refusedStreams)")
                .isEqualTo(refusedBefore + 1);
        assertThat(topics.subscriberCount("news")).isEqualTo(2);
        assertThat(limits.topicStreams(Limits.topicKey("news"))).isEqualTo(2);

        topics.publish("news", "still here");
        assertThat(a.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("still here");
        assertThat(b.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("still here");

        a.abort();
        await().atMost(WAIT).until(() -> limits.topicStreams(Limits.topicKey("news")) == 1);
        assertThat(stream("limits/topic/news").status()).as("admitted again once one left").isEqualTo(200);
    }

    @Test
    void aJobsStreamsCountPerJob() throws Exception {
        Tracker.Started job = tracker.start("scan/limited");
        assertThat(stream("limits/job/scan%2Flimited").status()).isEqualTo(200);
        assertThat(stream("limits/job/scan%2Flimited").status()).isEqualTo(200);
        assertRefused(stream("limits/job/scan%2Flimited"), "per-topic", "too many streams on this topic (limit 2)");
        assertThat(limits.topicStreams(Limits.jobKey("scan/limited"))).isEqualTo(2);
        job.job().finish("done");
    }

    @Test
    void aPrincipalsFourthStreamIsRefusedAnotherUserIsNot() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(stream("limits/topic/p" + i, "X-User: ann").status()).isEqualTo(200);
        }
        assertRefused(stream("limits/topic/p3", "X-User: ann"), "per-principal", "too many streams for this user (limit 3)");
        assertThat(stream("limits/topic/p3", "X-User: bob").status()).isEqualTo(200);
        assertThat(limits.principalStreams("ann")).isEqualTo(3);
        assertThat(limits.principalStreams("bob")).isEqualTo(1);
        await().atMost(WAIT).until(() -> topics.subscriberCount("p3") == 1); // bob's
        assertThat(topics.subscriberCount("p3")).as("the refused stream attached nothing").isEqualTo(1);
    }

    @Test
    void anAddressIsTheTrustedProxysRightmostEntryElseTheOneTheResourceGave() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(stream("limits/topic/a" + i, "X-Forwarded-For: 198.51.100.9, 203.0.113.5").status())
                    .isEqualTo(200);
        }
        assertThat(limits.addressStreams("203.0.113.5")).isEqualTo(4);
        assertRefused(stream("limits/topic/a4", "X-Forwarded-For: 10.0.0.1, 203.0.113.5"), "per-address",
                "too many streams from this address (limit 4)");
        assertThat(stream("limits/topic/a4", "X-Peer: 198.51.100.77").status())
                .as("no proxy header: the resource's address").isEqualTo(200);
        assertThat(limits.addressStreams("198.51.100.77")).isEqualTo(1);
        assertThat(stream("limits/topic/a5", "X-Peer: 198.51.100.77", "X-Forwarded-For: 203.0.113.6").status())
                .isEqualTo(200);
        assertThat(limits.addressStreams("203.0.113.6")).as("the trusted header wins").isEqualTo(1);
        assertThat(limits.addressStreams("198.51.100.77")).isEqualTo(1);
    }

    @Test
    void theServersTotalCountsEveryKindOfStreamOnce() throws Exception {
        Tracker.Started job = tracker.start("scan/total");
        for (int i = 0; i < 10; i++) {
            assertThat(stream("limits/topic/t" + (i / 2)).status()).isEqualTo(200); // 5 topics, 2 streams each
        }
        assertThat(stream("limits/job/scan%2Ftotal").status()).isEqualTo(200);
        RawSseClient multi = stream("limits/streams?topic=m1&job=scan%2Ftotal");
        assertThat(multi.status()).as("a multiplexed connection is one stream").isEqualTo(200);
        assertThat(limits.streams()).isEqualTo(12);
        assertRefused(stream("limits/topic/t9"), "streams", "too many streams on this server (sse.limits.max-streams=12)");
        job.job().finish("done");
    }

    @Test
    void aMultiplexedKeyBeyondItsTopicsLimitEndsAloneTheOthersGoOn() throws Exception {
        assertThat(stream("limits/topic/busy").status()).isEqualTo(200);
        assertThat(stream("limits/topic/busy").status()).isEqualTo(200);
        RawSseClient multi = stream("limits/streams?topic=busy&topic=calm");
        assertThat(multi.status()).isEqualTo(200);
        List<SseParser.Event> first = multi.readEvents(1, WAIT);
        assertThat(first.get(0).type()).isEqualTo("end");
        assertThat(first.get(0).data()).isEqualTo("topic:busy\n{\"reason\":\"limited\",\"status\":429,"
                + "\"message\":\"too many streams on this topic (limit 2)\",\"limit\":\"per-topic\"}");
        await().atMost(WAIT).until(() -> topics.subscriberCount("calm") == 1);
        topics.publish("calm", "on");
        assertThat(multi.readEvents(1, WAIT).get(0).data()).isEqualTo("topic:calm\non");
        assertThat(limits.topicStreams(Limits.topicKey("busy"))).isEqualTo(2);
        assertThat(limits.topicStreams(Limits.topicKey("calm"))).isEqualTo(1);
    }

    @Test
    void aNewTopicBeyondMaxTopicsIsRefusedLiveTopicsAreKeptAndPublishCreatesNone() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertThat(stream("limits/topic/cap" + i).status()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> manager.topicCount() == 6);
        topics.publish("never-subscribed", "x"); // publish never creates a topic
        assertThat(manager.topicCount()).isEqualTo(6);
        long refusedBefore = refused("topics");
        assertRefused(stream("limits/topic/cap6"), "topics", "too many topics on this server (sse.limits.max-topics=6)");
        assertThat(refused("topics")).isEqualTo(refusedBefore + 1);
        assertThat(topics.topics()).hasSize(6).doesNotContain("cap6");
        assertThat(limits.streams()).as("the refused stream's counts were given back").isEqualTo(6);
        assertThat(stream("limits/topic/cap0").status()).as("a live topic takes more streams").isEqualTo(200);

        RawSseClient multi = stream("limits/streams?topic=cap7&topic=cap1");
        assertThat(multi.readEvents(1, WAIT).get(0).data()).isEqualTo("topic:cap7\n{\"reason\":\"limited\",\"status\":429,"
                + "\"message\":\"too many topics on this server (sse.limits.max-topics=6)\",\"limit\":\"topics\"}");
        assertThat(refused("topics")).as("a multiplexed key refused for a new topic counts too").isEqualTo(refusedBefore + 2);

        open.get(2).abort(); // cap2's only stream: its topic retires
        await().atMost(WAIT).until(() -> manager.topicCount() == 5);
        assertThat(stream("limits/topic/cap6").status()).as("a new topic fits again").isEqualTo(200);
    }

    @Test
    void aRefusalIsNormalClientBehaviourAndLogsNothingAboveFine() throws Exception {
        try (LogCapture log = LogCapture.warningsAndErrors()) {
            stream("limits/topic/quiet");
            stream("limits/topic/quiet");
            assertRefused(stream("limits/topic/quiet"), "per-topic", "too many streams on this topic (limit 2)");
            assertThat(log.lines()).isEmpty();
        }
    }

    /**
     * Thousands of connect/disconnect cycles, some refused while the server has not noticed a client left
     * yet: every count goes back to 0, no entry stays in memory, and streams are admitted again.
     */
    @Test
    void churnLeavesEveryCountAtZeroAndAdmitsAgain() throws Exception {
        int threads = 4;
        int cycles = 600;
        int[] admitted = new int[threads];
        int[] refused = new int[threads];
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    for (int i = 0; i < cycles; i++) {
                        RawSseClient c = RawSseClient.open(server.uri("limits/topic/churn" + (i % 3)),
                                "X-User: u" + id, "X-Peer: 192.0.2." + id).readHead(WAIT);
                        if (c.status() == 200) {
                            admitted[id]++;
                        } else if (c.status() == 429) {
                            refused[id]++;
                        } else {
                            throw new AssertionError("status " + c.status());
                        }
                        if (i % 2 == 0) {
                            c.abort();
                        } else {
                            c.close();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join(120_000);
        }
        assertThat(failures).isEmpty();
        int total = 0;
        for (int t = 0; t < threads; t++) {
            total += admitted[t] + refused[t];
        }
        assertThat(total).isEqualTo(threads * cycles);
        assertThat(admitted[0] + admitted[1] + admitted[2] + admitted[3]).isPositive();
        awaitNothingCounted();
        assertThat(stream("limits/topic/churn0", "X-User: u0", "X-Peer: 192.0.2.0").status()).isEqualTo(200);
        assertThat(stream("limits/topic/churn0", "X-User: u0", "X-Peer: 192.0.2.0").status()).isEqualTo(200);
    }
}
