package io.github.sseprogress.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.wire.CrossOriginStreams;
import io.github.sseprogress.internal.wire.SseResponseHeaders;
import io.github.sseprogress.testing.InProcessServer;

/**
 * {@code sse.cors.allowed-origins}: a listed origin is echoed exactly with {@code Vary: Origin} on
 * event-stream answers (refusals included), never {@code *}; another origin gets no CORS header; a
 * preflight from a listed origin is answered; with the key unset nothing changes.
 */
class CrossOriginHttpTest {

    private static final String APP = "https://app.example.com";
    private static InProcessServer server;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of(
                "sse.cors.allowed-origins", APP + ", http://localhost:8080",
                "sse.cors.allow-credentials", "true",
                "sse.limits.max-streams-per-topic", "1"),
                LimitsResource.class, CrossOriginStreams.class, SseResponseHeaders.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<InputStream> get(URI uri, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(20));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private static HttpResponse<String> preflight(URI uri, String origin, String method, String headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method)
                .timeout(Duration.ofSeconds(20));
        if (headers != null) {
            b.header("Access-Control-Request-Headers", headers);
        }
        // a client of its own: the application's default OPTIONS answer may end the connection
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(b.build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aListedOriginIsEchoedExactlyWithVaryAndCredentialsAndARefusalToo() throws Exception {
        HttpResponse<InputStream> stream = get(server.uri("limits/topic/cors-a"), APP);
        try (InputStream body = stream.body()) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().allValues("Access-Control-Allow-Origin")).containsExactly(APP);
            assertThat(stream.headers().allValues("Access-Control-Allow-Credentials")).containsExactly("true");
            assertThat(stream.headers().allValues("Vary")).contains("Origin");
            assertThat(stream.headers().firstValue("X-Accel-Buffering")).hasValue("no");

            HttpResponse<InputStream> refused = get(server.uri("limits/topic/cors-a"), APP);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().allValues("Access-Control-Allow-Origin"))
                    .as("the page can read why it was refused").containsExactly(APP);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("10");
            try (InputStream r = refused.body()) {
                assertThat(new String(r.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("\"limit\":\"per-topic\"");
            }
        }
    }

    @Test
    void anotherOriginGetsNoCorsHeaderOnlyVary() throws Exception {
        HttpResponse<InputStream> stream = get(server.uri("limits/topic/cors-b"), "https://evil.example.com");
        try (InputStream body = stream.body()) {
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(stream.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
            assertThat(stream.headers().allValues("Vary")).contains("Origin");
        }
        HttpResponse<InputStream> sameOrigin = get(server.uri("limits/topic/cors-c"), null);
        try (InputStream body = sameOrigin.body()) {
            assertThat(sameOrigin.statusCode()).isEqualTo(200);
            assertThat(sameOrigin.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void aPreflightFromAListedOriginIsAnsweredOthersAreNot() throws Exception {
        HttpResponse<String> ok = preflight(server.uri("limits/topic/any"), "http://localhost:8080", "GET",
                "last-event-id, authorization");
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().allValues("Access-Control-Allow-Origin")).containsExactly("http://localhost:8080");
        assertThat(ok.headers().allValues("Access-Control-Allow-Methods")).containsExactly("GET");
        assertThat(ok.headers().allValues("Access-Control-Allow-Headers")).containsExactly("last-event-id, authorization");
        assertThat(ok.headers().allValues("Access-Control-Allow-Credentials")).containsExactly("true");
        assertThat(ok.headers().allValues("Access-Control-Max-Age")).containsExactly("600");
        assertThat(ok.headers().allValues("Vary")).contains("Origin");

        HttpResponse<String> other = preflight(server.uri("limits/topic/any"), "https://evil.example.com", "GET", null);
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        HttpResponse<String> post = preflight(server.uri("limits/topic/any"), APP, "POST", null);
        assertThat(post.headers().firstValue("Access-Control-Allow-Origin"))
                .as("streams are GET: another method's preflight is the application's").isEmpty();
    }

    @Test
    void withTheKeyUnsetNothingChanges() throws Exception {
        try (InProcessServer off = InProcessServer.start(Map.of(), LimitsResource.class, CrossOriginStreams.class)) {
            HttpResponse<InputStream> stream = get(off.uri("limits/topic/plain"), APP);
            try (InputStream body = stream.body()) {
                assertThat(stream.statusCode()).isEqualTo(200);
                assertThat(stream.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
                assertThat(stream.headers().firstValue("Vary")).isEmpty();
            }
            HttpResponse<String> pre = preflight(off.uri("limits/topic/plain"), APP, "GET", null);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }
}
