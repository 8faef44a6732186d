package io.github.sseprogress.metrics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.testing.servers.ServerLogs;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Issue 14 item 8: the demo runs as production would. The demo WAR the core built, with sse-progress-metrics added,
 * on Open Liberty with the demo's own server configuration and on Payara Micro at the root context (as the demo
 * profiles run them): {@code /metrics} and {@code /health/ready} answer with the library's numbers and check, and
 * the server log holds no ERROR or WARNING through normal client behaviour (jobs followed to their end, a client
 * that leaves mid-job, a status poll).
 */
class DemoServersIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ServerNode node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static Path demoWar() {
        Path dir = Path.of(MetricsWar.required("it.metrics.dir"));
        return MetricsWar.demoWithMetrics(Path.of(MetricsWar.required("it.metrics.demoWar")),
                dir.resolve("sse-demo.war"));
    }

    @Test
    void theLibertyDemoAnswersMetricsAndHealthWithACleanLog() throws Exception {
        node = ServerNode.libertyDemo("liberty-demo", demoWar(),
                Path.of(MetricsWar.required("it.metrics.demoLibertyConfig")), Map.of()).start().awaitReady();
        normalClientsThenChecks(node);
    }

    @Test
    void thePayaraDemoAnswersMetricsAndHealthWithACleanLog() throws Exception {
        node = ServerNode.payaraDemo("payara-demo", demoWar(), Map.of()).start().awaitReady();
        normalClientsThenChecks(node);
    }

    private void normalClientsThenChecks(ServerNode node) throws Exception {
        ServerLogs.Mark mark = ServerLogs.mark(node);

        // a job followed to its end: the stream closes after the terminal event
        String done = startJob(node, 3);
        try (RawSseClient c = RawSseClient.open(node.root("api/jobs/" + done + "/events")).readHead(WAIT)) {
            assertThat(c.status()).isEqualTo(200);
            assertThat(c.awaitEnd(WAIT)).as("the stream ends after the terminal").isTrue();
            List<SseParser.Event> events = c.parser().takeEvents();
            assertThat(events.get(events.size() - 1).data()).contains("\"status\":\"completed\"");
        }
        // a client that leaves mid-job, and a status poll
        String left = startJob(node, 20);
        try (RawSseClient c = RawSseClient.open(node.root("api/jobs/" + left + "/events")).readHead(WAIT)) {
            assertThat(c.readEvents(1, WAIT)).hasSize(1);
            c.abort();
        }
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(node.root("api/jobs/" + done)).timeout(WAIT)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(node.root("metrics?scope=application"))
                .header("Accept", "text/plain").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).as(node + " /metrics: " + metrics.body()).isEqualTo(200);
        Prometheus p = new Prometheus(metrics.body());
        assertThat(p.require("sseprogress_jobs_retained")).as("the finished job is retained").isGreaterThanOrEqualTo(1);
        assertThat(p.require("sseprogress_events_delivered")).isGreaterThanOrEqualTo(4);
        assertThat(p.require("sseprogress_events_dropped")).isZero();

        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(node.root("health/ready")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(node + " /health/ready: " + ready.body()).isEqualTo(200);
        JsonObject body = Json.createReader(new StringReader(ready.body())).readObject();
        assertThat(body.getString("status")).isEqualTo("UP");
        assertThat(body.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> "sse-progress".equals(c.getString("name"))).map(c -> c.getString("status")))
                .containsExactly("UP");

        assertThat(ServerLogs.errorsAndWarningsSince(node, mark))
                .as(node + ": no ERROR or WARNING through normal client behaviour").isEmpty();
    }

    private String startJob(ServerNode node, int steps) throws Exception {
        URI uri = node.root("api/jobs?steps=" + steps + "&delayMs=100");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST " + uri + ": " + r.body()).isEqualTo(202);
        return Json.createReader(new StringReader(r.body())).readObject().getString("id");
    }
}
