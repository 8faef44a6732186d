package io.github.sseprogress.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.internal.wire.SseResponseHeaders;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.topic.TopicResource;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever text is published, the bytes on the wire (a real Jersey server, a raw socket) parsed by a
 * WHATWG §9.2 parser give back the same text with line breaks normalised to LF, as exactly one event
 * with the same name and id.
 */
class WireFramingProperties {

    private static InProcessServer server;
    private static Manager topics;
    private static RawSseClient client;
    private static final Jsonb JSONB = JsonbBuilder.create();

    @BeforeContainer
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.queue-size", "1000"),
                TopicResource.class, SseResponseHeaders.class);
        topics = server.bean(Manager.class);
        client = RawSseClient.open(server.uri("topics/wire/events")).readHead(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> topics.subscriberCount("wire") == 1);
    }

    @AfterContainer
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    @Property(tries = 400)
    void anyTextArrivesAsOneEventWithLineBreaksNormalised(@ForAll("text") String text) throws Exception {
        String expected = text.replace("\r\n", "\n").replace('\r', '\n');
        topics.publish("wire", text);
        List<SseParser.Event> got = client.readEvents(1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).data()).isEqualTo(expected);
        assertThat(got.get(0).type()).isEqualTo("message");
    }

    @Property(tries = 200)
    void namesIdsAndMultiLineDataArriveIntact(@ForAll("text") String text, @ForAll("field") String name,
            @ForAll("field") String id) throws Exception {
        topics.publish("wire", SseEvent.builder().name(name).id(id).data(text).build());
        List<SseParser.Event> got = client.readEvents(1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).data()).isEqualTo(text.replace("\r\n", "\n").replace('\r', '\n'));
        assertThat(got.get(0).type()).isEqualTo(name);
        assertThat(got.get(0).lastEventId()).isEqualTo(id);
    }

    @Property(tries = 200)
    void objectsArriveAsOneLineOfJsonThatReadsBack(@ForAll("maps") Map<String, String> value) throws Exception {
        topics.publish("wire", value);
        List<SseParser.Event> got = client.readEvents(1, Duration.ofSeconds(10));
        assertThat(got).hasSize(1);
        String data = got.get(0).data();
        assertThat(data).doesNotContain("\n").doesNotContain("\r");
        @SuppressWarnings("unchecked")
        Map<String, String> back = JSONB.fromJson(data, Map.class);
        assertThat(back).isEqualTo(value);
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> tricky = Arbitraries.strings()
                .withChars('\r', '\n', ':', ' ', 'a', 'd', 'i', '\t', '\0', 'é', '中', '\uFEFF')
                .withCharRange('0', '9')
                .ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> fieldLike = Arbitraries.of("data: x", "\nid: 7\n", "\r\nevent: boom\r\n", "\n\n", "\r\r",
                ": comment\n", "retry: 1\n", "\n", "\r", "\r\n", "data:", "😀\n😀");
        Arbitrary<String> any = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(60)
                .filter(WireFramingProperties::wellFormed);
        Arbitrary<String> joined = Combinators.combine(tricky, fieldLike, any).as((a, b, c) -> a + b + c);
        return Arbitraries.oneOf(tricky, fieldLike, any, joined);
    }

    @Provide
    Arbitrary<String> field() {
        return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20)
                .filter(s -> wellFormed(s) && s.indexOf('\r') < 0 && s.indexOf('\n') < 0 && s.indexOf('\0') < 0
                        && !s.startsWith(" ") && !s.startsWith("\uFEFF"));
    }

    @Provide
    Arbitrary<Map<String, String>> maps() {
        return Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(10).filter(WireFramingProperties::wellFormed),
                text()).ofMaxSize(4);
    }

    /** No unpaired surrogates: such a String has no UTF-8 form, so no server can send it. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
