package io.github.sseprogress.metrics.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Issue 14 items 1 and 2 with the Redis module, on real servers: an Open Liberty node and a Payara Micro node,
 * clustered on a real {@code redis-server}, each WAR with sse-progress, sse-progress-redis (built by test.sh
 * before this module), Jedis and sse-progress-metrics. Their {@code /metrics} show the cluster gauges
 * (connected, subscribed, probe age, reconnects) and {@code /health/ready} the engine's state; with Redis
 * killed, readiness goes DOWN on both while liveness stays UP; with Redis back on the same port, both are
 * ready again and count the re-subscription.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterMetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int redisPort;
    private Path redisDir;
    private Process redis;
    private ServerNode liberty;
    private ServerNode payara;

    @BeforeAll
    void start() throws Exception {
        Path dir = Path.of(MetricsWar.required("it.metrics.dir"));
        List<Path> extra = new ArrayList<>(jars(dir.resolve("cluster-lib"), "jedis"));
        extra.addAll(jars(Path.of(MetricsWar.required("it.metrics.redisTarget")), "sse-progress-redis-"));
        Path war = MetricsWar.build(dir.resolve("cluster").resolve(ServerNode.CONTEXT + ".war"), extra);
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        redisDir = Files.createTempDirectory("metrics-it-redis");
        startRedis();
        liberty = ServerNode.liberty("liberty", war, env("liberty")).start();
        payara = ServerNode.payara("payara", war, env("payara")).start();
        CompletableFuture.allOf(CompletableFuture.runAsync(liberty::awaitReady),
                CompletableFuture.runAsync(payara::awaitReady)).join();
    }

    private Map<String, String> env(String node) {
        return Map.of("SSE_CLUSTER_REDIS_URI", "redis://127.0.0.1:" + redisPort, "SSE_CLUSTER_NODE_NAME", node,
                "SSE_CLUSTER_REDIS_CHECK_INTERVAL", "1s", "SSE_CLUSTER_REDIS_TIMEOUT", "1s");
    }

    /** The jars of {@code dir} whose names start with {@code prefix} (not sources, javadoc or tests); at least one. */
    private static List<Path> jars(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is missing: build redis/ first (test.sh runs it before this module)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(".jar") && !n.endsWith("-tests.jar")
                        && !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar");
            }).sorted().toList();
            if (found.isEmpty()) {
                throw new IllegalStateException("no " + prefix + "*.jar in " + dir
                        + ": build redis/ first (test.sh runs it before this module)");
            }
            if (prefix.equals("jedis")) {
                try (Stream<Path> all = Files.list(dir)) {
                    return all.filter(p -> p.toString().endsWith(".jar")).sorted().toList(); // Jedis and its dependencies
                }
            }
            return found;
        }
    }

    private void startRedis() throws IOException {
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", redisDir.toString())
                .redirectErrorStream(true).redirectOutput(redisDir.resolve("redis.log").toFile()).start();
        await("redis-server on " + redisPort).atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", redisPort)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private void killRedis() throws InterruptedException {
        redis.destroyForcibly();
        assertThat(redis.waitFor(30, TimeUnit.SECONDS)).as("redis-server stopped").isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        for (ServerNode n : new ServerNode[] {liberty, payara}) {
            if (n != null) {
                n.close();
            }
        }
        if (redis != null) {
            killRedis();
        }
    }

    @Test
    void bothNodesReportTheClusterAndTheirReadinessFollowsRedis() throws Exception {
        for (ServerNode node : List.of(liberty, payara)) {
            // the first probe may come a moment after the subscription (probe age -1: none yet), so wait for it too
            await(node + ": connected, subscribed and probed").atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
                Prometheus p = scrape(node);
                return p.require("sseprogress_cluster_connected") == 1 && p.require("sseprogress_cluster_subscribed") == 1
                        && p.require("sseprogress_cluster_probe_age_seconds") >= 0;
            });
            Prometheus up = scrape(node);
            assertThat(up.require("sseprogress_cluster_probe_age_seconds")).as(node + ": a probe succeeded lately")
                    .isBetween(0.0, 5.0);
            assertThat(up.require("sseprogress_cluster_reconnects")).isZero();
            assertThat(up.require("sseprogress_cluster_messages_dropped")).isZero();
            JsonObject ready = check(node, "health/ready", 200);
            assertThat(data(ready, "connected")).isEqualTo("true");
            assertThat(data(ready, "subscribed")).isEqualTo("true");
        }

        killRedis();
        for (ServerNode node : List.of(liberty, payara)) {
            await(node + ": not ready without Redis").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> status(node, "health/ready") == 503);
            JsonObject down = check(node, "health/ready", 503);
            assertThat(down.getString("status")).isEqualTo("DOWN");
            assertThat(data(down, "connected")).isEqualTo("false");
            assertThat(check(node, "health/live", 200).getString("status")).as(node + ": alive without Redis")
                    .isEqualTo("UP");
            assertThat(scrape(node).require("sseprogress_cluster_connected")).isZero();
        }

        startRedis();
        for (ServerNode node : List.of(liberty, payara)) {
            await(node + ": ready again with Redis back").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> status(node, "health/ready") == 200);
            await(node + ": the re-subscription counted").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> scrape(node).require("sseprogress_cluster_reconnects") >= 1);
            Prometheus back = scrape(node);
            assertThat(back.require("sseprogress_cluster_connected")).isEqualTo(1);
            assertThat(back.require("sseprogress_cluster_subscribed")).isEqualTo(1);
        }
    }

    /** A check's data value as text (servers differ in writing booleans as JSON booleans or strings). */
    private static String data(JsonObject check, String key) {
        JsonValue v = check.getJsonObject("data").get(key);
        assertThat(v).as("data." + key + " of " + check).isNotNull();
        return v.getValueType() == JsonValue.ValueType.STRING ? ((jakarta.json.JsonString) v).getString() : v.toString();
    }

    private Prometheus scrape(ServerNode node) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.root("metrics?scope=application"))
                .header("Accept", "text/plain").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(node + " GET /metrics: " + r.body()).isEqualTo(200);
        return new Prometheus(r.body());
    }

    private int status(ServerNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(node.root(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The library's check {@code sse-progress} of the answer, which must have {@code expected} status. */
    private JsonObject check(ServerNode node, String path, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.root(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(node + " GET /" + path + ": " + r.body()).isEqualTo(expected);
        JsonObject body = Json.createReader(new StringReader(r.body())).readObject();
        List<JsonObject> ours = body.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> "sse-progress".equals(c.getString("name"))).toList();
        assertThat(ours).as(node + " /" + path + " has the sse-progress check: " + r.body()).hasSize(1);
        return ours.get(0);
    }
}
