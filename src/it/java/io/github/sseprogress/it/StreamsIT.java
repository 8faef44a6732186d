package io.github.sseprogress.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12 on a real server (Open Liberty and Payara Micro): one SSE stream for many topics and jobs,
 * {@code GET api/streams?topic=..&job=..}, read by a raw-socket client as a browser would.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StreamsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.war();
    }

    @ArquillianResource
    URL injected;

    /** The application's base URL. Payara's adapter once injected the host without the context path. */
    private URL base;

    @org.junit.jupiter.api.BeforeEach
    void base() throws Exception {
        String path = injected.getPath();
        base = path.length() > 1 ? new URL(injected, path.endsWith("/") ? path : path + "/")
                : new URL(injected, "/sse-it/");
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<SseClient> opened = new ArrayList<>();

    /** A multiplexed frame: the key (first data line), the payload (the rest), the type, the composite id. */
    record Frame(String key, String payload, String type, String id) {
    }

    @AfterEach
    void closeAll() {
        opened.forEach(SseClient::close);
        opened.clear();
    }

    private static String fresh(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void oneStreamCarriesTopicsAndJobsInOrderAndEndsEachJobOnItsOwn() throws Exception {
        String a = fresh("mux-a");
        String b = fresh("mux-b");
        String j1 = fresh("mux-j1");
        String j2 = fresh("mux-j2");
        String forbidden = fresh("forbidden");
        post("api/jobs/" + j1, "");
        post("api/jobs/" + j2, "");
        ItServerLog.Mark logBefore = ItServerLog.mark();
        SseClient c = subscribe("api/streams?topic=" + a + "&topic=" + b + "&job=" + j1 + "&job=" + j2
                + "&job=no-such-job&topic=" + forbidden, Map.of());
        List<Frame> got = new ArrayList<>();
        readUntil(c, got, f -> count(f, "end") == 2); // the unknown job and the refused topic, at once
        assertEquals("{\"reason\":\"not-found\",\"status\":404,\"message\":\"no such job: job:no-such-job\"}",
                only(got, "job:no-such-job", "end").payload());
        assertEquals("{\"reason\":\"rejected\",\"status\":403,\"message\":\"not for you\"}",
                only(got, "topic:" + forbidden, "end").payload());
        awaitJson("api/topics/" + a + "/state", "subscribers", 1);
        awaitJson("api/topics/" + b + "/state", "subscribers", 1);

        post("api/topics/" + a + "/bulk?count=150", "");
        post("api/topics/" + b + "/bulk?count=150", "");
        post("api/jobs/" + j1 + "/publish?progress=50&step=half", "");
        post("api/jobs/" + j1 + "/finish", "");
        readUntil(c, got, f -> payloads(f, "topic:" + a).size() == 150 && payloads(f, "topic:" + b).size() == 150
                && has(f, "job:" + j1, "end"));
        assertEquals(numbered(150), payloads(got, "topic:" + a));
        assertEquals(numbered(150), payloads(got, "topic:" + b));
        List<Frame> job1 = got.stream().filter(f -> ("job:" + j1).equals(f.key())).collect(Collectors.toList());
        Frame end = job1.get(job1.size() - 1);
        assertEquals("end", end.type());
        assertEquals("{\"reason\":\"finished\"}", end.payload());
        assertTrue(job1.get(job1.size() - 2).payload().contains("\"status\":\"completed\""), job1::toString);
        assertEquals("!", end.id().split("~", -1)[2], end::id);

        // The other job still streams on the same connection, and ends on its own.
        post("api/jobs/" + j2 + "/publish?progress=70&step=most", "");
        readUntil(c, got, f -> payloads(f, "job:" + j2).stream().anyMatch(p -> p.contains("\"progress\":70")));
        post("api/jobs/" + j2 + "/finish?failed=broken", "");
        readUntil(c, got, f -> has(f, "job:" + j2, "end"));
        assertFalse(c.isEnded(), "the stream stays open while topics remain");
        ItServerLog.assertNoErrorsOrWarningsSince(logBefore, "a multiplexed stream with an unknown job and a refused topic");
    }

    @Test
    void oneLastEventIdResumesEveryKeyAndAStreamWhoseKeysAllEndedAnswers204() throws Exception {
        String r = fresh("mux-r");
        String j = fresh("mux-j");
        String live = fresh("mux-live");
        post("api/jobs/" + j, "");
        post("api/jobs/" + j + "/publish?progress=20&step=start", "");
        String query = "api/streams?replay=" + r + "&job=" + j + "&topic=" + live;
        SseClient first = subscribe(query, Map.of());
        awaitJson("api/topics/" + r + "/state", "subscribers", 1);
        post("api/topics/" + r + "/bulk?count=3", "");
        List<Frame> got = new ArrayList<>();
        readUntil(first, got, f -> payloads(f, "replay:" + r).size() == 3 && !payloads(f, "job:" + j).isEmpty());
        String last = got.get(got.size() - 1).id();
        first.close();
        awaitJson("api/topics/" + r + "/state", "subscribers", 0);

        post("api/topics/" + r + "/bulk?count=4&from=3", "");
        post("api/jobs/" + j + "/publish?progress=80&step=nearly", "");
        ItServerLog.Mark logBefore = ItServerLog.mark();
        SseClient again = subscribe(query, Map.of("Last-Event-ID", last));
        List<Frame> resumed = new ArrayList<>();
        readUntil(again, resumed, f -> payloads(f, "replay:" + r).size() == 4 && payloads(f, "job:" + j).stream()
                .anyMatch(p -> p.contains("\"progress\":80")));
        assertEquals(List.of("3:", "4:", "5:", "6:"), payloads(resumed, "replay:" + r), "exactly what was missed");
        assertEquals(1, payloads(resumed, "job:" + j).size(), "the job's latest snapshot only");
        assertTrue(resumed.stream().noneMatch(f -> "missed".equals(f.type())), resumed::toString);

        // The job ends; a stream of only that job then closes, and its resume answers 204.
        post("api/jobs/" + j + "/finish", "");
        SseClient jobOnly = subscribe("api/streams?job=" + j, Map.of());
        List<Frame> end = new ArrayList<>();
        readUntil(jobOnly, end, f -> has(f, "job:" + j, "end"));
        String ended = end.get(end.size() - 1).id();
        assertEquals("!", ended);
        assertTrue(jobOnly.awaitEnd(WAIT), "a stream whose keys all ended closes");
        HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(base + "api/streams?job=" + j))
                .header("Accept", "text/event-stream").header("Last-Event-ID", ended).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, after.statusCode());
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "api/streams?topic=x&topic=x"))
                .header("Accept", "text/event-stream").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad::body);
        ItServerLog.assertNoErrorsOrWarningsSince(logBefore, "a multiplexed resume, a 204 and a 400");
    }

    // ---- helpers ----

    private static List<String> numbered(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i + ":");
        }
        return out;
    }

    private static Frame frame(SseClient.Event e) {
        int nl = e.data().indexOf('\n');
        return nl < 0 ? new Frame(null, e.data(), e.type(), e.lastEventId())
                : new Frame(e.data().substring(0, nl), e.data().substring(nl + 1), e.type(), e.lastEventId());
    }

    private static void readUntil(SseClient c, List<Frame> got, Predicate<List<Frame>> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test(got)) {
            long left = deadline - System.nanoTime();
            SseClient.Event e = left <= 0 ? null : c.next(Duration.ofNanos(left));
            if (e == null) {
                throw new AssertionError("timed out; frames so far: " + got.size() + " by key " + got.stream()
                        .collect(Collectors.groupingBy(f -> f.key() + "/" + f.type(), Collectors.counting())));
            }
            if (!e.data().isEmpty()) {
                got.add(frame(e));
            }
        }
    }

    private static List<String> payloads(List<Frame> frames, String key) {
        return frames.stream().filter(f -> key.equals(f.key()) && "message".equals(f.type())).map(Frame::payload)
                .collect(Collectors.toList());
    }

    private static boolean has(List<Frame> frames, String key, String type) {
        return frames.stream().anyMatch(f -> key.equals(f.key()) && type.equals(f.type()));
    }

    private static long count(List<Frame> frames, String type) {
        return frames.stream().filter(f -> type.equals(f.type())).count();
    }

    private static Frame only(List<Frame> frames, String key, String type) {
        List<Frame> match = frames.stream().filter(f -> key.equals(f.key()) && type.equals(f.type()))
                .collect(Collectors.toList());
        assertEquals(1, match.size(), frames::toString);
        return match.get(0);
    }

    private SseClient subscribe(String rel, Map<String, String> headers) throws Exception {
        SseClient c = SseClient.open(base, rel, headers);
        opened.add(c);
        assertEquals(200, c.status(WAIT), () -> rel + " -> " + c.body());
        return c;
    }

    private HttpResponse<String> post(String rel, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + rel)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "text/plain; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertTrue(r.statusCode() < 300, () -> "POST " + rel + " -> " + r.statusCode() + " " + r.body());
        return r;
    }

    private void awaitJson(String rel, String key, long value) {
        Pattern p = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?\\d+)");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            String body = http.send(HttpRequest.newBuilder(URI.create(base + rel)).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = p.matcher(body);
            return m.find() && Long.parseLong(m.group(1)) == value;
        });
    }
}
