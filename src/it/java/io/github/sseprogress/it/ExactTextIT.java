package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10 item 15: text data arrives exactly as published on both servers — blank lines, leading
 * and trailing line breaks included (CR and CRLF arrive as LF: SSE has no way to carry a CR in
 * data). Every text goes out with each combination of event name and id, and on a replay topic
 * (ids assigned by the store); the client is the WHATWG parser of {@link SseClient}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExactTextIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    /** Published text, and what a browser must see. */
    private static final String[][] TEXTS = {
        {"a\n\nb", "a\n\nb"},
        {"\nlead", "\nlead"},
        {"\n\nlead", "\n\nlead"},
        {"trail\n", "trail\n"},
        {"trail\n\n", "trail\n\n"},
        {"\r\n", "\n"},
        {"\n", "\n"},
        {"a\r\rb\r\n\r\nc", "a\n\nb\n\nc"},
        {"# Title\n\nParagraph one,\nstill one.\n\n\n- item\n", "# Title\n\nParagraph one,\nstill one.\n\n\n- item\n"},
        {" indented\n\n  twice ", " indented\n\n  twice "},
        {"data: not a field\n\nid: nor this", "data: not a field\n\nid: nor this"},
        {"plain", "plain"},
        {"one\ntwo", "one\ntwo"},
    };

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.war();
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<SseClient> opened = new ArrayList<>();

    @AfterEach
    void closeClients() {
        opened.forEach(SseClient::close);
        opened.clear();
    }

    @Test
    void textArrivesExactlyWithAnyNameAndId() throws Exception {
        String topic = "text-" + UUID.randomUUID().toString().substring(0, 8);
        SseClient client = subscribe("api/topics/" + topic + "/events");
        awaitSubscribers(topic, 1);
        int n = 0;
        for (String[] t : TEXTS) {
            for (int variant = 0; variant < 4; variant++) {
                String name = (variant & 1) != 0 ? "md" : null;
                String id = (variant & 2) != 0 ? "id-" + n : null;
                publish(topic, t[0], name, id);
                SseClient.Event e = client.expect(WAIT);
                String what = "text " + SseClient.escape(t[0]) + " name=" + name + " id=" + id + "; wire:\n" + client.body();
                assertEquals(SseClient.escape(t[1]), SseClient.escape(e.data()), what);
                assertEquals(name == null ? "message" : name, e.type(), what);
                if (id != null) {
                    assertEquals(id, e.lastEventId(), what);
                }
                n++;
            }
        }
        assertNull(client.next(Duration.ofMillis(300)), "one event per publish, nothing more: " + client.body());
    }

    @Test
    void textArrivesExactlyOnAReplayTopicAndOnResume() throws Exception {
        String topic = "text-replay-" + UUID.randomUUID().toString().substring(0, 8);
        SseClient client = subscribe("api/topics/" + topic + "/events?replay=" + (2 * TEXTS.length));
        awaitSubscribers(topic, 1);
        List<String> ids = new ArrayList<>();
        for (String[] t : TEXTS) {
            publish(topic, t[0], null, null);
            SseClient.Event e = client.expect(WAIT);
            assertEquals(SseClient.escape(t[1]), SseClient.escape(e.data()), "text " + SseClient.escape(t[0]) + "; wire:\n" + client.body());
            ids.add(e.lastEventId());
        }
        // a resuming client gets the same texts from the ring, with the same ids
        SseClient resumed = subscribe("api/topics/" + topic + "/events?replay=" + (2 * TEXTS.length),
                ids.get(0));
        for (int i = 1; i < TEXTS.length; i++) {
            SseClient.Event e = resumed.expect(WAIT);
            assertEquals(SseClient.escape(TEXTS[i][1]), SseClient.escape(e.data()), "replayed; wire:\n" + resumed.body());
            assertEquals(ids.get(i), e.lastEventId(), "replayed id; wire:\n" + resumed.body());
        }
        assertNull(resumed.next(Duration.ofMillis(300)), "nothing beyond the ring: " + resumed.body());
    }

    private SseClient subscribe(String rel) throws Exception {
        return subscribe(rel, null);
    }

    private SseClient subscribe(String rel, String lastEventId) throws Exception {
        SseClient c = SseClient.open(base, rel, lastEventId == null ? java.util.Map.of() : java.util.Map.of("Last-Event-ID", lastEventId));
        opened.add(c);
        assertEquals(200, c.status(WAIT), () -> rel + " -> " + c.body());
        return c;
    }

    private void awaitSubscribers(String topic, long n) {
        ItState.await(http, base, topic, "subscribers", x -> x == n, WAIT);
    }

    private void publish(String topic, String text, String name, String id) throws Exception {
        StringBuilder rel = new StringBuilder("api/topics/").append(topic).append('?');
        if (name != null) {
            rel.append("event=").append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('&');
        }
        if (id != null) {
            rel.append("id=").append(URLEncoder.encode(id, StandardCharsets.UTF_8)).append('&');
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + rel.toString())).timeout(WAIT)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
    }
}
