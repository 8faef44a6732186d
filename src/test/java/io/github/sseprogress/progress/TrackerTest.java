package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.NoSuchTopicException;
import io.github.sseprogress.Polling;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** The Tracker's registry and Job semantics, on the real beans (a stream only where one is involved). */
class TrackerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static InProcessServer server;
    private static Tracker tracker;

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms", "sse.write-timeout", "10s",
                "sse.tracker.retention", "1m"), ScanResource.class);
        tracker = server.bean(Tracker.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void startAndStartOrJoinFollowTheSeedsTable() {
        // no entry: both create
        Tracker.Started a = tracker.start("table/start");
        Tracker.Started b = tracker.startOrJoin("table/join");
        assertThat(a.isNew()).isTrue();
        assertThat(b.isNew()).isTrue();

        // running entry: both join
        assertThat(tracker.start("table/start")).isEqualTo(new Tracker.Started(a.job(), false));
        assertThat(tracker.startOrJoin("table/start")).isEqualTo(new Tracker.Started(a.job(), false));
        assertThat(tracker.start("table/join")).isEqualTo(new Tracker.Started(b.job(), false));

        // retained terminal entry: start replaces it with a fresh job, startOrJoin reuses it
        a.job().finish("a done");
        b.job().finish("b done");
        Tracker.Started replaced = tracker.start("table/start");
        assertThat(replaced.isNew()).isTrue();
        assertThat(replaced.job()).isNotSameAs(a.job());
        assertThat(replaced.job().isFinished()).isFalse();
        assertThat(tracker.latest("table/start")).as("the previous run's terminal is not this run's").isEmpty();

        Tracker.Started reused = tracker.startOrJoin("table/join");
        assertThat(reused).isEqualTo(new Tracker.Started(b.job(), false));
        assertThat(reused.job().isFinished()).isTrue();
        assertThat(tracker.latest("table/join").map(TrackerTest::bySequence)).contains(new Tracker.Snapshot("1", "b done", true));
        replaced.job().finish(null);
    }

    @Test
    void oneThousandConcurrentStartsSeeExactlyOneNewJob() throws Exception {
        assertExactlyOneNew("concurrent/start", tracker::start);
        assertExactlyOneNew("concurrent/join", tracker::startOrJoin);
        // and again on a retained terminal entry, where start replaces and startOrJoin reuses
        tracker.start("concurrent/start").job().finish("x");
        assertExactlyOneNew("concurrent/start", tracker::start);
        tracker.startOrJoin("concurrent/join").job().finish("y");
        List<Tracker.Started> joins = startConcurrently("concurrent/join", tracker::startOrJoin);
        assertThat(joins).noneMatch(Tracker.Started::isNew);
        assertThat(joins.stream().map(Tracker.Started::job).distinct()).hasSize(1);
    }

    private static void assertExactlyOneNew(String topic, Function<String, Tracker.Started> entry) throws Exception {
        List<Tracker.Started> all = startConcurrently(topic, entry);
        assertThat(all).hasSize(1000);
        assertThat(all.stream().filter(Tracker.Started::isNew)).hasSize(1);
        assertThat(all.stream().map(Tracker.Started::job).distinct()).hasSize(1);
        assertThat(all.get(0).job().isFinished()).isFalse();
    }

    private static List<Tracker.Started> startConcurrently(String topic, Function<String, Tracker.Started> entry)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Tracker.Started>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return entry.apply(topic);
                }));
            }
            go.countDown();
            List<Tracker.Started> out = new ArrayList<>();
            for (Future<Tracker.Started> f : futures) {
                out.add(f.get(10, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eventIdsIncreasePerJobAndLatestHoldsOnlyTheNewest() {
        Job job = tracker.start("ids").job();
        assertThat(tracker.latest("ids")).isEmpty();
        for (int i = 1; i <= 5; i++) {
            job.publish("p" + i);
            assertThat(tracker.latest("ids").map(TrackerTest::bySequence)).contains(new Tracker.Snapshot(Integer.toString(i), "p" + i, false));
        }
        assertThat(job.finish("end")).isTrue();
        assertThat(job.finish("again")).isFalse();
        assertThat(tracker.latest("ids").map(TrackerTest::bySequence)).contains(new Tracker.Snapshot("6", "end", true));
    }

    @Test
    void aPayloadThatCannotBeSerialisedIsRefusedAndChangesNothing() {
        Job job = tracker.start("bad-payload").job();
        job.publish("ok");
        Object unserialisable = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                throw new IllegalStateException("no");
            }
        };
        assertThatThrownBy(() -> job.publish(unserialisable)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> job.finish(unserialisable)).isInstanceOf(IllegalArgumentException.class);
        assertThat(job.isFinished()).as("a failed finish leaves the job running for the safety net").isFalse();
        assertThat(tracker.latest("bad-payload").map(TrackerTest::bySequence)).contains(new Tracker.Snapshot("1", "ok", false));
        assertThat(job.finish("safety net")).isTrue();
    }

    @Test
    void invalidTopicsAreRefused() {
        for (String bad : new String[] {null, "", "a\nb", "a\u0000b"}) {
            assertThatThrownBy(() -> tracker.start(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tracker.startOrJoin(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(tracker.subscriberCount(null)).isZero();
    }

    @Test
    void unknownTopicIsADistinctOutcomeCarryingA404JsonResponse() {
        assertThatThrownBy(() -> tracker.latest("nothing/here"))
                .isInstanceOfSatisfying(NoSuchTopicException.class, e -> {
                    assertThat(e.topic()).isEqualTo("nothing/here");
                    Response r = e.getResponse();
                    assertThat(r.getStatus()).isEqualTo(404);
                    assertThat(r.getMediaType()).isEqualTo(MediaType.APPLICATION_JSON_TYPE);
                    assertThat(r.getEntity()).isEqualTo("{\"status\":404,\"error\":\"No such topic\"}");
                    assertThat(e.getMessage()).as("the key stays in the server's message").contains("nothing/here");
                });
        assertThat(tracker.subscriberCount("nothing/here")).isZero();
        assertThat(tracker.topics()).doesNotContain("nothing/here");
    }

    @Test
    void acceptedIsA202WithLocationAndAJsonBody() {
        Tracker.Started s = tracker.start("accept/\"q\"");
        Response r = s.accepted(URI.create("scans/1"));
        assertThat(r.getStatus()).isEqualTo(202);
        assertThat(r.getLocation()).isEqualTo(URI.create("scans/1"));
        assertThat(r.getMediaType()).isEqualTo(MediaType.APPLICATION_JSON_TYPE);
        assertThat(r.getEntity()).as("the topic is the server's key: not sent").isEqualTo("{\"new\":true}");
        assertThat(tracker.start("accept/\"q\"").accepted(URI.create("scans/1")).getEntity()).isEqualTo("{\"new\":false}");
        s.job().finish(null);
    }

    /** Issue 10 item 17: options a job stream cannot honour are refused, not silently ignored. */
    @Test
    void subscribeRefusesTopicSettingsAndAttachesNothing() {
        Tracker.Started s = tracker.start("opts/refused");
        SseEventSink sink = mock(SseEventSink.class);
        Sse sse = mock(Sse.class);
        Map<String, SubscribeOptions> refused = Map.of(
                "replay", SubscribeOptions.builder().replay(0).build(),
                "polling", SubscribeOptions.builder().polling(Polling.of(c -> "x")).build(),
                "queueSize", SubscribeOptions.builder().queueSize(8).build(),
                "slowSubscriberPolicy", SubscribeOptions.builder().slowSubscriberPolicy(SlowSubscriberPolicy.CLOSE).build());
        refused.forEach((name, options) -> assertThatThrownBy(() -> tracker.subscribe("opts/refused", sink, sse, options))
                .as(name).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name).hasMessageContaining("Manager topics only"));
        verifyNoInteractions(sink, sse);
        assertThat(tracker.subscriberCount("opts/refused")).isZero();
        s.job().finish(null);
    }

    @Test
    void hundredThousandPublishesLeaveTheHeapFlat() throws Exception {
        Job job = tracker.start("heap").job();
        job.publish("warm-up");
        RawSseClient client = RawSseClient.open(server.uri("scans/topic/heap")).readHead(WAIT);
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.readEvents(1, WAIT)).hasSize(1);
            Future<List<SseParser.Event>> rest = reader.submit(() -> client.readEvents(Integer.MAX_VALUE, Duration.ofSeconds(60)));
            String filler = "x".repeat(2_000);
            // warm up formatting and delivery so the baseline includes their steady state
            for (int i = 0; i < 1_000; i++) {
                job.publish(filler + i);
            }
            long before = usedHeapAfterGc();
            for (int i = 0; i < 100_000; i++) {
                job.publish(filler + i); // distinct ~2 kB payloads: ~200 MB (x2 formatted) if any were kept
            }
            long after = usedHeapAfterGc();
            assertThat(after - before).as("retained heap growth in bytes after 100,000 publishes")
                    .isLessThan(16L * 1024 * 1024);
            job.finish("end");
            List<SseParser.Event> got = rest.get(60, TimeUnit.SECONDS);
            assertThat(got).isNotEmpty();
            assertThat(got.get(got.size() - 1).data()).isEqualTo("end");
        } finally {
            reader.shutdownNow();
            client.close();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100); // lets the collector and reference processing settle; not an assertion
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    @Test
    void jobsOfDifferentTopicsAreIndependent() {
        Set<Job> jobs = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            jobs.add(tracker.start("independent/" + i).job());
        }
        assertThat(jobs).hasSize(10);
        assertThat(tracker.topics()).contains("independent/0", "independent/9");
        jobs.forEach(j -> j.finish("done"));
    }

    /** The per-job sequence of an event id ({@code <run>-<sequence>}). */
    static long seq(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    /** The snapshot with its id reduced to the sequence, for comparing with literal values. */
    static Tracker.Snapshot bySequence(Tracker.Snapshot s) {
        return new Tracker.Snapshot(Long.toString(seq(s.id())), s.data(), s.finished());
    }
}
