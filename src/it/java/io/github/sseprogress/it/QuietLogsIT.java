package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 item 5: normal client behaviour — a client that goes away (FIN), a killed tab (RST) on a
 * topic stream, a job stream and a multiplexed stream, a reconnect after the terminal (204), an
 * unknown job (404) — logs nothing above FINE from the library and no ERROR/WARNING from the server,
 * on both servers. The library's records are read through {@link LibraryLogProbe} (a handler on its
 * loggers, whatever the server's log format), the server's through {@link ItServerLog}. The
 * departures are counted instead: the topic's subscriber count returns to zero.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QuietLogsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.war().addClass(LibraryLogProbe.class);
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void clientsThatLeaveOrAreRefusedLogNothingAboveFine() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String topic = "quiet-" + suffix;
        String job = "quiet-job-" + suffix;
        String other = "quiet-mux-" + suffix;
        send("POST", "api/library-log/clear", 200);
        ItServerLog.Mark mark = ItServerLog.mark();

        // a topic stream, a job stream and a multiplexed stream, each twice: one client leaves with a FIN, one with a RST
        send("POST", "api/jobs/" + job, 202);
        send("POST", "api/jobs/" + job + "/publish?progress=10&step=a", 204);
        List<SseClient> leaving = List.of(
                SseClient.open(base, "api/topics/" + topic + "/events"),
                SseClient.open(base, "api/topics/" + topic + "/events"),
                SseClient.open(base, "api/jobs/" + job + "/events"),
                SseClient.open(base, "api/jobs/" + job + "/events"),
                SseClient.open(base, "api/streams?topic=" + other + "&job=" + job),
                SseClient.open(base, "api/streams?topic=" + other + "&job=" + job));
        for (SseClient c : leaving) {
            assertEquals(200, c.status(WAIT), c::body);
        }
        ItState.await(http, base, topic, "subscribers", n -> n == 2, WAIT);
        ItState.await(http, base, other, "subscribers", n -> n == 2, WAIT);
        publish(topic, "first");
        publish(other, "first");
        for (SseClient c : leaving) {
            c.expect(WAIT); // each has received something: a live, established stream
        }
        for (int i = 0; i < leaving.size(); i++) {
            if (i % 2 == 0) {
                leaving.get(i).close();
            } else {
                leaving.get(i).abort();
            }
        }
        // writes after the departures: the server meets the closed and reset connections
        AtomicInteger n = new AtomicInteger();
        org.awaitility.Awaitility.await().alias("the departed subscribers are gone").atMost(WAIT)
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    int i = n.incrementAndGet();
                    publish(topic, "after-" + i);
                    publish(other, "after-" + i);
                    send("POST", "api/jobs/" + job + "/publish?progress=" + Math.min(99, 10 + i) + "&step=b", 204);
                    return ItJson.longField(ItState.read(http, base, topic), "subscribers") == 0
                            && ItJson.longField(ItState.read(http, base, other), "subscribers") == 0;
                });
        send("POST", "api/jobs/" + job + "/finish", 200);

        // a reconnect after the terminal (204) and an unknown job (404)
        SseClient late = SseClient.open(base, "api/jobs/" + job + "/events");
        SseClient.Event terminal = late.expect(WAIT);
        assertTrue(terminal.data().contains("\"status\":\"completed\""), terminal.data());
        assertTrue(late.awaitEnd(WAIT));
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(base + "api/jobs/" + job + "/events"))
                .header("Accept", "text/event-stream").header("Last-Event-ID", terminal.lastEventId())
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, done.statusCode(), done.body());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(base + "api/jobs/none-" + suffix + "/events"))
                .header("Accept", "text/event-stream").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode(), unknown.body());

        ItServerLog.assertNoErrorsOrWarningsSince(mark,
                "clients leaving (FIN and RST) topic, job and multiplexed streams, a 204 and a 404");
        String library = send("GET", "api/library-log", 200);
        assertEquals("", library, "the library logged above FINE for normal client behaviour");
        // the control: a record under the library's logger name is seen (so the empty answer above means none)
        assertEquals("INFO io.github.sseprogress.internal.QuietLogsControl: quiet-logs control record",
                send("POST", "api/library-log/control", 200));
    }

    private void publish(String topic, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "api/topics/" + topic)).timeout(WAIT)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
    }

    private String send(String method, String rel, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + rel)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(expected, r.statusCode(), () -> method + " " + rel + ": " + r.body());
        return r.body();
    }
}
