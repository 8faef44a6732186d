package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.Manager;
import io.github.sseprogress.ReplayStore;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/** Last-Event-ID resume over real HTTP with the default in-memory ring (size 4 in ReplayResource). */
class ReplayHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static InProcessServer server;
    private static Manager topics;

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.retry", "2500ms",
                "sse.replay.idle-retention", "2s", "sse.queue-size", "100000"), ReplayResource.class);
        topics = server.bean(Manager.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawSseClient connect(String topic, String... headers) throws Exception {
        return RawSseClient.open(server.uri("replay/" + topic), headers).readHead(WAIT);
    }

    private static RawSseClient connectBigRing(String topic, String... headers) throws Exception {
        return RawSseClient.open(server.uri("replay/" + topic + "?ring=100000"), headers).readHead(WAIT);
    }

    /** Connects, publishes six events, reads them, disconnects; returns them with their ids. */
    private static List<SseParser.Event> publishSix(String topic) throws Exception {
        List<SseParser.Event> seen = publishSixAndStay(topic);
        awaitGone(topic);
        return seen;
    }

    /** Heartbeats are off here: write comment frames until the closed client's write fails. */
    private static void awaitGone(String topic) {
        await().atMost(WAIT).until(() -> {
            topics.publish(topic, SseEvent.builder().comment("probe").build());
            return topics.subscriberCount(topic) == 0;
        });
    }

    private static List<SseParser.Event> publishSixAndStay(String topic) throws Exception {
        try (RawSseClient first = connect(topic)) {
            await().atMost(WAIT).until(() -> topics.subscriberCount(topic) == 1);
            for (int i = 1; i <= 6; i++) {
                topics.publish(topic, SseEvent.of("e", "event " + i));
            }
            List<SseParser.Event> got = first.readEvents(6, WAIT);
            assertThat(got).extracting(SseParser.Event::data)
                    .containsExactly("event 1", "event 2", "event 3", "event 4", "event 5", "event 6");
            assertThat(first.parser().retry()).as("retry sent at connect").isEqualTo(2500);
            return got;
        }
    }

    @Test
    void resumingFromTheFourthOfSixWithARingOfFourGetsTheFifthAndSixth() throws Exception {
        List<SseParser.Event> seen = publishSix("ring");
        try (RawSseClient again = connect("ring", "Last-Event-ID: " + seen.get(3).lastEventId())) {
            List<SseParser.Event> got = again.readEvents(2, WAIT);
            assertThat(got).extracting(SseParser.Event::data).containsExactly("event 5", "event 6");
            assertThat(got).extracting(SseParser.Event::type).containsOnly("e");
            assertThat(got.get(1).lastEventId()).isEqualTo(seen.get(5).lastEventId());
        }
    }

    @Test
    void resumingFromTheNewestIdReplaysNothingAndGoesLive() throws Exception {
        List<SseParser.Event> seen = publishSix("newest");
        try (RawSseClient again = connect("newest", "Last-Event-ID: " + seen.get(5).lastEventId())) {
            await().atMost(WAIT).until(() -> topics.subscriberCount("newest") == 1);
            topics.publish("newest", "live");
            assertThat(again.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("live");
        }
    }

    @Test
    void anIdThatDroppedOutOfTheRingGetsTheMissedSignalThenTheLiveTail() throws Exception {
        List<SseParser.Event> seen = publishSix("dropped");
        try (RawSseClient again = connect("dropped", "Last-Event-ID: " + seen.get(0).lastEventId())) {
            List<SseParser.Event> got = again.readEvents(1, WAIT);
            assertThat(got.get(0).type()).isEqualTo("missed");
            assertThat(got.get(0).data()).contains("last-event-id-unknown");
            assertThat(got.get(0).lastEventId()).as("a usable id replaces the stale one").isEqualTo(seen.get(5).lastEventId());
            await().atMost(WAIT).until(() -> topics.subscriberCount("dropped") == 1);
            topics.publish("dropped", "live");
            assertThat(again.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("live");
        }
    }

    @Test
    void garbageIdsNeverFailTheRequestAndAreToldTheyMayHaveMissedEvents() throws Exception {
        publishSix("garbage");
        String tenKb = "x".repeat(10_000);
        String[] ids = {tenKb, "not-a-number", "-", "12", "abc-99999999999999999999", "%00", "🙂-1"};
        for (String id : ids) {
            try (RawSseClient c = connect("garbage", "Last-Event-ID: " + id)) {
                assertThat(c.status()).as(id).isEqualTo(200);
                List<SseParser.Event> got = c.readEvents(1, WAIT);
                assertThat(got).as(id).hasSize(1);
                assertThat(got.get(0).type()).as(id).isEqualTo("missed");
            }
        }
    }

    @Test
    void anIdFromAnotherEpochIsTreatedAsUnknown() throws Exception {
        List<SseParser.Event> seen = publishSix("epoch-a");
        publishSix("epoch-b");
        // a valid id of another ring (a server restart looks the same) cannot be served here
        try (RawSseClient c = connect("epoch-b", "Last-Event-ID: " + seen.get(4).lastEventId())) {
            assertThat(c.readEvents(1, WAIT).get(0).type()).isEqualTo("missed");
        }
    }

    @Test
    void theQueryParameterWorksForClientsThatCannotSetHeadersAndTheHeaderWins() throws Exception {
        List<SseParser.Event> seen = publishSix("query");
        String q = URLEncoder.encode(seen.get(4).lastEventId(), StandardCharsets.UTF_8);
        try (RawSseClient c = RawSseClient.open(server.uri("replay/query?lastEventId=" + q)).readHead(WAIT)) {
            assertThat(c.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("event 6");
        }
        try (RawSseClient c = RawSseClient.open(server.uri("replay/query?lastEventId=" + q),
                "Last-Event-ID: " + seen.get(3).lastEventId()).readHead(WAIT)) {
            assertThat(c.readEvents(2, WAIT)).extracting(SseParser.Event::data).containsExactly("event 5", "event 6");
        }
    }

    @Test
    void aLoneClientThatDropsAndReconnectsGetsWhatWasPublishedMeanwhile() throws Exception {
        String lastId;
        try (RawSseClient c = connect("lone")) {
            await().atMost(WAIT).until(() -> topics.subscriberCount("lone") == 1);
            topics.publish("lone", "before");
            List<SseParser.Event> got = c.readEvents(1, WAIT);
            assertThat(got).extracting(SseParser.Event::data).containsExactly("before");
            lastId = got.get(0).lastEventId();
        }
        awaitGone("lone");
        topics.publish("lone", "while away 1");
        topics.publish("lone", "while away 2");
        String epoch = lastId.substring(0, lastId.lastIndexOf('-'));
        assertThat(lastId).as("the topic's first id").isEqualTo(epoch + "-1");
        try (RawSseClient c = connect("lone", "Last-Event-ID: " + lastId)) {
            // exactly what it missed, with the ids the ring gave them ...
            assertThat(c.readEvents(2, WAIT)).containsExactly(
                    new SseParser.Event("message", "while away 1", epoch + "-2"),
                    new SseParser.Event("message", "while away 2", epoch + "-3"));
            // ... and nothing else before the live tail: the next event is the next one published
            await().atMost(WAIT).until(() -> topics.subscriberCount("lone") == 1);
            topics.publish("lone", "live");
            assertThat(c.readEvents(1, WAIT)).containsExactly(new SseParser.Event("message", "live", epoch + "-4"));
        }
    }

    @Test
    void anIdleReplayTopicIsForgottenAfterItsIdleRetention() throws Exception {
        ReplayStore store = server.bean(ReplayStore.class);
        String lastId;
        try (RawSseClient c = connect("forgotten")) {
            await().atMost(WAIT).until(() -> topics.subscriberCount("forgotten") == 1);
            topics.publish("forgotten", "one");
            lastId = c.readEvents(1, WAIT).get(0).lastEventId();
        }
        awaitGone("forgotten");
        // idle, not removed: the topic (with its counters) and its ring are still there
        assertThat(topics.stats("forgotten").delivered()).isPositive();
        assertThat(store.lastId("forgotten")).contains(lastId);

        // the idle retention (2 s) runs out: the topic leaves the registry and its ring is forgotten
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            DeliveryStats s = topics.stats("forgotten"); // an unknown topic has zero counters
            return s.subscribers() == 0 && s.delivered() == 0;
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> store.lastId("forgotten").isEmpty());

        topics.publish("forgotten", "nobody records this");
        assertThat(store.lastId("forgotten")).as("a publish without subscribers records nothing").isEmpty();
        try (RawSseClient c = connect("forgotten", "Last-Event-ID: " + lastId)) {
            assertThat(c.readEvents(1, WAIT)).as("the loss signal, with no id to offer").containsExactly(
                    new SseParser.Event("missed", "{\"reason\":\"last-event-id-unknown\"}", ""));
            await().atMost(WAIT).until(() -> topics.subscriberCount("forgotten") == 1);
            topics.publish("forgotten", "live");
            List<SseParser.Event> live = c.readEvents(1, WAIT);
            assertThat(live).extracting(SseParser.Event::data).containsExactly("live");
            assertThat(live.get(0).lastEventId()).as("a new ring, a new epoch")
                    .endsWith("-1").isNotEqualTo(lastId);
        }
    }

    @Test
    void replayThenLiveHasNoGapAndNoDuplicateWhileAPublisherRaces() throws Exception {
        String topic = "racing";
        try (RawSseClient anchor = connectBigRing(topic)) {
            await().atMost(WAIT).until(() -> topics.subscriberCount(topic) == 1);
            AtomicBoolean run = new AtomicBoolean(true);
            AtomicInteger n = new AtomicInteger();
            Thread publisher = new Thread(() -> {
                while (run.get() && n.get() < 5_000) {
                    topics.publish(topic, Integer.toString(n.getAndIncrement()));
                }
            });
            publisher.start();
            List<RawSseClient> resumed = new ArrayList<>();
            List<Integer> resumedAfter = new ArrayList<>();
            try {
                for (int round = 0; round < 20; round++) {
                    List<SseParser.Event> seen = anchor.readEvents(1, WAIT);
                    SseParser.Event last = seen.get(seen.size() - 1);
                    resumedAfter.add(Integer.parseInt(last.data()));
                    resumed.add(connectBigRing(topic, "Last-Event-ID: " + last.lastEventId()));
                }
                run.set(false);
                publisher.join();
                int total = n.get();
                for (int r = 0; r < resumed.size(); r++) {
                    int from = resumedAfter.get(r) + 1;
                    List<SseParser.Event> got = resumed.get(r).readEvents(total - from, Duration.ofSeconds(60));
                    for (int i = 0; i < got.size(); i++) {
                        assertThat(Integer.parseInt(got.get(i).data())).as("client %d event %d", r, i).isEqualTo(from + i);
                    }
                    assertThat(got).as("client %d got everything after its id", r).hasSize(total - from);
                }
            } finally {
                run.set(false);
                for (RawSseClient c : resumed) {
                    c.close();
                }
            }
        }
    }
}
