package io.github.sseprogress.metrics.it;

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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.servers.ServerLogs;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Issue 14 items 1, 2 and 8 on real servers: Open Liberty (features mpMetrics-5.1 and mpHealth-4.0) and Payara
 * Micro, each running one WAR with sse-progress and sse-progress-metrics. A known scenario, then the exact numbers
 * read from the server's own {@code /metrics} endpoint, the checks from {@code /health/ready} and
 * {@code /health/live}, and a server log free of ERROR and WARNING records throughout. Each server starts fresh,
 * so the counters since start are exact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServersMetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOPIC = "orders";

    private ServerNode liberty;
    private ServerNode payara;
    /** Every distinct answer of each server's /health/ready from its start until ready, probed every 20 ms. */
    private final Map<ServerNode, List<String>> startupAnswers = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void startServers() {
        Path dir = Path.of(MetricsWar.required("it.metrics.dir"));
        Path war = MetricsWar.build(dir.resolve(ServerNode.CONTEXT + ".war"));
        // retained jobs stay for the whole test; heartbeats find closed clients within a second or two; one topic
        // series, so a second topic is counted under topic="_other"; at most 3 streams per topic, so a 4th is refused
        Map<String, String> env = Map.of("SSE_TRACKER_RETENTION", "10m", "SSE_HEARTBEAT_INTERVAL", "1s",
                "SSE_METRICS_MAX_TOPIC_SERIES", "1", "SSE_LIMITS_MAX_STREAMS_PER_TOPIC", "3");
        liberty = ServerNode.liberty("liberty", war, env).start();
        payara = ServerNode.payara("payara", war, env).start();
        CompletableFuture.allOf(
                CompletableFuture.runAsync(() -> startupAnswers.put(liberty, liberty.awaitReadyWatching())),
                CompletableFuture.runAsync(() -> startupAnswers.put(payara, payara.awaitReadyWatching()))).join();
    }

    @AfterAll
    void stopServers() throws Exception {
        for (ServerNode n : new ServerNode[] {liberty, payara}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void libertyPublishesExactMetricsAndHealthWithACleanLog() throws Exception {
        scenario(liberty);
    }

    @Test
    void payaraPublishesExactMetricsAndHealthWithACleanLog() throws Exception {
        scenario(payara);
    }

    private void scenario(ServerNode node) throws Exception {
        // Payara serves /health while the application still deploys: a probe then must not be the library's first
        // use (on a thread without java:comp, its beans fail to start or start with a broken scheduler); the check
        // says it is starting until the application has started the library
        List<String> startup = startupAnswers.get(node);
        assertThat(startup).as(node + ": /health/ready answers while starting").isNotEmpty();
        assertThat(startup).as(node + ": /health/ready answers while starting")
                .noneMatch(a -> a.contains("\"error\"") || a.contains("WELD-"));
        assertThat(startup.get(startup.size() - 1)).as(node + ": ready").startsWith("200 ")
                .containsPattern("\"running\":\"?true").doesNotContain("\"starting\"");
        assertThat(ServerLogs.hasRecords(node)).as(node + ": its log holds records in its format").isTrue();
        ServerLogs.Mark mark = ServerLogs.mark(node);

        Prometheus before = scrape(node);
        assertThat(before.require("sseprogress_streams_open")).isZero();
        assertThat(before.require("sseprogress_events_delivered")).isZero();
        assertThat(before.require("sseprogress_topic_streams_open", Map.of("topic", "_other"))).isZero();
        assertThat(before.value("sseprogress_topic_streams_open", Map.of("topic", TOPIC))).isEmpty();

        // 3 streams on one topic
        List<RawSseClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawSseClient c = RawSseClient.open(node.uri("topics/" + TOPIC)).readHead(WAIT);
            assertThat(c.status()).isEqualTo(200);
            clients.add(c);
        }
        await(node + ": 3 open streams on " + TOPIC).atMost(WAIT).until(() -> {
            Prometheus p = scrape(node);
            return p.value("sseprogress_topic_streams_open", Map.of("topic", TOPIC)).orElse(-1) == 3
                    && p.require("sseprogress_streams_open") == 3;
        });
        // a 4th stream on the topic is refused (sse.limits.max-streams-per-topic=3): counted, not attached
        assertThat(scrape(node).require("sseprogress_streams_refused", Map.of("limit", "per-topic"))).isZero();
        RawSseClient refused = RawSseClient.open(node.uri("topics/" + TOPIC)).readHead(WAIT);
        assertThat(refused.status()).isEqualTo(429);
        refused.close();
        Prometheus afterRefusal = scrape(node);
        assertThat(afterRefusal.require("sseprogress_streams_refused", Map.of("limit", "per-topic"))).isEqualTo(1);
        assertThat(afterRefusal.require("sseprogress_streams_refused", Map.of("limit", "streams"))).isZero();
        assertThat(afterRefusal.require("sseprogress_streams_open")).isEqualTo(3);
        // beyond sse.metrics.max-topic-series (1 here): no series of its own, counted under _other
        RawSseClient other = RawSseClient.open(node.uri("topics/another")).readHead(WAIT);
        assertThat(other.status()).isEqualTo(200);
        clients.add(other);
        await(node + ": the second topic under _other").atMost(WAIT).until(() -> {
            Prometheus p = scrape(node);
            return p.require("sseprogress_topic_streams_open", Map.of("topic", "_other")) == 1
                    && p.require("sseprogress_streams_open") == 4;
        });
        assertThat(scrape(node).value("sseprogress_topic_streams_open", Map.of("topic", "another"))).isEmpty();

        // 5 events to 3 subscribers: 15 delivered
        post(node.uri("topics/" + TOPIC + "?n=5"));
        for (RawSseClient c : clients.subList(0, 3)) {
            assertThat(c.readEvents(5, WAIT)).hasSize(5);
        }
        Prometheus during = scrape(node);
        assertThat(during.require("sseprogress_events_delivered")).isEqualTo(15);
        assertThat(during.require("sseprogress_events_dropped")).isZero();
        assertThat(during.require("sseprogress_streams_evicted")).isZero();
        assertThat(during.require("sseprogress_slow_actions", Map.of("policy", "drop"))).isZero();
        assertThat(during.require("sseprogress_writers_pinned")).isZero();
        assertThat(during.require("sseprogress_polls")).isZero();
        assertThat(during.require("sseprogress_polls_failed")).isZero();
        assertThat(during.require("sseprogress_topic_streams_open", Map.of("topic", "_other"))).isEqualTo(1);

        // a running job and a finished (retained) one
        post(node.uri("jobs/running-job"));
        post(node.uri("jobs/done-job?finish=true"));
        Prometheus jobs = scrape(node);
        assertThat(jobs.require("sseprogress_jobs_running")).isEqualTo(1);
        assertThat(jobs.require("sseprogress_jobs_retained")).isEqualTo(1);

        // the clients leave: heartbeats find them, the topic's series goes with its last stream
        for (RawSseClient c : clients) {
            c.abort();
        }
        await(node + ": no open stream left").atMost(WAIT).until(() -> {
            Prometheus p = scrape(node);
            return p.require("sseprogress_streams_open") == 0
                    && p.value("sseprogress_topic_streams_open", Map.of("topic", TOPIC)).orElse(0) == 0
                    && p.require("sseprogress_topic_streams_open", Map.of("topic", "_other")) == 0;
        });
        assertThat(scrape(node).require("sseprogress_events_delivered")).as("nothing more was delivered").isEqualTo(15);

        assertCheckUp(node, "health/ready");
        assertCheckUp(node, "health/live");

        assertThat(ServerLogs.errorsAndWarningsSince(node, mark))
                .as(node + ": no ERROR or WARNING through normal client behaviour").isEmpty();
    }

    private Prometheus scrape(ServerNode node) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.root("metrics?scope=application"))
                .header("Accept", "text/plain").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(node + " GET /metrics: " + r.body()).isEqualTo(200);
        return new Prometheus(r.body());
    }

    private void post(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST " + uri + ": " + r.body()).isBetween(200, 204);
    }

    /** The endpoint answers 200, overall UP, with the library's check {@code sse-progress} UP. */
    private void assertCheckUp(ServerNode node, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.root(path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(node + " GET /" + path + ": " + r.body()).isEqualTo(200);
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        assertThat(body.getString("status")).isEqualTo("UP");
        List<JsonObject> ours = body.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> "sse-progress".equals(c.getString("name"))).toList();
        assertThat(ours).as(node + " /" + path + " has the sse-progress check: " + r.body()).hasSize(1);
        assertThat(ours.get(0).getString("status")).isEqualTo("UP");
    }
}
