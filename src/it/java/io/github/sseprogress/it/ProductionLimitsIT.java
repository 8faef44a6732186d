package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14 items 3, 4 and 7 on the real server: a stream beyond {@code sse.limits.max-streams-per-topic} gets
 * {@code 429} with {@code Retry-After} and the JSON body while the open one goes on; a stream whose hook set an
 * expiry ends with {@code event: expired}; a listed origin is echoed with {@code Vary: Origin} and credentials,
 * its preflight answered, another origin gets nothing; a query token reaches the hook. The server log stays
 * clean: all of it is normal client behaviour. Its own WAR ({@link ItDeployment#limitsWar()}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProductionLimitsIT {

    static final String ORIGIN = "https://app.example.com";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.limitsWar();
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static String fresh(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aStreamBeyondItsTopicsLimitGets429AndTheOpenOneGoesOn() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        String t = fresh("limited");
        try (SseClient first = SseClient.open(base, "api/topics/" + t + "/events", Map.of("Origin", ORIGIN))) {
            assertEquals(200, first.status(WAIT));
            assertEquals(ORIGIN, first.header("access-control-allow-origin"));
            assertEquals("true", first.header("access-control-allow-credentials"));
            assertTrue(String.valueOf(first.header("vary")).contains("Origin"), "Vary: " + first.header("vary"));
            ItState.await(http, base, t, "subscribers", n -> n == 1, WAIT);
            try (SseClient second = SseClient.open(base, "api/topics/" + t + "/events", Map.of("Origin", ORIGIN))) {
                assertEquals(429, second.status(WAIT));
                assertEquals("3", second.header("retry-after"));
                assertEquals(ORIGIN, second.header("access-control-allow-origin"), "the page may read the refusal");
                org.awaitility.Awaitility.await().atMost(WAIT).until(() -> second.body().trim().endsWith("}"));
                assertEquals("{\"status\":429,\"message\":\"too many streams on this topic (limit 1)\",\"limit\":\"per-topic\"}",
                        second.body().trim());
            }
            publish(t, "still-here");
            SseClient.Event e = first.expect(WAIT);
            assertEquals("still-here", e.data());
            assertEquals(1L, ItJson.longField(ItState.read(http, base, t), "subscribers"));
        }
        ItState.await(http, base, t, "subscribers", n -> n == 0, WAIT);
        try (SseClient again = SseClient.open(base, "api/topics/" + t + "/events")) {
            assertEquals(200, again.status(WAIT), "admitted again once the first stream ended");
        }
        ItServerLog.assertNoErrorsOrWarningsSince(mark, "a 429 is normal client behaviour");
    }

    @Test
    void aStreamWhoseHookSetAnExpiryEndsWithExpiredTheOthersGoOn() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        String t = fresh("expiring");
        String u = fresh("staying");
        try (SseClient expiring = SseClient.open(base, "api/topics/" + t + "/events", Map.of("X-Expires-Ms", "1500"));
                SseClient staying = SseClient.open(base, "api/topics/" + u + "/events")) {
            assertEquals(200, expiring.status(WAIT));
            assertEquals(200, staying.status(WAIT));
            ItState.await(http, base, t, "subscribers", n -> n == 1, WAIT);
            ItState.await(http, base, u, "subscribers", n -> n == 1, WAIT);
            publish(t, "before");
            assertEquals("before", expiring.expect(WAIT).data());
            SseClient.Event last = expiring.expect(WAIT);
            assertEquals("expired", last.type());
            assertEquals("{\"reason\":\"token-expired\"}", last.data());
            assertTrue(expiring.awaitEnd(WAIT), "the server ends the stream after expired");
            ItState.await(http, base, t, "subscribers", n -> n == 0, WAIT);
            publish(u, "after");
            assertEquals("after", staying.expect(WAIT).data());
        }
        ItServerLog.assertNoErrorsOrWarningsSince(mark, "an expiry is a normal end");
    }

    @Test
    void preflightsFromTheListedOriginAreAnsweredOtherOriginsGetNothing() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        String t = fresh("cors");
        HttpResponse<String> ok = preflight("api/topics/" + t + "/events", ORIGIN);
        assertEquals(204, ok.statusCode());
        assertEquals(List.of(ORIGIN), ok.headers().allValues("Access-Control-Allow-Origin"));
        assertEquals(List.of("GET"), ok.headers().allValues("Access-Control-Allow-Methods"));
        assertEquals(List.of("last-event-id"), ok.headers().allValues("Access-Control-Allow-Headers"));
        assertEquals(List.of("true"), ok.headers().allValues("Access-Control-Allow-Credentials"));
        HttpResponse<String> other = preflight("api/topics/" + t + "/events", "https://evil.example.com");
        assertTrue(other.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), other.headers().toString());
        try (SseClient stream = SseClient.open(base, "api/topics/" + t + "/events",
                Map.of("Origin", "https://evil.example.com"))) {
            assertEquals(200, stream.status(WAIT));
            assertEquals(null, stream.header("access-control-allow-origin"));
            assertNotNull(stream.header("vary"));
        }
        ItServerLog.assertNoErrorsOrWarningsSince(mark, "cross-origin requests");
    }

    @Test
    void aQueryTokenReachesTheHook() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        String t = fresh("token");
        try (SseClient refused = SseClient.open(base, "api/topics/" + t + "/events?access_token=bad");
                SseClient accepted = SseClient.open(base, "api/topics/" + t + "/events?access_token=good")) {
            assertEquals(401, refused.status(WAIT), "the hook saw the query token and refused it");
            assertEquals(200, accepted.status(WAIT));
            ItState.await(http, base, t, "subscribers", n -> n == 1, WAIT);
        }
        ItServerLog.assertNoErrorsOrWarningsSince(mark, "a refused token is normal client behaviour");
    }

    @Test
    void overWebSocketTheOriginIsCheckedAKeyBeyondItsLimitEndsAloneAndExpiryClosesWith4002() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        Throwable refused = null;
        try (WsClient evil = WsClient.open(base, Map.of("Origin", "https://evil.example.com"))) {
            evil.closed.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.CompletionException e) {
            refused = e;
        }
        assertNotNull(refused, "a handshake from an origin not listed is refused (403)");

        String busy = fresh("ws-busy");
        String t = fresh("ws-expiring");
        try (SseClient holder = SseClient.open(base, "api/topics/" + busy + "/events");
                WsClient ws = WsClient.open(base, Map.of("Origin", ORIGIN, "X-Expires-Ms", "2500"))) {
            assertEquals(200, holder.status(WAIT));
            ItState.await(http, base, busy, "subscribers", n -> n == 1, WAIT);
            ws.subscribe("topic:" + busy);
            WsClient.Msg limited = ws.expect(WAIT);
            assertEquals("end", limited.event(), limited.raw());
            assertEquals("{\"reason\":\"limited\",\"status\":429,\"message\":\"too many streams on this topic (limit 1)\","
                    + "\"limit\":\"per-topic\"}", limited.data());
            ws.subscribe("topic:" + t);
            ItState.await(http, base, t, "subscribers", n -> n == 1, WAIT);
            WsClient.Msg expired = ws.expect(WAIT);
            assertEquals("expired", expired.event(), expired.raw());
            assertEquals("{\"reason\":\"token-expired\"}", expired.data());
            assertEquals(4002, ws.closed.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).code());
            ItState.await(http, base, t, "subscribers", n -> n == 0, WAIT);
            assertEquals(1L, ItJson.longField(ItState.read(http, base, busy), "subscribers"), "the SSE stream goes on");
        }
        // Only the library's records: a refused handshake may be the container's own remark.
        List<String> ours = ItServerLog.errorsAndWarningsSince(mark).stream().filter(r -> r.contains("sseprogress"))
                .collect(java.util.stream.Collectors.toList());
        assertEquals(List.of(), ours, "the library's ERROR/WARNING records");
    }

    private HttpResponse<String> preflight(String path, String origin) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build().send(HttpRequest.newBuilder(URI.create(base + path))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
                        .header("Access-Control-Request-Method", "GET")
                        .header("Access-Control-Request-Headers", "last-event-id").timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private void publish(String topic, String text) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "api/topics/" + topic))
                .POST(HttpRequest.BodyPublishers.ofString(text)).header("Content-Type", "text/plain").timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }
}
