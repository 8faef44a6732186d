package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.LongPredicate;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10 item 1 on the real servers: a topic that keeps one listener while 400 other clients
 * connect and leave (half closed, half reset). The topic's own JAX-RS {@code SseBroadcaster}
 * (RESTEasy on Open Liberty, Jersey on Payara) must end up holding only the live subscriber's seat:
 * departed seats throw {@code IllegalStateException} on the sweep and the container's broadcaster
 * drops them and never calls them again. Before the fix it held every subscriber ever connected.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TopicChurnIT {

    private static final int CHURN = 400;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.war();
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void theBroadcasterKeepsOnlyTheLiveSeatAfterChurn() throws Exception {
        String topic = "churn-" + UUID.randomUUID().toString().substring(0, 8);
        try (SseClient permanent = SseClient.open(base, "api/topics/" + topic + "/events")) {
            awaitState(topic, "subscribers", n -> n == 1);
            for (int i = 0; i < CHURN; i++) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
                    s.getOutputStream().write(("GET " + base.getPath() + "api/topics/" + topic + "/events HTTP/1.1\r\n"
                            + "Host: " + base.getHost() + "\r\nAccept: text/event-stream\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    InputStream in = s.getInputStream();
                    s.setSoTimeout(10_000);
                    assertTrue(in.read(new byte[64]) > 0, "the stream opened");
                    if (i % 2 == 0) {
                        s.setSoLinger(true, 0); // a reset instead of a FIN
                    }
                }
            }
            // heartbeats (1 s here) find every departed client
            awaitState(topic, "subscribers", n -> n == 1);
            post("api/topics/" + topic + "/sweep");
            String swept = awaitState(topic, "registrations", n -> n == 1);
            // Two sweeps that overlapped during the churn may both have reached a seat once; from
            // now on, with every empty seat dropped, further sweeps must not reach any of them.
            long callsAfterDrop = ItJson.longField(swept, "seatCallsAfterDrop");
            post("api/topics/" + topic + "/sweep");
            post("api/topics/" + topic + "/sweep");
            post("api/topics/" + topic, "still here");
            assertEquals("still here", permanent.expect(WAIT).data());
            String state = get("api/topics/" + topic + "/state");
            assertEquals(1L, ItJson.longField(state, "registrations"), state);
            assertEquals(callsAfterDrop, ItJson.longField(state, "seatCallsAfterDrop"),
                    "the broadcaster kept calling seats it had been told to drop: " + state);
        }
    }

    private String awaitState(String topic, String field, LongPredicate ok) {
        return ItState.await(http, base, topic, field, ok, WAIT);
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private void post(String path) throws Exception {
        post(path, "");
    }

    private void post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, path + " -> " + r.statusCode() + " " + r.body());
    }
}
