package io.github.sseprogress.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.Manager;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.redis.testing.BlackholeProxy;
import io.github.sseprogress.redis.testing.RedisServer;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.LogCapture;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * Two nodes (two containers, each with its own HTTP port and engine) sharing one real redis-server:
 * issue 11 points 4–9 in process. Each test starts its own Redis and nodes.
 */
class ClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private RedisServer redis;
    private InProcessServer a;
    private InProcessServer b;
    private final HttpClient http = HttpClient.newHttpClient();
    private LogCapture logs;

    @BeforeEach
    void start() {
        logs = LogCapture.warningsAndErrors();
        redis = RedisServer.start();
        a = node("node-a");
        b = node("node-b");
    }

    private InProcessServer node(String name) {
        return node(name, redis.uri());
    }

    private InProcessServer node(String name, String uri) {
        return node(name, uri, Map.of());
    }

    private InProcessServer node(String name, String uri, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("sse.cluster.redis.uri", uri);
        p.put("sse.cluster.node-name", name);
        p.put("sse.cluster.redis.lease", "1s");
        p.put("sse.cluster.redis.check-interval", "1s");
        p.put("sse.tracker.retention", "30s");
        p.put("sse.heartbeat-interval", "0");
        p.putAll(extra);
        InProcessServer node = InProcessServer.builder().properties(p).beanPackagesOf(RedisEngine.class)
                .resources(ClusterResource.class, ClusterKeys.class).start();
        // The engine starts with the first use of the Manager or Tracker, and reads its configuration then:
        // use them now, while this node's configuration is the one installed (one JVM holds both nodes).
        node.bean(Manager.class).topics();
        node.bean(Tracker.class).topics();
        return node;
    }

    /** Normal operation of a cluster logs no WARNING or ERROR from the library or Jedis. */
    private void assertQuietLogs() {
        assertThat(logs.lines()).filteredOn(l -> l.split(" ", 3)[1].startsWith("io.github.sseprogress")
                || l.split(" ", 3)[1].startsWith("redis.clients")).isEmpty();
    }

    @AfterEach
    void stop() {
        logs.close();
        for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private static RawSseClient open(InProcessServer node, String path, String... headers) throws Exception {
        RawSseClient c = RawSseClient.open(node.uri(path), headers);
        c.readHead(WAIT);
        return c;
    }

    /** Reads until {@code n} events with data arrived (skipping the opening frame's empty data). */
    private static List<SseParser.Event> read(RawSseClient c, int n) throws Exception {
        List<SseParser.Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            for (SseParser.Event e : c.readEvents(1, Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)))) {
                if (!e.data().isEmpty()) {
                    out.add(e);
                }
            }
        }
        assertThat(out).as("events read").hasSize(n);
        return out;
    }

    /** Has each node's call threads open their Redis connections (concurrent calls reach every thread). */
    private void warmCallConnections() throws Exception {
        for (InProcessServer node : List.of(a, b)) {
            Tracker t = node.bean(Tracker.class);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String topic = "warm-" + i;
                calls.add(pool.submit(() -> t.startOrJoin(topic)));
            }
            for (Future<?> f : calls) {
                f.get();
            }
            pool.shutdown();
        }
    }

    private static void awaitSubscribers(InProcessServer node, String topic, int n) {
        await().atMost(WAIT).until(() -> node.bean(Manager.class).subscriberCount(topic) == n);
    }

    @Test
    void publishOnEitherNodeReachesEveryNodeOnceInOneOrderWithTheSameIds() throws Exception {
        try (RawSseClient onA = open(a, "topics/t1/events"); RawSseClient onB = open(b, "topics/t1/events")) {
            awaitSubscribers(a, "t1", 1);
            awaitSubscribers(b, "t1", 1);
            Manager ma = a.bean(Manager.class);
            Manager mb = b.bean(Manager.class);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> done = new ArrayList<>();
            done.add(pool.submit(() -> IntStream.range(0, 300).forEach(i -> ma.publish("t1", "a" + i))));
            done.add(pool.submit(() -> IntStream.range(0, 300).forEach(i -> mb.publish("t1", "b" + i))));
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            List<SseParser.Event> gotA = read(onA, 600);
            List<SseParser.Event> gotB = read(onB, 600);
            assertThat(gotA).isEqualTo(gotB); // same data, ids and order on both nodes
            String epoch = gotA.get(0).lastEventId().split("-")[0];
            assertThat(gotA.stream().map(SseParser.Event::lastEventId))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 600).mapToObj(i -> epoch + "-" + i).toList());
            // each publisher's own order is kept, nothing lost or doubled
            assertThat(gotA.stream().map(SseParser.Event::data).filter(d -> d.startsWith("a")).toList())
                    .containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(i -> "a" + i).toList());
            assertThat(gotA.stream().map(SseParser.Event::data).filter(d -> d.startsWith("b")).toList())
                    .containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(i -> "b" + i).toList());
        }
        assertQuietLogs();
    }

    @Test
    void aClientThatReadOnOneNodeResumesOnTheOtherWithExactlyWhatItMissed() throws Exception {
        Manager ma = a.bean(Manager.class);
        String last;
        try (RawSseClient onA = open(a, "topics/t2/events"); RawSseClient keepB = open(b, "topics/t2/events")) {
            awaitSubscribers(a, "t2", 1);
            awaitSubscribers(b, "t2", 1);
            for (int i = 1; i <= 10; i++) {
                ma.publish("t2", "e" + i);
            }
            List<SseParser.Event> first = read(onA, 10);
            last = first.get(9).lastEventId();
            read(keepB, 10);
        }
        for (int i = 11; i <= 15; i++) {
            ma.publish("t2", "e" + i); // nobody listens on A now; history keeps them
        }
        await().atMost(WAIT).until(() -> redis.client().xlen("sse-progress:t:t2:h") == 15);
        try (RawSseClient onB = open(b, "topics/t2/events", "Last-Event-ID: " + last)) {
            List<SseParser.Event> missed = read(onB, 5);
            assertThat(missed.stream().map(SseParser.Event::data)).containsExactly("e11", "e12", "e13", "e14", "e15");
            awaitSubscribers(b, "t2", 1);
            ma.publish("t2", "e16");
            assertThat(read(onB, 1).get(0).data()).isEqualTo("e16");
        }
        assertQuietLogs();
    }

    @Test
    void aMultiplexedStreamResumesEveryKeyOnTheOtherNodeFromOneLastEventId() throws Exception {
        Manager ma = a.bean(Manager.class);
        Manager mb = b.bean(Manager.class);
        Job job = a.bean(Tracker.class).start("mux-job").job();
        job.publish(Progress.processing(30, "a third"));
        String last;
        try (RawSseClient onA = open(a, "streams?topic=mux-t&job=mux-job")) {
            awaitSubscribers(a, "mux-t", 1);
            for (int i = 1; i <= 5; i++) {
                ma.publish("mux-t", "e" + i);
            }
            List<SseParser.Event> first = read(onA, 6); // five topic events and the job's snapshot, in any interleaving
            assertThat(first.stream().filter(e -> e.data().startsWith("topic:mux-t\n")).map(e -> e.data().substring(12)))
                    .containsExactly("e1", "e2", "e3", "e4", "e5");
            assertThat(first.stream().filter(e -> e.data().startsWith("job:mux-job\n"))).singleElement()
                    .extracting(SseParser.Event::data).asString().contains("\"progress\":30");
            last = first.get(5).lastEventId();
            assertThat(last.split("~", -1)).hasSize(2);
        }
        for (int i = 6; i <= 8; i++) {
            mb.publish("mux-t", "e" + i); // published on the other node while the client is away
        }
        job.publish(Progress.processing(60, "more"));
        await().atMost(WAIT).until(() -> redis.client().xlen("sse-progress:t:mux-t:h") == 8);
        try (RawSseClient onB = open(b, "streams?topic=mux-t&job=mux-job", "Last-Event-ID: " + last)) {
            List<SseParser.Event> resumed = read(onB, 4);
            assertThat(resumed.stream().filter(e -> e.data().startsWith("topic:mux-t\n")).map(e -> e.data().substring(12)))
                    .containsExactly("e6", "e7", "e8");
            assertThat(resumed.stream().filter(e -> e.data().startsWith("job:mux-job\n"))).singleElement()
                    .extracting(SseParser.Event::data).asString().contains("\"progress\":60");
            assertThat(resumed).noneMatch(e -> "missed".equals(e.type()));
            job.finish(Progress.completed("done"));
            List<SseParser.Event> end = read(onB, 2);
            assertThat(end.get(0).data()).startsWith("job:mux-job\n").contains("\"status\":\"completed\"");
            assertThat(end.get(1).type()).isEqualTo("end");
        }
        assertQuietLogs();
    }

    @Test
    void anIdTheHistoryCannotServeGetsTheMissedSignalFirst() throws Exception {
        Manager ma = a.bean(Manager.class);
        try (RawSseClient keep = open(a, "topics/t3/events")) {
            awaitSubscribers(a, "t3", 1);
            ma.publish("t3", "x");
            read(keep, 1);
        }
        try (RawSseClient onB = open(b, "topics/t3/events", "Last-Event-ID: other-epoch-1")) {
            SseParser.Event first = read(onB, 1).get(0);
            assertThat(first.type()).isEqualTo("missed");
            assertThat(first.data()).contains("last-event-id-unknown");
        }
    }

    @Test
    void startOrJoinCoalescesAcrossNodesAndEveryNodeStreamsTheJob() throws Exception {
        Tracker ta = a.bean(Tracker.class);
        Tracker tb = b.bean(Tracker.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Tracker.Started>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Tracker t = i % 2 == 0 ? ta : tb;
            calls.add(pool.submit((Callable<Tracker.Started>) () -> {
                go.await();
                return t.startOrJoin("job1");
            }));
        }
        go.countDown();
        List<Tracker.Started> started = new ArrayList<>();
        for (Future<Tracker.Started> f : calls) {
            started.add(f.get());
        }
        pool.shutdown();
        assertThat(started.stream().filter(Tracker.Started::isNew).count()).isEqualTo(1);
        Job job = started.stream().filter(Tracker.Started::isNew).findFirst().orElseThrow().job();
        job.publish(Progress.processing(10, "ten"));
        await().atMost(WAIT).until(() -> tb.latest("job1").isPresent());
        try (RawSseClient onB = open(b, "jobs/job1/events")) {
            SseParser.Event snapshot = read(onB, 1).get(0);
            assertThat(snapshot.data()).contains("ten");
            job.publish(Progress.processing(50, "fifty"));
            assertThat(read(onB, 1).get(0).data()).contains("fifty");
            job.finish(Progress.completed("ok"));
            SseParser.Event terminal = read(onB, 1).get(0);
            assertThat(terminal.data()).contains("ok");
            assertThat(onB.awaitEnd(WAIT)).isTrue();
            assertThat(tb.latest("job1").orElseThrow().finished()).isTrue();
            assertThat(ta.latest("job1").orElseThrow().id()).isEqualTo(terminal.lastEventId());
            // 204 after the terminal on the other node too
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(a.uri("jobs/job1/events"))
                    .header("Last-Event-ID", terminal.lastEventId()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).isEqualTo(204);
        }
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(b.uri("jobs/nope/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertQuietLogs();
    }

    @Test
    void aCancelOnOneNodeReachesTheWorkOnTheNodeThatRunsIt() throws Exception {
        Tracker ta = a.bean(Tracker.class);
        Tracker tb = b.bean(Tracker.class);
        Tracker.Started s = ta.start("job-cancel");
        assertThat(s.isNew()).isTrue();
        Job job = s.job(); // the work runs on node A
        java.util.concurrent.atomic.AtomicReference<String> calledBackOn = new java.util.concurrent.atomic.AtomicReference<>();
        job.onCancel(() -> calledBackOn.set(Thread.currentThread().getName()));
        job.publish(Progress.processing(30, "working"));
        await().atMost(WAIT).until(() -> tb.latest("job-cancel").isPresent());
        try (RawSseClient onB = open(b, "jobs/job-cancel/events")) {
            assertThat(read(onB, 1).get(0).data()).contains("working").doesNotContain("cancelRequested");
            assertThat(job.isCancelRequested()).isFalse();

            assertThat(tb.cancel("job-cancel")).as("asked on node B").isTrue();
            await().atMost(WAIT).until(() -> calledBackOn.get() != null);
            assertThat(job.isCancelRequested()).isTrue();
            assertThat(calledBackOn.get()).startsWith(io.github.sseprogress.testing.TestScheduling.CALLBACK_PREFIX);
            assertThat(redis.client().hget("sse-progress:j:job-cancel", "c")).as("the flag a node that was away re-reads")
                    .isEqualTo("1");
            // the owner re-sent its snapshot with the flag: the watcher on B sees the request
            assertThat(read(onB, 1).get(0).data()).contains("\"step\":\"working\"").contains("\"cancelRequested\":true");

            assertThat(job.finish(Progress.cancelled("Stopped"))).isTrue();
            SseParser.Event terminal = read(onB, 1).get(0);
            assertThat(terminal.data()).isEqualTo("{\"status\":\"cancelled\",\"progress\":0,\"message\":\"Stopped\"}");
            assertThat(onB.awaitEnd(WAIT)).isTrue();
        }
        await().atMost(WAIT).until(() -> tb.latest("job-cancel").orElseThrow().finished());
        assertThat(tb.cancel("job-cancel")).as("finished").isFalse();
        assertThat(ta.cancel("job-cancel")).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tb.cancel("job-never"))
                .isInstanceOf(io.github.sseprogress.NoSuchTopicException.class);
        assertQuietLogs();
    }

    /** Issue 14 items 1 and 2: what sse-progress-metrics publishes for the cluster, read through the core's SPI. */
    @Test
    void theEngineReportsItsProbeLagReconnectsAndDroppedMessagesToMonitoring() throws Exception {
        io.github.sseprogress.spi.LibraryMetrics metrics = a.bean(io.github.sseprogress.spi.LibraryMetrics.class);
        // the subscription check (every 1 s here) is the probe
        await().atMost(WAIT).until(() -> metrics.cluster().orElseThrow().lastProbe() != null);
        io.github.sseprogress.spi.ClusterStatus first = metrics.cluster().orElseThrow();
        assertThat(first.connected()).isTrue();
        assertThat(first.subscribed()).isTrue();
        assertThat(first.reconnects()).as("the first subscription is not a reconnect").isZero();
        assertThat(first.droppedMessages()).isZero();
        assertThat(first.busLag()).isLessThan(Duration.ofSeconds(1));
        assertThat(metrics.running()).isTrue();

        redis.killPubSubClients();
        await().atMost(WAIT).until(() -> metrics.cluster().orElseThrow().reconnects() == 1
                && metrics.cluster().orElseThrow().subscribed());
        redis.client().publish("sse-progress:events", "not json");
        await().atMost(WAIT).until(() -> metrics.cluster().orElseThrow().droppedMessages() == 1);
        java.time.Instant before = metrics.cluster().orElseThrow().lastProbe();
        await().atMost(WAIT).until(() -> metrics.cluster().orElseThrow().lastProbe().isAfter(before));
    }

    @Test
    void aCancelWhoseMessageANodeMissedReachesItWhenItReReadsItsJobs() throws Exception {
        Job job = a.bean(Tracker.class).start("job-away").job();
        java.util.concurrent.atomic.AtomicBoolean calledBack = new java.util.concurrent.atomic.AtomicBoolean();
        job.onCancel(() -> calledBack.set(true));
        RedisEngine ea = a.bean(RedisEngine.class);
        long before = ea.subscriptions();
        // the flag a cancel leaves in the job's hash, without the message (as if node A had been away)
        try (redis.clients.jedis.Jedis j = redis.client()) {
            j.hset("sse-progress:j:job-away", "c", "1");
        }
        assertThat(job.isCancelRequested()).isFalse();
        redis.killPubSubClients(); // A re-subscribes and re-reads the jobs it holds
        await().atMost(WAIT).until(() -> ea.subscriptions() >= before + 1);
        await().atMost(WAIT).until(calledBack::get);
        assertThat(job.isCancelRequested()).isTrue();
        assertThat(job.isFinished()).isFalse();
    }

    @Test
    void aJobWhoseNodeStopsEndsFailedOnTheOtherNodes() throws Exception {
        Tracker ta = a.bean(Tracker.class);
        Tracker.Started s = ta.start("job2");
        assertThat(s.isNew()).isTrue();
        s.job().publish(Progress.processing(5, "working"));
        await().atMost(WAIT).until(() -> b.bean(Tracker.class).latest("job2").isPresent());
        try (RawSseClient onB = open(b, "jobs/job2/events")) {
            assertThat(read(onB, 1).get(0).data()).contains("working");
            long gone = System.nanoTime();
            a.close(); // the owner goes away without finishing: its lease lapses (1 s)
            a = null;
            SseParser.Event terminal = read(onB, 1).get(0);
            // bounded by the lease (renewed every third, reaped every half): far below 10 leases
            assertThat(Duration.ofNanos(System.nanoTime() - gone)).isLessThan(Duration.ofSeconds(10));
            assertThat(terminal.data()).contains("failed").contains("stopped");
            assertThat(onB.awaitEnd(WAIT)).isTrue();
        }
        Tracker.Started again = b.bean(Tracker.class).start("job2");
        assertThat(again.isNew()).isTrue();
    }

    @Test
    void malformedMessagesFromRedisAreDroppedAndCountedAndNeverReachAClient() throws Exception {
        try (RawSseClient onA = open(a, "topics/t4/events")) {
            awaitSubscribers(a, "t4", 1);
            String channel = "sse-progress:events";
            List<String> hostile = List.of("not json", "[1,2]", "{\"v\":2,\"k\":\"t\",\"t\":\"t4\",\"e\":\"x\",\"s\":1,\"d\":\"v2\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"t4\",\"e\":\"x\",\"s\":-1,\"d\":\"neg\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"t\\u0000\",\"e\":\"x\",\"s\":1,\"d\":\"ctl\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"t4\",\"e\":\"x\",\"s\":1,\"d\":\"nl\",\"n\":\"a\\nb\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"t4\",\"e\":\"x\",\"s\":1,\"d\":" + "\"" + "y".repeat(2 << 20) + "\"}",
                    "{\"v\":1,\"k\":\"z\"}", "{\"v\":1,\"k\":\"j\",\"t\":\"t4\",\"r\":\"r\",\"s\":1,\"d\":\"x\",\"j\":1,\"f\":false}");
            for (String h : hostile) {
                redis.client().publish(channel, h);
            }
            RedisEngine engine = a.bean(RedisEngine.class);
            await().atMost(WAIT).until(() -> engine.rejectedMessages() == hostile.size());
            a.bean(Manager.class).publish("t4", "valid");
            List<SseParser.Event> got = read(onA, 1);
            assertThat(got.get(0).data()).isEqualTo("valid");
            assertThat(got.get(0).lastEventId()).endsWith("-1");
            // a well-formed message whose data carries bare CRs cannot forge SSE fields: they become line breaks of the data
            String epoch = got.get(0).lastEventId().substring(0, got.get(0).lastEventId().lastIndexOf('-'));
            redis.client().publish(channel, "{\"v\":1,\"k\":\"t\",\"t\":\"t4\",\"e\":\"" + epoch
                    + "\",\"s\":2,\"d\":\"a\\rid: forged\\revent: forged\\rdata: x\"}");
            SseParser.Event crafted = read(onA, 1).get(0);
            assertThat(crafted.type()).isEqualTo("message");
            assertThat(crafted.lastEventId()).isEqualTo(epoch + "-2");
            assertThat(crafted.data()).isEqualTo("a\nid: forged\nevent: forged\ndata: x");
        }
    }

    @Test
    void aKilledSubscriptionResubscribesAndFillsTheGapFromTheHistory() throws Exception {
        try (RawSseClient onA = open(a, "topics/t5/events"); RawSseClient onB = open(b, "topics/t5/events")) {
            awaitSubscribers(a, "t5", 1);
            awaitSubscribers(b, "t5", 1);
            Manager ma = a.bean(Manager.class);
            RedisEngine eb = b.bean(RedisEngine.class);
            long before = eb.subscriptions();
            for (int i = 0; i < 100; i++) {
                ma.publish("t5", "p" + i);
                if (i == 30 || i == 60) {
                    redis.killPubSubClients();
                }
            }
            await().atMost(WAIT).until(() -> eb.subscriptions() >= before + 1);
            List<String> expected = IntStream.range(0, 100).mapToObj(i -> "p" + i).collect(Collectors.toList());
            assertThat(read(onA, 100).stream().map(SseParser.Event::data)).containsExactlyElementsOf(expected);
            assertThat(read(onB, 100).stream().map(SseParser.Event::data)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void redisStopsAndComesBackAndNothingIsLostSilently() throws Exception {
        try (RawSseClient onA = open(a, "topics/t6/events"); RawSseClient onB = open(b, "topics/t6/events")) {
            awaitSubscribers(a, "t6", 1);
            awaitSubscribers(b, "t6", 1);
            Manager ma = a.bean(Manager.class);
            for (int i = 0; i < 10; i++) {
                ma.publish("t6", "before" + i);
            }
            read(onA, 10);
            read(onB, 10);
            warmCallConnections();
            redis.kill();
            for (int i = 0; i < 10; i++) {
                ma.publish("t6", "during" + i); // waits in node A's outbox
            }
            redis.restart();
            // Redis came back empty: both nodes say so once, then every event of the outage follows in order
            for (RawSseClient c : List.of(onA, onB)) {
                List<SseParser.Event> got = read(c, 11);
                assertThat(got.get(0).type()).isEqualTo("missed");
                assertThat(got.get(0).data()).contains("history-reset");
                assertThat(got.subList(1, 11).stream().map(SseParser.Event::data))
                        .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "during" + i).toList());
            }
            // every call thread's connection broke with Redis: each is replaced on its first use, no 503
            for (InProcessServer node : List.of(a, b)) {
                Tracker t = node.bean(Tracker.class);
                for (int i = 0; i < 12; i++) {
                    assertThat(t.startOrJoin("after-" + i).job()).isNotNull();
                }
            }
        }
    }

    @Test
    void aSubscriptionThatLooksAliveButReceivesNothingIsReplacedAndTheGapFilled() throws Exception {
        try (BlackholeProxy proxy = new BlackholeProxy(redis.port())) {
            InProcessServer c = node("node-c", proxy.uri());
            try (RawSseClient onC = open(c, "topics/t7/events")) {
                awaitSubscribers(c, "t7", 1);
                RedisEngine ec = c.bean(RedisEngine.class);
                Manager mb = b.bean(Manager.class);
                mb.publish("t7", "x0");
                assertThat(read(onC, 1).get(0).data()).isEqualTo("x0");
                long before = ec.subscriptions();
                assertThat(proxy.silenceSubscriptions()).isEqualTo(1);
                for (int i = 1; i <= 20; i++) {
                    mb.publish("t7", "x" + i);
                }
                // the check (every 1 s) finds its own message did not come back and re-subscribes
                await().atMost(WAIT).until(() -> ec.subscriptions() > before);
                assertThat(read(onC, 20).stream().map(SseParser.Event::data))
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, 20).mapToObj(i -> "x" + i).toList());
            } finally {
                c.close();
            }
        }
    }

    @Test
    void retentionEndsAFinishedJobOnEveryNode() throws Exception {
        a.close();
        b.close();
        a = node("node-a", redis.uri(), Map.of("sse.tracker.retention", "1s"));
        b = node("node-b", redis.uri(), Map.of("sse.tracker.retention", "1s"));
        Tracker ta = a.bean(Tracker.class);
        Tracker tb = b.bean(Tracker.class);
        Tracker.Started s = ta.start("job3");
        s.job().finish(Progress.completed("r"));
        await().atMost(WAIT).until(() -> tb.latest("job3").map(Tracker.Snapshot::finished).orElse(false));
        // startOrJoin reuses the retained run on the other node too
        assertThat(tb.startOrJoin("job3").isNew()).isFalse();
        for (Tracker t : List.of(ta, tb)) {
            await().atMost(WAIT).until(() -> {
                try {
                    t.latest("job3");
                    return false;
                } catch (io.github.sseprogress.NoSuchTopicException gone) {
                    return true;
                }
            });
        }
        // A node's own copy is dropped by its retention timer, started when it learned the terminal: a few ms
        // after Redis's key expired (seen on a loaded machine: 200 with the terminal right after latest() said 404).
        for (InProcessServer node : List.of(a, b)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(node.uri("jobs/job3/events"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404));
        }
        assertQuietLogs();
    }

    @Test
    void whileRedisIsAwayJobsAnswer503AndTopicsKeepServingThenEverythingResumes() throws Exception {
        Tracker ta = a.bean(Tracker.class);
        redis.kill();
        long t0 = System.nanoTime();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ta.start("job4"))
                .isInstanceOf(jakarta.ws.rs.ServiceUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(b.uri("jobs/job4/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        try (RawSseClient onA = open(a, "topics/t8/events")) {
            awaitSubscribers(a, "t8", 1); // a topic stream opens without Redis
            redis.restart();
            await().atMost(WAIT).until(() -> a.bean(RedisEngine.class).isConnected() && b.bean(RedisEngine.class).isConnected());
            b.bean(Manager.class).publish("t8", "back");
            assertThat(read(onA, 1).get(0).data()).isEqualTo("back");
        }
        assertThat(ta.start("job4").isNew()).isTrue();
    }

    @Test
    void aClusteredTopicThatAlwaysHasAListenerKeepsOnlyItsLiveSubscribers() throws Exception {
        int churn = 1000;
        a.close();
        // heartbeats find the clients that left after the last event (a write after a FIN only provokes the reset)
        a = node("node-a", redis.uri(), Map.of("sse.heartbeat-interval", "200ms", "sse.write-timeout", "30s"));
        try (RawSseClient permanent = open(a, "topics/t9/events")) {
            awaitSubscribers(a, "t9", 1);
            Manager mb = b.bean(Manager.class);
            for (int i = 0; i < churn; i++) {
                RawSseClient passer = open(a, "topics/t9/events");
                passer.close(); // the client leaves; the next write to it fails
                mb.publish("t9", "e" + i); // from the other node
            }
            List<String> expected = IntStream.range(0, churn).mapToObj(i -> "e" + i).toList();
            assertThat(read(permanent, churn).stream().map(SseParser.Event::data)).containsExactlyElementsOf(expected);
            Manager ma = a.bean(Manager.class);
            await().atMost(WAIT).until(() -> ma.subscriberCount("t9") == 1);
            io.github.sseprogress.internal.topic.ManagerBean bean = a.bean(io.github.sseprogress.internal.topic.ManagerBean.class);
            assertThat(bean.registrations("t9")).isLessThanOrEqualTo(1 + 64);
            bean.sweep("t9");
            await().atMost(WAIT).until(() -> bean.registrations("t9") == 1);
        }
        assertQuietLogs();
    }

    @Test
    void publishesAnOutboxCouldNotHoldAreReportedToEveryNodesSubscribers() throws Exception {
        a.close();
        a = node("node-a", redis.uri(), Map.of("sse.cluster.redis.outbox-size", "5"));
        try (RawSseClient onA = open(a, "topics/t10/events"); RawSseClient onB = open(b, "topics/t10/events")) {
            awaitSubscribers(a, "t10", 1);
            awaitSubscribers(b, "t10", 1);
            Manager ma = a.bean(Manager.class);
            redis.kill();
            for (int i = 0; i < 20; i++) {
                ma.publish("t10", "o" + i); // 5 wait in the outbox, 15 are dropped
            }
            redis.restart();
            await().atMost(WAIT).until(() -> a.bean(RedisEngine.class).isConnected() && b.bean(RedisEngine.class).isConnected());
            ma.publish("t10", "after");
            for (RawSseClient c : List.of(onA, onB)) {
                List<SseParser.Event> got = new ArrayList<>();
                while (got.isEmpty() || !got.get(got.size() - 1).data().equals("after")) {
                    got.addAll(read(c, 1));
                }
                // The outbox holds 5 while Redis is away (plus the batch its thread is retrying); what it cannot
                // hold is dropped, and a loss marker takes the place of each run of drops: in order, nothing
                // twice, and every gap told where it is.
                int next = 0;
                int markers = 0;
                boolean told = false;
                for (SseParser.Event e : got.subList(0, got.size() - 1)) {
                    if (e.type().equals("missed")) {
                        assertThat(e.data()).contains("publish-dropped");
                        markers++;
                        told = true;
                        continue;
                    }
                    int n = Integer.parseInt(e.data().substring(1));
                    assertThat(n).as("in order, once").isGreaterThanOrEqualTo(next);
                    assertThat(n == next || told).as("a gap before o" + n + " is told first").isTrue();
                    next = n + 1;
                    told = false;
                }
                assertThat(next < 20 || markers > 0).isTrue();
                assertThat(markers).as("some of the 20 could not be held").isGreaterThan(0);
            }
        }
    }

    @Test
    void aLeastPrivilegeRedisUserAsDocumentedIsEnough() throws Exception {
        a.close();
        b.close();
        // the README's ACL line, for the default prefix
        redis.client().aclSetUser("sse", "on", ">secret", "~sse-progress:*", "&sse-progress:*", "+@read", "+@write",
                "+@stream", "+@pubsub", "+@scripting", "+ping", "+time", "+client|setname");
        String uri = "redis://sse:secret@127.0.0.1:" + redis.port();
        a = node("node-a", uri);
        b = node("node-b", uri);
        try (RawSseClient onB = open(b, "topics/t11/events")) {
            awaitSubscribers(b, "t11", 1);
            a.bean(Manager.class).publish("t11", "granted");
            assertThat(read(onB, 1).get(0).data()).isEqualTo("granted");
        }
        Tracker.Started s = a.bean(Tracker.class).start("job11");
        assertThat(s.isNew()).isTrue();
        s.job().finish(Progress.completed("ok"));
        await().atMost(WAIT).until(() -> b.bean(Tracker.class).latest("job11").map(Tracker.Snapshot::finished).orElse(false));
        assertQuietLogs();
    }

    @Test
    void theHistoryIsBoundedAndAnIdItNoLongerHoldsGetsMissed() throws Exception {
        a.close();
        b.close();
        a = node("node-a", redis.uri(), Map.of("sse.cluster.redis.history-size", "10"));
        b = node("node-b", redis.uri(), Map.of("sse.cluster.redis.history-size", "10"));
        String first;
        try (RawSseClient onB = open(b, "topics/t12/events")) {
            awaitSubscribers(b, "t12", 1);
            Manager ma = a.bean(Manager.class);
            for (int i = 0; i < 1000; i++) {
                ma.publish("t12", "h" + i);
            }
            List<SseParser.Event> got = read(onB, 1000);
            first = got.get(0).lastEventId();
        }
        // trimmed approximately (whole stream nodes), so well under what was published, never under the size
        long kept = redis.client().xlen("sse-progress:t:t12:h");
        assertThat(kept).isBetween(10L, 500L);
        try (RawSseClient again = open(a, "topics/t12/events", "Last-Event-ID: " + first)) {
            SseParser.Event e = read(again, 1).get(0);
            assertThat(e.type()).isEqualTo("missed");
            assertThat(e.data()).contains("last-event-id-unknown");
            assertThat(e.lastEventId()).endsWith("-1000"); // resume from the newest
        }
        assertQuietLogs();
    }
}
