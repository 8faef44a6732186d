package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.NoSuchTopicException;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.internal.wire.SseResponseHeaders;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/** The Tracker over real HTTP (Jersey + Grizzly on a loopback port), the seed's behaviours one by one. */
class TrackerHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Long enough for "within retention" steps to be far inside it, short enough to wait out. */
    private static final Duration RETENTION = Duration.ofSeconds(2);
    private static InProcessServer server;
    private static Tracker tracker;
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();
    private final List<RawSseClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        // heartbeats find dead clients fast; the write timeout stays generous on a loaded 2-CPU machine
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms", "sse.write-timeout", "10s",
                "sse.tracker.retention", RETENTION.toMillis() + "ms"), ScanResource.class, SseResponseHeaders.class);
        tracker = server.bean(Tracker.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        ScanResource.work = job -> { };
    }

    private RawSseClient connect(String topic, String... headers) throws Exception {
        RawSseClient c = RawSseClient.open(server.uri("scans/topic/" + topic), headers).readHead(WAIT);
        clients.add(c);
        return c;
    }

    private RawSseClient stream(String topic, String... headers) throws Exception {
        RawSseClient c = connect(topic, headers);
        assertThat(c.status()).isEqualTo(200);
        return c;
    }

    private static String json(Progress p) {
        return new io.github.sseprogress.internal.wire.EventFormatter().text(p);
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A running snapshot as sent: the Progress's JSON, plus the job's rate and eta once a later
     * percentage came at least 100 ms after an earlier one (issue 13; exact values: RateEstimateTest).
     */
    private static void assertSnapshot(String data, Progress p) {
        String own = json(p);
        assertThat(data).matches(java.util.regex.Pattern.quote(own.substring(0, own.length() - 1))
                + "(,\"rate\":[0-9.E+-]+,\"eta\":[0-9.E+-]+)?\\}");
    }

    /** Reads until the server ends the stream; fails if it does not. */
    private static List<SseParser.Event> readToEnd(RawSseClient c) throws Exception {
        List<SseParser.Event> got = c.readEvents(Integer.MAX_VALUE, WAIT);
        assertThat(c.ended()).as("the server ended the stream").isTrue();
        return got;
    }

    @Test
    void lateSubscriberGetsTheLatestSnapshotFirstThenTheLiveTailThenTheTerminal() throws Exception {
        Job job = tracker.start("late").job();
        job.publish(Progress.processing(10, "step 10"));
        job.publish(Progress.processing(30, "step 30"));
        job.publish(Progress.processing(50, "step 50"));

        RawSseClient c = stream("late");
        List<SseParser.Event> first = c.readEvents(1, WAIT);
        assertThat(first).hasSize(1);
        assertSnapshot(first.get(0).data(), Progress.processing(50, "step 50"));
        assertThat(first.get(0).lastEventId()).endsWith("-3");

        job.publish(Progress.processing(70, "step 70"));
        List<SseParser.Event> live = c.readEvents(1, WAIT);
        assertThat(live).hasSize(1);
        assertSnapshot(live.get(0).data(), Progress.processing(70, "step 70"));
        assertThat(live.get(0).lastEventId()).endsWith("-4");

        assertThat(job.finish(Progress.completed(Map.of("hosts", 3)))).isTrue();
        List<SseParser.Event> rest = readToEnd(c);
        assertThat(rest).extracting(SseParser.Event::data)
                .containsExactly("{\"status\":\"completed\",\"progress\":100,\"data\":{\"hosts\":3}}");
        assertThat(rest.get(0).lastEventId()).endsWith("-5");
        await().atMost(WAIT).until(() -> tracker.subscriberCount("late") == 0);
    }

    @Test
    void finishedJobWithinRetentionSendsExactlyTheTerminalEventThenCloses() throws Exception {
        Job job = tracker.start("done-early").job();
        job.publish(Progress.processing(40, "scanning"));
        job.finish(Progress.failed("host unreachable"));

        RawSseClient c = stream("done-early");
        List<SseParser.Event> got = readToEnd(c);
        assertThat(got).extracting(SseParser.Event::data)
                .containsExactly("{\"status\":\"failed\",\"progress\":0,\"message\":\"host unreachable\"}");
        assertThat(got.get(0).lastEventId()).endsWith("-2");
    }

    @Test
    void afterRetentionTheTopicIsUnknownAndAnswers404WithAJsonBody() throws Exception {
        Job job = tracker.start("expired").job();
        job.finish("end");
        assertThat(tracker.topics()).contains("expired");
        await().atMost(RETENTION.plus(WAIT)).until(() -> !tracker.topics().contains("expired"));

        HttpResponse<String> events = send("GET", "scans/topic/expired", "Accept", "text/event-stream");
        assertThat(events.statusCode()).isEqualTo(404);
        assertThat(events.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(events.body()).as("the topic is the server's key, not the client's").isEqualTo("{\"status\":404,\"error\":\"No such topic\"}");
        assertThat(send("GET", "scans/expired").statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> tracker.latest("expired")).isInstanceOf(NoSuchTopicException.class);
    }

    @Test
    void plainSubscribeToANeverStartedTopicAnswers404WithAJsonErrorBody() throws Exception {
        HttpResponse<String> r = send("GET", "scans/plain/never%22started", "Accept", "text/event-stream");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(r.body()).isEqualTo("{\"status\":404,\"error\":\"No such topic\"}");
        assertThat(tracker.topics()).doesNotContain("never\"started");
    }

    @Test
    void reconnectWithTheTerminalsLastEventIdIsAnswered204AndAttachesNothing() throws Exception {
        Job job = tracker.start("reconnect-done").job();
        job.publish(Progress.processing(50, null));
        job.finish(Progress.completed());
        String terminalId = tracker.latest("reconnect-done").orElseThrow().id();
        assertThat(terminalId).endsWith("-2");

        RawSseClient c = connect("reconnect-done", "Last-Event-ID: " + terminalId);
        assertThat(c.status()).isEqualTo(204);
        assertThat(c.header("Content-Type")).isNull();
        assertThat(tracker.subscriberCount("reconnect-done")).isZero();

        // any other id (an earlier event) gets the latest, here the terminal, then the end
        RawSseClient older = stream("reconnect-done", "Last-Event-ID: 1");
        assertThat(readToEnd(older)).extracting(SseParser.Event::lastEventId).containsExactly(terminalId);
    }

    @Test
    void theTerminalIdOfAReplacedRunIsNotMistakenForTheNewRunsTerminal() throws Exception {
        Job first = tracker.start("rerun").job();
        first.publish("a");
        first.finish("first done");
        String oldTerminal = tracker.latest("rerun").orElseThrow().id();
        Job second = tracker.start("rerun").job();
        second.publish("b");
        second.finish("second done"); // same sequence as the old terminal
        assertThat(tracker.latest("rerun").orElseThrow().id()).isNotEqualTo(oldTerminal);

        RawSseClient c = stream("rerun", "Last-Event-ID: " + oldTerminal);
        assertThat(readToEnd(c)).extracting(SseParser.Event::data).containsExactly("second done");
    }

    @Test
    void reconnectToARunningJobGetsTheLatestSnapshot() throws Exception {
        Job job = tracker.start("reconnect-running").job();
        job.publish("a");
        job.publish("b");
        job.publish("c");
        RawSseClient c = stream("reconnect-running", "Last-Event-ID: 1");
        List<SseParser.Event> got = c.readEvents(1, WAIT);
        assertThat(got).extracting(SseParser.Event::data).containsExactly("c");
        assertThat(got.get(0).lastEventId()).endsWith("-3");
        // a client that already has the latest id still gets it again (harmless for snapshots)
        RawSseClient same = stream("reconnect-running", "Last-Event-ID: " + got.get(0).lastEventId());
        assertThat(same.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("c");
        job.finish("end");
    }

    @Test
    void clientThatDisconnectsMidJobIsRemovedAndTheJobKeepsRunning() throws Exception {
        Job job = tracker.start("leaving").job();
        job.publish("first");
        RawSseClient leaving = stream("leaving");
        RawSseClient staying = stream("leaving");
        assertThat(leaving.readEvents(1, WAIT)).hasSize(1);
        assertThat(staying.readEvents(1, WAIT)).hasSize(1);
        await().atMost(WAIT).until(() -> tracker.subscriberCount("leaving") == 2);

        leaving.abort();
        await().atMost(WAIT).until(() -> tracker.subscriberCount("leaving") == 1); // found by a heartbeat write

        assertThat(job.isFinished()).isFalse();
        job.publish("second");
        assertThat(staying.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("second");
        job.finish("end");
        assertThat(readToEnd(staying)).extracting(SseParser.Event::data).containsExactly("end");
    }

    @Test
    void publishAfterFinishIsIgnored() throws Exception {
        Job job = tracker.start("after-finish").job();
        job.publish("working");
        RawSseClient c = stream("after-finish");
        assertThat(c.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("working");
        job.finish("end");
        for (int i = 0; i < 3; i++) {
            job.publish("late " + i);
        }
        assertThat(readToEnd(c)).extracting(SseParser.Event::data).containsExactly("end");
        Tracker.Snapshot latest = tracker.latest("after-finish").orElseThrow();
        assertThat(bySequence(latest)).isEqualTo(new Tracker.Snapshot("2", "end", true));
        assertThat(job.isFinished()).isTrue();
    }

    @Test
    void finishIsIdempotentUnderOneHundredRacingCallers() throws Exception {
        Job job = tracker.start("racing-finish").job();
        RawSseClient c = stream("racing-finish");
        await().atMost(WAIT).until(() -> tracker.subscriberCount("racing-finish") == 1);
        ExecutorService pool = Executors.newFixedThreadPool(100);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                String payload = "terminal " + i;
                done.add(pool.submit(() -> {
                    go.await();
                    if (job.finish(payload)) {
                        won.incrementAndGet();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(won).hasValue(1);
        Tracker.Snapshot terminal = tracker.latest("racing-finish").orElseThrow();
        assertThat(terminal.finished()).isTrue();
        assertThat(terminal.id()).endsWith("-1");
        List<SseParser.Event> got = readToEnd(c);
        assertThat(got).extracting(SseParser.Event::data).containsExactly((String) terminal.data());
    }

    @Test
    void publishNullIsSentAsJsonNull() throws Exception {
        Job job = tracker.start("nulls").job();
        job.publish(null);
        RawSseClient c = stream("nulls");
        assertThat(c.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("null");
        assertThat(tracker.latest("nulls").map(TrackerHttpTest::bySequence)).contains(new Tracker.Snapshot("1", null, false));
        job.finish(null);
        assertThat(readToEnd(c)).extracting(SseParser.Event::data).containsExactly("null");
    }

    @Test
    void retainedJobsCleanUpNeverRemovesTheJobThatReplacedIt() throws Exception {
        Job old = tracker.start("replaced").job();
        old.finish("old run");
        Tracker.Started fresh = tracker.start("replaced");
        assertThat(fresh.isNew()).isTrue();
        assertThat(fresh.job()).isNotSameAs(old);
        // finished after the old job, with the same retention: once it is gone, the old job's clean-up ran
        tracker.start("replaced-canary").job().finish("x");
        await().atMost(RETENTION.plus(WAIT)).until(() -> !tracker.topics().contains("replaced-canary"));

        assertThat(tracker.topics()).contains("replaced");
        Tracker.Started joined = tracker.startOrJoin("replaced");
        assertThat(joined.job()).isSameAs(fresh.job());
        assertThat(joined.isNew()).isFalse();
        fresh.job().finish("new run");
        await().atMost(RETENTION.plus(WAIT)).until(() -> !tracker.topics().contains("replaced"));
    }

    @Test
    void eightTopicsFourPublishersTwoHundredEventsEachDrainTheRegistryWithoutDeadlock() throws Exception {
        int topics = 8;
        int publishers = 4;
        int events = 200;
        long evictedBefore = server.bean(io.github.sseprogress.Manager.class).stats().evicted();
        List<Job> jobs = new ArrayList<>();
        List<List<RawSseClient>> streams = new ArrayList<>();
        for (int t = 0; t < topics; t++) {
            jobs.add(tracker.start("stress/" + t).job());
            streams.add(List.of(stream("stress/" + t), stream("stress/" + t)));
        }
        for (int t = 0; t < topics; t++) {
            String topic = "stress/" + t;
            await().atMost(WAIT).until(() -> tracker.subscriberCount(topic) == 2);
        }
        ExecutorService pool = Executors.newFixedThreadPool(topics * publishers);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger finishedBy = new AtomicInteger();
        List<Future<?>> work = new ArrayList<>();
        try {
            for (int t = 0; t < topics; t++) {
                Job job = jobs.get(t);
                for (int p = 0; p < publishers; p++) {
                    int publisher = p;
                    work.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < events; i++) {
                            job.publish(Map.of("publisher", publisher, "i", i));
                        }
                        if (job.finish(Map.of("finishedBy", publisher))) {
                            finishedBy.incrementAndGet();
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> f : work) {
                f.get(30, TimeUnit.SECONDS); // a deadlock would time out here
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(finishedBy).hasValue(topics);
        for (int t = 0; t < topics; t++) {
            Tracker.Snapshot terminal = tracker.latest("stress/" + t).orElseThrow();
            assertThat(terminal.finished()).isTrue();
            assertThat(seq(terminal.id())).isBetween(1L, (long) publishers * events + 1);
            for (RawSseClient c : streams.get(t)) {
                List<SseParser.Event> got = readToEnd(c);
                assertThat(got).isNotEmpty();
                long previous = 0;
                for (SseParser.Event e : got) {
                    long id = seq(e.lastEventId());
                    assertThat(id).as("ids increase on every stream").isGreaterThan(previous);
                    previous = id;
                }
                SseParser.Event last = got.get(got.size() - 1);
                assertThat(last.lastEventId()).isEqualTo(terminal.id());
                assertThat(last.data()).startsWith("{\"finishedBy\":");
            }
        }
        assertThat(server.bean(io.github.sseprogress.Manager.class).stats().evicted()).isEqualTo(evictedBefore);
        await().atMost(RETENTION.plus(WAIT)).until(() -> tracker.topics().stream().noneMatch(t -> t.startsWith("stress/")));
        for (int t = 0; t < topics; t++) {
            assertThat(tracker.subscriberCount("stress/" + t)).isZero();
        }
    }

    @Test
    void subscribersAttachingDuringPublishesNeverSeeADuplicateAGoingBackOrAMissingEnd() throws Exception {
        Job job = tracker.start("attach-race").job();
        job.publish(0);
        CountDownLatch stop = new CountDownLatch(1);
        Future<?> publisher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "attach-race-publisher");
            t.setDaemon(true);
            return t;
        }).submit(() -> {
            for (int i = 1; stop.getCount() > 0; i++) {
                job.publish(i);
                Thread.onSpinWait();
            }
        });
        List<RawSseClient> attached = new ArrayList<>();
        List<Long> latestBefore = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            latestBefore.add(seq(tracker.latest("attach-race").orElseThrow().id()));
            attached.add(stream("attach-race"));
        }
        stop.countDown();
        publisher.get(10, TimeUnit.SECONDS);
        job.finish("end");
        String terminalId = tracker.latest("attach-race").orElseThrow().id();
        for (int i = 0; i < attached.size(); i++) {
            List<SseParser.Event> got = readToEnd(attached.get(i));
            assertThat(seq(got.get(0).lastEventId())).as("never older than the latest at attach")
                    .isGreaterThanOrEqualTo(latestBefore.get(i));
            long previous = 0;
            for (SseParser.Event e : got) {
                long id = seq(e.lastEventId());
                assertThat(id).as("no duplicate, no going back").isGreaterThan(previous);
                assertThat(e.data()).as("payload matches its id").isEqualTo(id == seq(terminalId) ? "end" : Long.toString(id - 1));
                previous = id;
            }
            assertThat(got.get(got.size() - 1).lastEventId()).isEqualTo(terminalId);
        }
    }

    @Test
    void canonicalTrioPostAnswers202StreamFollowsTheWorkAndStatusServesTheLatest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ScanResource.work = job -> {
            Job.current().publish(Progress.processing(50, "halfway"));
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Job.current().finish(Progress.completed("report.pdf"));
        };
        HttpResponse<String> post = send("POST", "scans/trio");
        assertThat(post.statusCode()).isEqualTo(202);
        assertThat(post.headers().firstValue("Location")).hasValue(server.uri("scans/trio").toString());
        assertThat(post.body()).as("the job's address is the Location; the topic key stays on the server").isEqualTo("{\"new\":true}");
        HttpResponse<String> joined = send("POST", "scans/trio");
        assertThat(joined.statusCode()).isEqualTo(202);
        assertThat(joined.body()).isEqualTo("{\"new\":false}");

        RawSseClient events = RawSseClient.open(server.uri("scans/trio/events")).readHead(WAIT);
        clients.add(events);
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.header("Content-Type")).startsWith("text/event-stream");
        assertThat(events.readEvents(1, WAIT)).extracting(SseParser.Event::data)
                .containsExactly("{\"status\":\"processing\",\"progress\":50,\"step\":\"halfway\"}");
        HttpResponse<String> status = send("GET", "scans/trio", "Accept", "application/json");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).isEqualTo("{\"status\":\"processing\",\"progress\":50,\"step\":\"halfway\"}");

        release.countDown();
        assertThat(readToEnd(events)).extracting(SseParser.Event::data)
                .containsExactly("{\"status\":\"completed\",\"progress\":100,\"data\":\"report.pdf\"}");
        assertThat(send("GET", "scans/trio").body()).contains("\"status\":\"completed\"");
        assertThat(send("GET", "scans/unknown").statusCode()).isEqualTo(404);
    }

    @Test
    void statusOfAJobThatPublishedNothingYetIs204() throws Exception {
        tracker.start("scan/quiet");
        assertThat(send("GET", "scans/quiet").statusCode()).isEqualTo(204);
        tracker.startOrJoin("scan/quiet").job().finish(null);
    }

    @Test
    void safetyNetFinishInFinallyEndsAJobWhoseWorkThrew() throws Exception {
        ScanResource.work = job -> {
            job.publish(Progress.processing(20, "starting"));
            throw new IllegalStateException("boom");
        };
        assertThat(send("POST", "scans/crashing").statusCode()).isEqualTo(202);
        await().atMost(WAIT).until(() -> tracker.startOrJoin("scan/crashing").job().isFinished());
        RawSseClient c = RawSseClient.open(server.uri("scans/crashing/events")).readHead(WAIT);
        clients.add(c);
        assertThat(readToEnd(c)).extracting(SseParser.Event::data)
                .containsExactly("{\"status\":\"failed\",\"progress\":0,\"message\":\"Scan did not complete\"}");
    }

    @Test
    void workCanWaitForItsFirstSubscriber() throws Exception {
        CompletableFuture<Boolean> watched = new CompletableFuture<>();
        ScanResource.work = job -> {
            try {
                watched.complete(job.awaitSubscriber(WAIT));
            } catch (InterruptedException e) {
                watched.completeExceptionally(e);
            }
            job.finish("done");
        };
        assertThat(send("POST", "scans/waiting").statusCode()).isEqualTo(202);
        assertThat(watched).isNotDone();
        RawSseClient c = RawSseClient.open(server.uri("scans/waiting/events")).readHead(WAIT);
        clients.add(c);
        assertThat(watched.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(readToEnd(c)).extracting(SseParser.Event::data).containsExactly("done");
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
