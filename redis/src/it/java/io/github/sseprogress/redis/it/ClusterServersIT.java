package io.github.sseprogress.redis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.github.sseprogress.redis.testing.RedisServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.testing.servers.ServerLogs;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * Issue 11 point 11: two real server nodes, Open Liberty and Payara Micro, running one WAR (the test application
 * {@code it/app}, sse-progress, sse-progress-redis, Jedis) on one real redis-server. The nodes start once for the
 * class; each test uses its own topics. The tests run in order: the ones that disturb the cluster (hostile
 * messages, Redis killed, the Payara node killed) come after the check that normal client behaviour logged
 * nothing bad, and the kill -9 of the Payara node is last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterServersIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final String CHANNEL = "sse-progress:events";

    private RedisServer redis;
    private ServerNode liberty;
    private ServerNode payara;
    private ServerLogs.Mark libertyMark;
    private ServerLogs.Mark payaraMark;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startCluster() throws Exception {
        redis = RedisServer.start();
        Path dir = Path.of(ClusterWar.required("it.cluster.dir"));
        Path war = ClusterWar.build(dir.resolve(ServerNode.CONTEXT + ".war"));
        liberty = ServerNode.liberty("liberty", war, config("liberty")).start();
        // -Dit.cluster.second=liberty: a second Liberty node in place of Payara (same port), to tell a
        // Payara-only failure from one of the cluster
        payara = "liberty".equals(System.getProperty("it.cluster.second", "payara"))
                ? ServerNode.secondLiberty("liberty2", war, config("liberty2"),
                        Integer.parseInt(ClusterWar.required("it.cluster.payara.port"))).start()
                : ServerNode.payara("payara", war, config("payara")).start();
        CompletableFuture<?> l = CompletableFuture.runAsync(liberty::awaitReady);
        CompletableFuture<?> p = CompletableFuture.runAsync(payara::awaitReady);
        CompletableFuture.allOf(l, p).join();
        assertThat(ServerLogs.hasRecords(liberty)).as("Liberty's messages.log says the server is ready").isTrue();
        assertThat(ServerLogs.hasRecords(payara)).as(payara + ": its log holds records in its format").isTrue();
        libertyMark = ServerLogs.mark(liberty);
        payaraMark = ServerLogs.mark(payara);
    }

    private Map<String, String> config(String node) {
        return Map.of("SSE_CLUSTER_REDIS_URI", redis.uri(),
                "SSE_CLUSTER_NODE_NAME", node,
                "SSE_CLUSTER_REDIS_LEASE", LEASE.toSeconds() + "s",
                "SSE_CLUSTER_REDIS_CHECK_INTERVAL", "1s",
                "SSE_TRACKER_RETENTION", "120s");
    }

    @AfterAll
    void stopCluster() {
        for (AutoCloseable c : new AutoCloseable[] {liberty, payara, redis}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("could not stop " + c + ": " + e);
            }
        }
    }

    // ------------------------------------------------------------------ (4) fan-out

    @Test
    @Order(1)
    void publishOnEitherNodeReachesSubscribersOnBothOnceInOneOrderWithTheSameIds() throws Exception {
        try (RawSseClient onL = open(liberty, "topics/fan/events"); RawSseClient onP = open(payara, "topics/fan/events")) {
            awaitSubscribers("fan", 1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<HttpResponse<String>>> calls = List.of(
                        pool.submit(() -> post(liberty, "topics/fan/publish?prefix=l&count=200")),
                        pool.submit(() -> post(payara, "topics/fan/publish?prefix=p&count=200")));
                for (Future<HttpResponse<String>> c : calls) {
                    assertThat(c.get().statusCode()).isEqualTo(204);
                }
            } finally {
                pool.shutdown();
            }
            List<SseParser.Event> gotL = read(onL, 400);
            List<SseParser.Event> gotP = read(onP, 400);
            assertThat(gotL).as("same data, ids, order on both nodes").isEqualTo(gotP);
            String epoch = gotL.get(0).lastEventId().split("-")[0];
            assertThat(gotL.stream().map(SseParser.Event::lastEventId))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 400).mapToObj(i -> epoch + "-" + i).toList());
            assertThat(gotL.stream().map(SseParser.Event::type)).containsOnly("message");
            assertThat(gotL.stream().map(SseParser.Event::data).filter(d -> d.startsWith("l")))
                    .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "l" + i).toList());
            assertThat(gotL.stream().map(SseParser.Event::data).filter(d -> d.startsWith("p")))
                    .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "p" + i).toList());
            // nothing doubled after them: the next event on each stream is the next publish
            assertThat(post(payara, "topics/fan/publish?prefix=end&count=1").statusCode()).isEqualTo(204);
            for (RawSseClient c : List.of(onL, onP)) {
                SseParser.Event end = read(c, 1).get(0);
                assertThat(end.data()).isEqualTo("end0");
                assertThat(end.lastEventId()).isEqualTo(epoch + "-401");
            }
        }
    }

    // ------------------------------------------------------------------ (5) replay across nodes

    @Test
    @Order(2)
    void aClientThatReadOnLibertyResumesOnPayaraWithExactlyWhatItMissedThenTheLiveTail() throws Exception {
        String last;
        try (RawSseClient onL = open(liberty, "topics/replay/events")) {
            awaitSubscribers(liberty, "replay", 1);
            assertThat(post(payara, "topics/replay/publish?prefix=e&count=10").statusCode()).isEqualTo(204);
            List<SseParser.Event> first = read(onL, 10);
            assertThat(first.stream().map(SseParser.Event::data))
                    .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "e" + i).toList());
            last = first.get(9).lastEventId();
        }
        String epoch = last.split("-")[0];
        assertThat(post(liberty, "topics/replay/publish?prefix=missed&count=5").statusCode()).isEqualTo(204);
        try (redis.clients.jedis.Jedis j = redis.client()) {
            await().atMost(WAIT).until(() -> j.xlen("sse-progress:t:replay:h") == 15);
        }
        try (RawSseClient onP = open(payara, "topics/replay/events", "Last-Event-ID: " + last)) {
            List<SseParser.Event> missed = read(onP, 5);
            assertThat(missed.stream().map(SseParser.Event::data))
                    .containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(i -> "missed" + i).toList());
            assertThat(missed.stream().map(SseParser.Event::lastEventId))
                    .containsExactlyElementsOf(IntStream.rangeClosed(11, 15).mapToObj(i -> epoch + "-" + i).toList());
            awaitSubscribers(payara, "replay", 1);
            assertThat(post(liberty, "topics/replay/publish?prefix=live&count=1").statusCode()).isEqualTo(204);
            SseParser.Event live = read(onP, 1).get(0);
            assertThat(live.data()).isEqualTo("live0");
            assertThat(live.lastEventId()).isEqualTo(epoch + "-16");
        }
    }

    @Test
    @Order(3)
    void anIdTheHistoryCannotServeGetsMissedFirstOnTheOtherNode() throws Exception {
        try (RawSseClient onL = open(liberty, "topics/unservable/events")) {
            awaitSubscribers(liberty, "unservable", 1);
            assertThat(post(liberty, "topics/unservable/publish?prefix=x&count=3").statusCode()).isEqualTo(204);
            read(onL, 3);
        }
        try (RawSseClient onP = open(payara, "topics/unservable/events", "Last-Event-ID: otherepoch-2")) {
            SseParser.Event first = read(onP, 1).get(0);
            assertThat(first.type()).isEqualTo("missed");
            assertThat(first.data()).contains("last-event-id-unknown");
        }
    }

    // ------------------------------------------------------------------ (6) jobs

    @Test
    @Order(4)
    void concurrentStartOrJoinOnBothNodesCreatesOneJobThatEveryNodeStreams() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> calls = new ArrayList<>();
        List<ServerNode> callers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ServerNode n = i % 2 == 0 ? liberty : payara;
            callers.add(n);
            calls.add(pool.submit(() -> {
                go.await();
                HttpResponse<String> r = post(n, "jobs/job1/startOrJoin");
                assertThat(r.statusCode()).isEqualTo(200);
                return json(r.body()).getBoolean("new");
            }));
        }
        go.countDown();
        List<ServerNode> creators = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).get()) {
                creators.add(callers.get(i));
            }
        }
        pool.shutdown();
        assertThat(creators).as("nodes whose startOrJoin answered new:true").hasSize(1);
        ServerNode owner = creators.get(0);
        ServerNode other = owner == liberty ? payara : liberty;

        // both nodes: 204 while the job published nothing
        for (ServerNode n : List.of(liberty, payara)) {
            assertThat(get(n, "jobs/job1/latest").statusCode()).as(n + " latest before any publish").isEqualTo(204);
        }
        assertThat(post(owner, "jobs/job1/publish?progress=10&step=ten").statusCode()).isEqualTo(204);
        await().atMost(WAIT).until(() -> get(other, "jobs/job1/latest").statusCode() == 200);
        try (RawSseClient onOther = open(other, "jobs/job1/events")) {
            SseParser.Event snapshot = read(onOther, 1).get(0);
            assertThat(snapshot.data()).contains("\"ten\"").contains("processing");
            assertThat(post(owner, "jobs/job1/publish?progress=50&step=fifty").statusCode()).isEqualTo(204);
            assertThat(read(onOther, 1).get(0).data()).contains("\"fifty\"");
            assertThat(post(owner, "jobs/job1/finish?result=ok").statusCode()).isEqualTo(200);
            SseParser.Event terminal = read(onOther, 1).get(0);
            assertThat(terminal.data()).contains("completed").contains("ok");
            assertThat(onOther.awaitEnd(WAIT)).as("the stream ends after the terminal").isTrue();
            for (ServerNode n : List.of(liberty, payara)) {
                HttpResponse<String> latest = get(n, "jobs/job1/latest");
                assertThat(latest.statusCode()).isEqualTo(200);
                JsonObject l = json(latest.body());
                assertThat(l.getString("id")).as(n + " latest id").isEqualTo(terminal.lastEventId());
                assertThat(l.getBoolean("finished")).isTrue();
                // a client that saw the terminal reconnects: 204, on either node
                HttpResponse<String> again = http.send(HttpRequest.newBuilder(n.uri("jobs/job1/events"))
                        .header("Last-Event-ID", terminal.lastEventId()).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(again.statusCode()).as(n + " after the terminal").isEqualTo(204);
                // a new subscriber gets exactly the terminal, then the end
                try (RawSseClient late = open(n, "jobs/job1/events")) {
                    SseParser.Event t = read(late, 1).get(0);
                    assertThat(t).isEqualTo(terminal);
                    assertThat(late.awaitEnd(WAIT)).isTrue();
                }
            }
        }
        for (ServerNode n : List.of(liberty, payara)) {
            assertThat(get(n, "jobs/never-started/events").statusCode()).as(n + " unknown job stream").isEqualTo(404);
            assertThat(get(n, "jobs/never-started/latest").statusCode()).as(n + " unknown job latest").isEqualTo(404);
        }
    }

    // ------------------------------------------------------------------ logs of normal client behaviour

    @Test
    @Order(5)
    void normalClientBehaviourLoggedNoErrorOrWarningOnEitherServer() {
        for (ServerNode n : List.of(liberty, payara)) {
            ServerLogs.Mark mark = n == liberty ? libertyMark : payaraMark;
            // let late records (a stack trace written after a response) reach the file
            await().pollDelay(Duration.ofSeconds(1)).atMost(WAIT).until(() -> true);
            assertThat(ServerLogs.errorsAndWarningsSince(n, mark)).as(n + " logged while serving normal clients").isEmpty();
        }
    }

    // ------------------------------------------------------------------ (9) hostile messages

    @Test
    @Order(6)
    void hostileMessagesOnTheChannelNeverReachAClientAndDoNotStopTheNodes() throws Exception {
        try (RawSseClient onL = open(liberty, "topics/hostile/events"); RawSseClient onP = open(payara, "topics/hostile/events")) {
            awaitSubscribers("hostile", 1);
            long rejectedL = node(liberty).getJsonNumber("rejected").longValue();
            long rejectedP = node(payara).getJsonNumber("rejected").longValue();
            List<String> hostile = List.of("not json", "[1,2]", "",
                    "{\"v\":2,\"k\":\"t\",\"t\":\"hostile\",\"e\":\"x\",\"s\":1,\"d\":\"v2\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"hostile\",\"e\":\"x\",\"s\":-1,\"d\":\"neg\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"hostile\\u0000\",\"e\":\"x\",\"s\":1,\"d\":\"ctl\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"hostile\",\"e\":\"x\",\"s\":1,\"d\":\"nl\",\"n\":\"a\\nb\"}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"hostile\",\"e\":\"x\",\"s\":1,\"d\":\"" + "y".repeat(2 << 20) + "\"}",
                    "{\"v\":1,\"k\":\"z\"}",
                    "{\"v\":1,\"k\":\"j\",\"t\":\"hostile\",\"r\":\"r\",\"s\":1,\"d\":\"x\",\"j\":1,\"f\":false}",
                    "{\"v\":1,\"k\":\"t\",\"t\":\"hostile\",\"e\":\"x\",\"s\":\"1\",\"d\":\"string seq\"}",
                    "\u00ff\u00fe binary \u0000");
            try (redis.clients.jedis.Jedis j = redis.client()) {
                for (String h : hostile) {
                    j.publish(CHANNEL, h);
                }
            }
            await().atMost(WAIT).until(() -> node(liberty).getJsonNumber("rejected").longValue() == rejectedL + hostile.size()
                    && node(payara).getJsonNumber("rejected").longValue() == rejectedP + hostile.size());
            assertThat(post(payara, "topics/hostile/publish?prefix=valid&count=1").statusCode()).isEqualTo(204);
            for (RawSseClient c : List.of(onL, onP)) {
                SseParser.Event got = read(c, 1).get(0);
                assertThat(got.type()).isEqualTo("message");
                assertThat(got.data()).isEqualTo("valid0");
                assertThat(got.lastEventId()).endsWith("-1");
            }
            assertThat(liberty.isAlive()).isTrue();
            assertThat(payara.isAlive()).isTrue();
            assertThat(node(liberty).getBoolean("connected")).isTrue();
            assertThat(node(payara).getBoolean("connected")).isTrue();
        }
    }

    // ------------------------------------------------------------------ (8) Redis goes away

    @Test
    @Order(7)
    void killedPubSubConnectionsResubscribeAndEverySubscriberGetsEveryEventOnce() throws Exception {
        try (RawSseClient onL = open(liberty, "topics/pubsub/events"); RawSseClient onP = open(payara, "topics/pubsub/events")) {
            awaitSubscribers("pubsub", 1);
            long subsL = node(liberty).getJsonNumber("subscriptions").longValue();
            long subsP = node(payara).getJsonNumber("subscriptions").longValue();
            assertThat(post(liberty, "topics/pubsub/publish?prefix=a&count=30").statusCode()).isEqualTo(204);
            assertThat(redis.killPubSubClients()).as("pub/sub connections killed").isGreaterThanOrEqualTo(2);
            assertThat(post(payara, "topics/pubsub/publish?prefix=b&count=30").statusCode()).isEqualTo(204);
            redis.killPubSubClients();
            assertThat(post(liberty, "topics/pubsub/publish?prefix=c&count=40").statusCode()).isEqualTo(204);
            await().atMost(WAIT).until(() -> node(liberty).getJsonNumber("subscriptions").longValue() > subsL
                    && node(payara).getJsonNumber("subscriptions").longValue() > subsP);
            List<SseParser.Event> gotL = read(onL, 100);
            List<SseParser.Event> gotP = read(onP, 100);
            assertThat(gotL).isEqualTo(gotP);
            assertThat(gotL.stream().map(SseParser.Event::type)).containsOnly("message");
            String epoch = gotL.get(0).lastEventId().split("-")[0];
            assertThat(gotL.stream().map(SseParser.Event::lastEventId))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 100).mapToObj(i -> epoch + "-" + i).toList());
            for (String prefix : List.of("a", "b", "c")) {
                int n = prefix.equals("c") ? 40 : 30;
                assertThat(gotL.stream().map(SseParser.Event::data).filter(d -> d.startsWith(prefix)))
                        .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(i -> prefix + i).toList());
            }
            // streams stayed open: the next publish arrives, once
            assertThat(post(payara, "topics/pubsub/publish?prefix=after&count=1").statusCode()).isEqualTo(204);
            for (RawSseClient c : List.of(onL, onP)) {
                SseParser.Event after = read(c, 1).get(0);
                assertThat(after.data()).isEqualTo("after0");
                assertThat(after.lastEventId()).isEqualTo(epoch + "-101");
            }
        }
    }

    @Test
    @Order(8)
    void redisKilledAndRestartedNodesKeepTheirStreamsAndSayMissedBeforeNewerEvents() throws Exception {
        String lastBefore;
        try (RawSseClient onL = open(liberty, "topics/outage/events"); RawSseClient onP = open(payara, "topics/outage/events")) {
            awaitSubscribers("outage", 1);
            assertThat(post(liberty, "topics/outage/publish?prefix=before&count=10").statusCode()).isEqualTo(204);
            List<SseParser.Event> before = read(onL, 10);
            assertThat(read(onP, 10)).isEqualTo(before);
            lastBefore = before.get(9).lastEventId();

            redis.kill();
            // publishes during the outage wait in each node's outbox
            assertThat(post(liberty, "topics/outage/publish?prefix=duringL&count=5").statusCode()).isEqualTo(204);
            assertThat(post(payara, "topics/outage/publish?prefix=duringP&count=5").statusCode()).isEqualTo(204);
            redis.restart();

            List<SseParser.Event> gotL = read(onL, 11);
            List<SseParser.Event> gotP = read(onP, 11);
            for (List<SseParser.Event> got : List.of(gotL, gotP)) {
                assertThat(got.get(0).type()).as("first after the outage: " + got.get(0)).isEqualTo("missed");
                assertThat(got.get(0).data()).contains("history-reset");
                List<SseParser.Event> events = got.subList(1, got.size());
                assertThat(events.stream().map(SseParser.Event::type)).containsOnly("message");
                assertThat(events.stream().map(SseParser.Event::data).filter(d -> d.startsWith("duringL")))
                        .containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(i -> "duringL" + i).toList());
                assertThat(events.stream().map(SseParser.Event::data).filter(d -> d.startsWith("duringP")))
                        .containsExactlyElementsOf(IntStream.range(0, 5).mapToObj(i -> "duringP" + i).toList());
                String epoch = events.get(0).lastEventId().split("-")[0];
                assertThat(epoch).isNotEqualTo(lastBefore.split("-")[0]);
                assertThat(events.stream().map(SseParser.Event::lastEventId))
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, 10).mapToObj(i -> epoch + "-" + i).toList());
            }
            assertThat(gotL.subList(1, 11)).as("same events, ids and order on both nodes").isEqualTo(gotP.subList(1, 11));
            assertThat(onL.ended()).isFalse();
            assertThat(onP.ended()).isFalse();
        }
        // a client that read before the outage reconnects to either node: missed first, never the old ids again
        for (ServerNode n : List.of(liberty, payara)) {
            try (RawSseClient c = open(n, "topics/outage/events", "Last-Event-ID: " + lastBefore)) {
                SseParser.Event first = read(c, 1).get(0);
                assertThat(first.type()).as(n + " first event for an id of the lost epoch").isEqualTo("missed");
            }
        }
    }

    /**
     * Redis is back (the test before saw events flow again on both nodes): job calls must answer on every node.
     * Fails today: each of the engine's call threads keeps a connection (RedisEngine.call, ThreadLocal
     * callConnection); after the restart the first call on each stale connection fails at once and the request gets
     * 503 instead of being retried on a new connection.
     */
    @Test
    @Order(9)
    void afterRedisCameBackEveryJobCallOnEveryNodeAnswers() throws Exception {
        List<String> answers = new ArrayList<>();
        for (ServerNode n : List.of(liberty, payara)) {
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = post(n, "jobs/after-restart-" + n.name() + "-" + i + "/start");
                answers.add(n.name() + " start #" + i + ": " + r.statusCode());
                HttpResponse<String> l = get(n, "jobs/after-restart-" + n.name() + "-" + i + "/latest");
                answers.add(n.name() + " latest #" + i + ": " + l.statusCode());
            }
        }
        assertThat(answers).as("job calls after Redis came back").allMatch(a -> a.endsWith(": 200") || a.endsWith(": 204"));
    }

    // ------------------------------------------------------------------ (7) kill -9 of the job's node

    @Test
    @Order(10)
    void killingTheNodeThatRunsAJobEndsItFailedOnTheOtherNodeWithinTheLease() throws Exception {
        // a 503 here is the stale-connection bug afterRedisCameBackEveryJobCallOnEveryNodeAnswers reports (no job is
        // created then: the call failed before reaching Redis); this test checks its own point past it
        HttpResponse<String> started = post(payara, "jobs/job-kill/start");
        for (int i = 0; i < 4 && started.statusCode() == 503; i++) {
            started = post(payara, "jobs/job-kill/start");
        }
        assertThat(started.statusCode()).isEqualTo(200);
        assertThat(json(started.body()).getBoolean("new")).isTrue();
        assertThat(post(payara, "jobs/job-kill/publish?progress=5&step=working").statusCode()).isEqualTo(204);
        await().atMost(WAIT).until(() -> get(liberty, "jobs/job-kill/latest").statusCode() == 200);
        try (RawSseClient onL = open(liberty, "jobs/job-kill/events")) {
            assertThat(read(onL, 1).get(0).data()).contains("working");
            long killed = System.nanoTime();
            payara.kill9();
            SseParser.Event terminal = read(onL, 1).get(0);
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(terminal.data()).contains("failed").contains("stopped");
            // the lease lapses at most LEASE after the owner's last renewal; a reap runs every LEASE/2
            assertThat(took).as("kill -9 to terminal").isLessThan(LEASE.plus(LEASE).plusMillis(500));
            assertThat(onL.awaitEnd(WAIT)).isTrue();
        }
        HttpResponse<String> latest = get(liberty, "jobs/job-kill/latest");
        assertThat(json(latest.body()).getBoolean("finished")).isTrue();
        // start replaces the retained failed job (startOrJoin would join it: new:false)
        HttpResponse<String> again = post(liberty, "jobs/job-kill/start");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again.body()).getBoolean("new")).as("the topic can be started again").isTrue();
        assertThat(post(liberty, "jobs/job-kill/finish?result=done").statusCode()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> post(ServerNode n, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(n.uri(path)).POST(HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(ServerNode n, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(n.uri(path)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject node(ServerNode n) throws Exception {
        HttpResponse<String> r = get(n, "node");
        assertThat(r.statusCode()).as(n + " node").isEqualTo(200);
        return json(r.body());
    }

    private static JsonObject json(String body) {
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        }
    }

    private static RawSseClient open(ServerNode n, String path, String... headers) throws Exception {
        URI uri = n.uri(path);
        RawSseClient c = RawSseClient.open(uri, headers);
        c.readHead(WAIT);
        assertThat(c.status()).as("GET " + uri).isEqualTo(200);
        return c;
    }

    /** Events a read took from a client's parser beyond what it asked for, handed to the next read. */
    private static final Map<RawSseClient, java.util.ArrayDeque<SseParser.Event>> PENDING =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    /** Reads until {@code n} events with data arrived (skipping an opening frame without data). */
    private static List<SseParser.Event> read(RawSseClient c, int n) throws Exception {
        java.util.ArrayDeque<SseParser.Event> pending = PENDING.computeIfAbsent(c, k -> new java.util.ArrayDeque<>());
        List<SseParser.Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < n) {
            if (pending.isEmpty()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0 || c.ended()) {
                    break;
                }
                for (SseParser.Event e : c.readEvents(1, Duration.ofMillis(left))) {
                    if (!e.data().isEmpty()) {
                        pending.add(e);
                    }
                }
            } else {
                out.add(pending.poll());
            }
        }
        assertThat(out).as("events read").hasSize(n);
        return out;
    }

    private void awaitSubscribers(String topic, int n) {
        awaitSubscribers(liberty, topic, n);
        awaitSubscribers(payara, topic, n);
    }

    private void awaitSubscribers(ServerNode node, String topic, int n) {
        await().atMost(WAIT).until(() -> get(node, "topics/" + topic + "/subscribers").body().equals(Integer.toString(n)));
    }
}
