package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When the library stops (the application is stopped: {@code Delivery}'s {@code @PreDestroy}, run here by
 * {@link WsStopResource}), every WebSocket connection is closed with 1001 ("going away": reconnect
 * elsewhere or later), and a connection opened afterwards is closed with 1001 at once. Its own WAR, as
 * the library stays stopped.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WebSocketShutdownIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.webSocketWar("sse-ws-stop-it.war").addClasses(WsStopResource.class);
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void stoppingTheLibraryClosesEveryConnectionWith1001() throws Exception {
        ItServerLog.Mark mark = ItServerLog.mark();
        String t = "ws-stop-" + UUID.randomUUID().toString().substring(0, 8);
        try (WsClient ws = WsClient.open(base); WsClient idle = WsClient.open(base)) {
            ws.subscribe("topic:" + t);
            ItState.await(http, base, t, "subscribers", n -> n == 1, WAIT);
            HttpResponse<String> stop = http.send(HttpRequest.newBuilder(URI.create(base + "api/ws-stop"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, stop.statusCode(), stop.body());
            WsClient.Close close = ws.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1001, close.code(), "a connection with a key: " + close);
            assertEquals(1001, idle.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS).code(), "a connection without keys");
            try (WsClient late = WsClient.open(base)) {
                WsClient.Close refused = late.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(1001, refused.code(), "a connection opened after the stop: " + refused);
            }
        }
        // A stopping library is not normal client behaviour: Payara's Grizzly logs its own WARNING (IOException
        // "Connection is closed" in servlet "default") for the handshake refused after the stop. Only records
        // that come from the library fail this test.
        List<String> ours = ItServerLog.errorsAndWarningsSince(mark).stream().filter(r -> r.contains("sseprogress"))
                .collect(java.util.stream.Collectors.toList());
        assertEquals(List.of(), ours, "the library's ERROR/WARNING records while stopping");
    }
}
