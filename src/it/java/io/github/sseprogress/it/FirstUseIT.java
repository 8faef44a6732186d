package io.github.sseprogress.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The application's first use of the library on a thread the container does not manage
 * ({@code CompletableFuture.runAsync} without an executor: the common pool, or a new plain thread). The library's
 * beans start with their first use and need the container's {@code java:comp} executors; both servers let such a
 * thread start them (measured here: Payara's health-check threads do not, see the metrics module's
 * {@code LibraryStarted}). A fresh deployment whose first request starts a job and publishes on a common-pool
 * thread; then the job's stream and a topic's, with heartbeats (the scheduler runs), and a clean server log.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FirstUseIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.firstUseWar();
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void theFirstUseOnAnUnmanagedThreadStartsAWorkingLibrary() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        String job = "first-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> started = post("api/first-use/jobs/" + job);
        assertEquals(200, started.statusCode(), started::body);
        // CompletableFuture runs on the common pool, or on a new plain thread when its parallelism is 1 (2 cores)
        assertTrue(started.body().matches("ForkJoinPool\\.commonPool-worker-\\d+|Thread-\\d+"),
                "ran on a thread the container does not manage: " + started.body());
        try (SseClient c = SseClient.open(base, "api/jobs/" + job + "/events")) {
            assertEquals(200, c.status(WAIT), c::body);
            SseClient.Event snapshot = c.expect(WAIT);
            assertTrue(snapshot.data().contains("\"progress\":40") && snapshot.data().contains("unmanaged"),
                    snapshot::data);
            int before = c.comments.size();
            await("heartbeats (sse.heartbeat-interval=1s): the library's scheduler runs").atMost(WAIT)
                    .until(() -> c.comments.size() >= before + 2);
        }
        String topic = "first-" + UUID.randomUUID().toString().substring(0, 8);
        try (SseClient c = SseClient.open(base, "api/topics/" + topic + "/events")) {
            assertEquals(200, c.status(WAIT), c::body);
            ItState.await(http, base, topic, "subscribers", n -> n == 1, WAIT);
            HttpResponse<String> published = post("api/first-use/topics/" + topic + "/hello");
            assertEquals(200, published.statusCode(), published::body);
            assertEquals("hello", c.expect(WAIT).data());
        }
        ItServerLog.assertNoErrorsOrWarningsSince(mark, "a job and a topic used first on a common-pool thread");
    }

    private HttpResponse<String> post(String rel) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + rel)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
