package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.Socket;
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
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library on a real server, black-box over HTTP: the same class runs on Open Liberty
 * (RESTEasy) and on Payara Micro (Jersey) — {@code mvn verify -Pit-liberty,it-payara}. The WAR holds
 * the built library jar and the IT resources ({@link ItDeployment}); the client side is a raw-socket
 * SSE parser ({@link SseClient}) and java.net.http for plain requests.
 *
 * <p>Everything server-specific is named in the test that pins it. Timings are generous upper
 * bounds with early exit; the few that prove "not delayed" compare against the multi-second delays
 * a blocking design would show (the servers' write timeouts are 5 s).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SseProgressIT {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItDeployment.war();
    }

    @ArquillianResource
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<AutoCloseable> opened = new ArrayList<>();

    private static String server() {
        return System.getProperty("arquillian.launch", "unknown");
    }

    private static String fresh(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // =====================================================================================
    // Manager: fan-out, order, topic lifecycle
    // =====================================================================================

    @Test
    void fanOutDeliversEveryEventToEverySubscriberInPublishOrder() throws Exception {
        String topic = fresh("fan");
        List<SseClient> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            subs.add(subscribe("api/topics/" + topic + "/events"));
        }
        awaitJson("api/topics/" + topic + "/state", "subscribers", 3);

        // bursts of 50 published back to back in one request: below the default queue of 64, so the
        // slow-subscriber policy never applies and every subscriber must get every event
        int bursts = 4;
        int burst = 50;
        int count = bursts * burst;
        for (int b = 0; b < bursts; b++) {
            post("api/topics/" + topic + "/bulk?count=" + burst + "&from=" + (b * burst), "");
            for (SseClient s : subs) {
                for (int i = b * burst; i < (b + 1) * burst; i++) {
                    SseClient.Event e = s.expect(WAIT);
                    assertEquals(i + ":", e.data(), "subscriber sees events in publish order, without gap or duplicate");
                    assertEquals("message", e.type());
                }
            }
        }
        // nothing beyond what was published: the next event each one gets is the next one published
        post("api/topics/" + topic, "end");
        for (SseClient s : subs) {
            assertEquals("end", s.expect(WAIT).data(), "nothing between the last burst and the next publish");
        }
        // the library's headers for proxies reach the client on both servers
        SseClient first = subs.get(0);
        assertTrue(first.header("content-type").startsWith("text/event-stream"), first.header("content-type"));
        assertEquals("no-cache", first.header("cache-control"));
        assertEquals("no", first.header("x-accel-buffering"));
        String state = get("api/topics/" + topic + "/state").body();
        assertEquals(3L * (count + 1), jsonLong(state, "delivered"), state);
        assertEquals(0L, jsonLong(state, "dropped"), state);
    }

    @Test
    void topicIsRemovedAfterTheLastSubscriberLeaves() throws Exception {
        String topic = fresh("leave");
        SseClient a = subscribe("api/topics/" + topic + "/events");
        SseClient b = subscribe("api/topics/" + topic + "/events");
        String state = awaitJson("api/topics/" + topic + "/state", "subscribers", 2);
        assertTrue(state.contains("\"listed\":true"), state);

        a.close(); // FIN
        // a dead client is found by the next write (at the latest the next heartbeat, 1 s here)
        state = awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        assertTrue(state.contains("\"listed\":true"), "one subscriber left keeps the topic: " + state);

        b.abort(); // RST
        state = awaitJson("api/topics/" + topic + "/state", "subscribers", 0);
        assertTrue(state.contains("\"listed\":false"), "the last one leaving removes the topic: " + state);
        // removed, not idle: its counters went with it
        assertEquals(0L, jsonLong(state, "delivered"), state);
    }

    @Test
    void publishWithoutSubscribersCreatesNothing() throws Exception {
        String topic = fresh("nobody");
        HttpResponse<String> r = post("api/topics/" + topic, "into the void");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0L, jsonLong(r.body(), "subscribers"), r.body());
        assertTrue(r.body().contains("\"listed\":false"), r.body());
        assertEquals(0L, jsonLong(r.body(), "delivered"), r.body());

        // nothing was kept: a subscriber arriving afterwards gets only what is published after it
        SseClient s = subscribe("api/topics/" + topic + "/events");
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        post("api/topics/" + topic, "after");
        assertEquals("after", s.expect(WAIT).data());
    }

    // =====================================================================================
    // Polling lifecycle
    // =====================================================================================

    @Test
    void pollingStartsWithTheFirstSubscriberIsSharedAndStopsAfterTheLast() throws Exception {
        String topic = fresh("poll");
        String stateUrl = "api/probe/poll/" + topic + "/state";
        String state = get(stateUrl).body();
        assertEquals(0L, jsonLong(state, "instances"), state);
        assertEquals(0L, jsonLong(state, "polls"), state);

        SseClient a = subscribe("api/probe/poll/" + topic + "/events");
        SseClient.Event first = a.expect(WAIT);
        assertTrue(first.data().contains("\"instance\":1"), first.data());
        // "n" counts every poll of the topic: the first subscriber's first event being poll 1 proves
        // that nothing polled before it subscribed
        assertEquals(1L, jsonLong(first.data(), "n"), "nothing polls before anyone subscribes: " + first.data());
        awaitJson(stateUrl, "polls", n -> n >= 3); // every 200 ms

        SseClient b = subscribe("api/probe/poll/" + topic + "/events");
        SseClient.Event joined = b.expect(WAIT);
        assertTrue(joined.data().contains("\"instance\":1"), "a later subscriber shares the first poller: " + joined.data());
        awaitJson(stateUrl, "subscribers", 2);
        int before = (int) jsonLong(get(stateUrl).body(), "polls");
        awaitJson(stateUrl, "polls", n -> n >= before + 3);
        state = get(stateUrl).body();
        assertEquals(2L, jsonLong(state, "instances"), state);
        assertTrue(state.contains("\"polledInstances\":\"[1]\""), "only the first subscriber's Polling ever runs: " + state);
        assertEquals(0L, jsonLong(state, "stops"), state);

        a.abort();
        awaitJson(stateUrl, "subscribers", 1);
        int mid = (int) jsonLong(get(stateUrl).body(), "polls");
        awaitJson(stateUrl, "polls", n -> n >= mid + 3); // still polling for b
        assertEquals(0L, jsonLong(get(stateUrl).body(), "stops"));

        b.abort();
        state = awaitJson(stateUrl, "stops", 1);
        long stoppedAt = jsonLong(state, "polls");
        // A clock made of the same scheduler: another topic polled at the same 200 ms interval, started
        // after the stop. Once it has polled 5 times (4 intervals later), a poller that was still
        // scheduled would have polled about as often; a stopped one has not polled at all (one poll
        // may have been in flight when it stopped).
        String clock = fresh("poll-clock");
        subscribe("api/probe/poll/" + clock + "/events");
        awaitJson("api/probe/poll/" + clock + "/state", "polls", n -> n >= 5);
        state = get(stateUrl).body();
        assertTrue(jsonLong(state, "polls") <= stoppedAt + 1, "no polling after the last subscriber left: " + state);
        assertEquals(1L, jsonLong(state, "stops"), "onStop exactly once: " + state);
        assertEquals(0L, jsonLong(state, "subscribers"), state);
    }

    // =====================================================================================
    // Heartbeat
    // =====================================================================================

    @Test
    void heartbeatCommentsKeepAnIdleStreamAlive() throws Exception {
        String topic = fresh("idle");
        SseClient s = subscribe("api/topics/" + topic + "/events");
        assertEquals(200, s.status(WAIT));
        // sse.heartbeat-interval=1s (the WAR's microprofile-config.properties); nothing is published
        await(WAIT, () -> s.comments.size() >= 2, () -> "heartbeat comments on the wire: " + SseClient.escape(s.body()));
        assertNull(s.next(Duration.ZERO), "a heartbeat dispatches no event");
        assertFalse(s.isEnded());
        for (String c : s.comments) {
            assertTrue(c.isBlank(), "heartbeat is an empty comment: '" + c + "'");
        }
    }

    // =====================================================================================
    // Tracker
    // =====================================================================================

    @Test
    void trackerStartAnswers202WithLocationAndTheStatusEndpointShowsTheLatest() throws Exception {
        String id = fresh("job");
        HttpResponse<String> r = post("api/jobs/" + id, "");
        assertEquals(202, r.statusCode(), r.body());
        String location = r.headers().firstValue("location").orElse("");
        assertTrue(location.endsWith("/api/jobs/" + id), "Location resolved against the application's base: " + location);
        assertEquals("{\"new\":true}", r.body(), "the topic key (it-job/...) stays on the server");

        HttpResponse<String> again = post("api/jobs/" + id, "");
        assertEquals(202, again.statusCode());
        assertTrue(again.body().contains("\"new\":false"), "a second POST joins the running job: " + again.body());

        assertEquals("{\"id\":null}", get("api/jobs/" + id).body(), "nothing published yet");
        post("api/jobs/" + id + "/publish?progress=40&step=Scanning", "");
        HttpResponse<String> status = get("api/jobs/" + id);
        assertEquals(200, status.statusCode());
        assertTrue(status.body().matches(".*\"id\":\"[0-9a-z]+-1\".*"), status.body());
        assertTrue(status.body().contains("\"finished\":false"), status.body());
        assertTrue(status.body().contains("\"progress\":40"), status.body());
        assertTrue(status.body().contains("\"status\":\"processing\""), status.body());
        post("api/jobs/" + id + "/finish", "");
        status = get("api/jobs/" + id);
        assertTrue(status.body().contains("\"finished\":true") && status.body().contains("\"status\":\"completed\""),
                status.body());
    }

    @Test
    void lateTrackerSubscriberSeesLatestThenLiveThenTerminalAndTheStreamEnds() throws Exception {
        String id = fresh("job");
        assertEquals(202, post("api/jobs/" + id, "").statusCode());
        post("api/jobs/" + id + "/publish?progress=10&step=one", "");
        post("api/jobs/" + id + "/publish?progress=20&step=two", "");

        SseClient late = subscribe("api/jobs/" + id + "/events");
        SseClient.Event latest = late.expect(WAIT);
        assertTrue(latest.data().contains("\"progress\":20"), "the latest snapshot first, not a backlog: " + latest.data());
        assertEquals("2", sequence(latest.lastEventId()), "job event ids are <run>-<sequence>");

        post("api/jobs/" + id + "/publish?progress=60&step=three", "");
        SseClient.Event live = late.expect(WAIT);
        assertTrue(live.data().contains("\"progress\":60") && live.data().contains("\"step\":\"three\""), live.data());
        assertEquals("3", sequence(live.lastEventId()), "job event ids are <run>-<sequence>");

        assertTrue(post("api/jobs/" + id + "/finish?failed=disk%20full", "").body().contains("\"won\":true"));
        SseClient.Event terminal = late.expect(WAIT);
        assertTrue(terminal.data().contains("\"status\":\"failed\"") && terminal.data().contains("disk full"),
                terminal.data());
        assertEquals("4", sequence(terminal.lastEventId()), "job event ids are <run>-<sequence>");
        assertTrue(late.awaitEnd(WAIT), "the server ends the stream after the terminal event");
        assertNull(late.next(Duration.ZERO), "nothing after the terminal event");
    }

    @Test
    void finishedJobWithinRetentionSendsOnlyTheTerminalThenCloses() throws Exception {
        String id = fresh("job");
        post("api/jobs/" + id, "");
        post("api/jobs/" + id + "/publish?progress=50&step=half", "");
        post("api/jobs/" + id + "/finish", "");

        SseClient s = subscribe("api/jobs/" + id + "/events");
        SseClient.Event terminal = s.expect(WAIT);
        assertTrue(terminal.data().contains("\"status\":\"completed\""), terminal.data());
        assertEquals("2", sequence(terminal.lastEventId()), "job event ids are <run>-<sequence>");
        assertTrue(s.awaitEnd(WAIT), "closed after the one frame");
        assertNull(s.next(Duration.ZERO), "exactly one frame: " + SseClient.escape(s.body()));
    }

    @Test
    void reconnectWithTheTerminalsLastEventIdAnswers204() throws Exception {
        String id = fresh("job");
        post("api/jobs/" + id, "");
        post("api/jobs/" + id + "/publish?progress=50&step=half", "");
        post("api/jobs/" + id + "/finish", "");
        SseClient first = subscribe("api/jobs/" + id + "/events", Map.of());
        String terminalId = first.expect(WAIT).lastEventId();
        assertTrue(first.awaitEnd(WAIT));

        ItServerLog.Mark logBefore = ItServerLog.mark();
        HttpResponse<String> done = http.send(HttpRequest.newBuilder(uri("api/jobs/" + id + "/events"))
                .header("Accept", "text/event-stream").header("Last-Event-ID", terminalId)
                .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, done.statusCode(), "204 stops EventSource from reconnecting: " + done.body());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(uri("api/jobs/" + fresh("none") + "/events"))
                .header("Accept", "text/event-stream").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode(), unknown.body());
        // issue 10 item 14: a correct 204 (and an unknown job's 404) log no ERROR or WARNING, on either server
        ItServerLog.assertNoErrorsOrWarningsSince(logBefore, "a reconnect after the terminal (204) and an unknown job (404)");

        // any other id is a fresh subscriber: it gets the terminal again
        SseClient other = subscribe("api/jobs/" + id + "/events", Map.of("Last-Event-ID", "1"));
        assertTrue(other.expect(WAIT).data().contains("\"status\":\"completed\""));
        assertTrue(other.awaitEnd(WAIT));
    }

    @Test
    void finishedJobAfterRetentionAndUnknownJobsAnswer404WithJson() throws Exception {
        HttpResponse<String> unknown = get("api/jobs/" + fresh("never") + "/events");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                unknown.headers().map().toString());
        assertTrue(unknown.body().contains("\"status\":404") && unknown.body().contains("\"error\":\"No such topic\""),
                unknown.body());

        String id = fresh("job");
        post("api/jobs/" + id, "");
        post("api/jobs/" + id + "/finish", "");
        assertEquals(200, get("api/jobs/" + id).statusCode(), "retained right after finishing");
        // sse.tracker.retention=3s
        long t0 = System.nanoTime();
        await(Duration.ofSeconds(20), () -> get("api/jobs/" + id).statusCode() == 404, () -> "job never expired");
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waited >= 1500, "kept for about the retention, not dropped at once: " + waited + " ms");

        HttpResponse<String> gone = get("api/jobs/" + id + "/events");
        assertEquals(404, gone.statusCode());
        assertTrue(gone.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        assertEquals("{\"status\":404,\"error\":\"No such topic\"}", gone.body(),
                "the body never shows the server's topic key (it-job/...)");
        HttpResponse<String> status = get("api/jobs/" + id);
        assertEquals(404, status.statusCode());
        assertTrue(status.body().contains("\"status\":404"), status.body());
    }

    // =====================================================================================
    // Framing safety
    // =====================================================================================

    @Test
    void lineBreaksInsideDataArriveAsOneEventWithNoExtraFields() throws Exception {
        String topic = fresh("frame");
        SseClient s = subscribe("api/topics/" + topic + "/events");
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        String[][] cases = {
                {"a\nb", "a\nb"},
                {"a\r\nb", "a\nb"},
                {"a\rb", "a\nb"},
                {"line1\nline2\r\nline3\rline4", "line1\nline2\nline3\nline4"},
                {"x\nevent: evil\nid: 666\nretry: 1\ndata: injected", "x\nevent: evil\nid: 666\nretry: 1\ndata: injected"},
                {"x\r\n: comment?\rdata: y", "x\n: comment?\ndata: y"},
        };
        for (String[] c : cases) {
            post("api/topics/" + topic, c[0]);
            post("api/topics/" + topic + "?event=marker", "end");
        }
        int retries = s.retries.size();
        for (String[] c : cases) {
            SseClient.Event e = s.expect(WAIT);
            assertEquals(c[1], e.data(), "one event whose data is the text with line breaks as LF");
            assertEquals("message", e.type(), "text in data never becomes an event: field");
            assertEquals("", e.lastEventId(), "text in data never becomes an id: field");
            for (String line : e.fieldLines()) {
                assertTrue(line.startsWith("data:"), "only data: lines in the frame: " + e.fieldLines());
            }
            SseClient.Event marker = s.expect(WAIT);
            assertEquals("marker", marker.type(), "the next event is the next publish, nothing split off in between");
            assertEquals("end", marker.data());
        }
        assertEquals(retries, s.retries.size(), "no retry: line came out of data");
    }

    /**
     * A blank line inside text data is ONE event with nothing leaking out, and arrives exactly on both
     * servers (issue 10 item 15; the full matrix is {@link ExactTextIT}).
     */
    @Test
    void blankLineInsideDataIsOneEventOnBothServers() throws Exception {
        String topic = fresh("blank");
        SseClient s = subscribe("api/topics/" + topic + "/events");
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        post("api/topics/" + topic, "a\n\nb");
        post("api/topics/" + topic, "c\r\n\r\nd");
        post("api/topics/" + topic + "?event=marker", "end");

        SseClient.Event e1 = s.expect(WAIT);
        SseClient.Event e2 = s.expect(WAIT);
        assertEquals("marker", s.expect(WAIT).type(), "each text was one event: " + SseClient.escape(s.body()));
        assertEquals("a\n\nb", e1.data());
        assertEquals("c\n\nd", e2.data());
    }

    @Test
    void invalidEventNameOrIdIsRejectedWith400AndNothingIsWritten() throws Exception {
        String topic = fresh("invalid");
        SseClient s = subscribe("api/topics/" + topic + "/events");
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);

        String[] invalid = {"?event=a%0Ab", "?event=a%0Db", "?id=1%0A2", "?id=1%0D2", "?id=1%002", "?event="};
        for (String q : invalid) {
            HttpResponse<String> r = post("api/topics/" + topic + q, "must not be sent");
            assertEquals(400, r.statusCode(), q + " -> " + r.body());
            assertTrue(r.body().contains("SSE "), "the library's message names the field: " + r.body());
        }
        post("api/topics/" + topic + "?event=ok&id=7", "valid");
        SseClient.Event e = s.expect(WAIT);
        assertEquals("ok", e.type(), "the first thing written after the rejected ones is the valid event");
        assertEquals("7", e.lastEventId());
        assertEquals("valid", e.data());
        assertFalse(s.body().contains("must not be sent"), SseClient.escape(s.body()));
        String state = get("api/topics/" + topic + "/state").body();
        assertEquals(1L, jsonLong(state, "delivered"), state);
    }

    // =====================================================================================
    // A stalled subscriber
    // =====================================================================================

    /**
     * A client that never reads (tiny receive buffer): once its TCP window and the server's buffers
     * are full (~3 MB on both with the shipped configurations) the container's send() for it blocks until the write
     * timeout (sse.write-timeout=3s here; the servers' own: 5 s). Meanwhile the publisher must not
     * wait, and healthy subscribers must get every event at once.
     */
    @Test
    void stalledSubscriberDelaysNeitherThePublisherNorTheOthers() throws Exception {
        String topic = fresh("stall");
        Socket stalled = SseClient.stalled(base, "api/topics/" + topic + "/events");
        opened.add(stalled);
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);

        // 40 MB, paced (2 ms apart) so the writer keeps up until the connection is full: more than a
        // stalled connection absorbs on either server (~3 MB with the shipped configurations) plus its
        // queue of 256, which then fills in about half a second, well within the 3 s write timeout
        long t0 = System.nanoTime();
        HttpResponse<String> bulk = post("api/topics/" + topic + "/bulk?count=400&size=100000&pauseMs=2", "");
        long requestMs = (System.nanoTime() - t0) / 1_000_000;
        long slowestMs = jsonLong(bulk.body(), "slowestPublishMillis");
        assertTrue(slowestMs < 1000, "publish only enqueues, whatever the stalled client does: slowest " + slowestMs + " ms");
        // its queue is full (events dropped for it): its writer is blocked in the container's send()
        String state = awaitJson("api/topics/" + topic + "/state", "dropped", n -> n > 0);
        long droppedBefore = jsonLong(state, "dropped");
        assertEquals(0L, jsonLong(state, "evicted"), "still stalled, not yet evicted: " + state);
        System.out.printf("[%s] stall internals after bulk:%n%s%n", server(), get("api/topics/" + topic + "/internals").body());

        SseClient h1 = subscribe("api/topics/" + topic + "/events");
        SseClient h2 = subscribe("api/topics/" + topic + "/events");
        awaitJson("api/topics/" + topic + "/state", "subscribers", 3);

        long worstMs = 0;
        int ticks = 8;
        for (int i = 0; i < ticks; i++) {
            long sent = System.nanoTime();
            post("api/topics/" + topic, "tick " + i);
            for (SseClient h : List.of(h1, h2)) {
                SseClient.Event e = h.expect(WAIT);
                assertEquals("tick " + i, e.data());
                worstMs = Math.max(worstMs, (e.receivedNanos() - sent) / 1_000_000);
            }
        }
        state = get("api/topics/" + topic + "/state").body();
        System.out.printf("[%s] stall: bulk request %d ms (slowest publish %d ms), worst tick latency %d ms, state %s%n",
                server(), requestMs, slowestMs, worstMs, state);
        assertTrue(worstMs < 2000, "healthy subscribers are not delayed by the stalled one: worst " + worstMs + " ms");
        assertEquals(3L, jsonLong(state, "subscribers"),
                "the ticks went out while the stalled subscriber was still attached: " + state);
        assertEquals(0L, jsonLong(state, "evicted"), "... and not yet evicted: " + state);
        assertTrue(jsonLong(state, "dropped") >= droppedBefore, state);

        // then it goes: evicted by the library's watchdog (sse.write-timeout=3s) or failed by the
        // server's own write timeout (5 s); the healthy ones stay
        state = awaitJson("api/topics/" + topic + "/state", "subscribers", 2);
        System.out.printf("[%s] stall: after the stalled subscriber left: %s%n", server(), state);
        assertTrue(h1.pending() == 0 && h2.pending() == 0);
        post("api/topics/" + topic, "after");
        assertEquals("after", h1.expect(WAIT).data());
        assertEquals("after", h2.expect(WAIT).data());
    }

    // =====================================================================================
    // Last-Event-ID replay
    // =====================================================================================

    @Test
    void lastEventIdReplaysWhatWasMissedThenTheLiveTail() throws Exception {
        String topic = fresh("replay");
        String events = "api/topics/" + topic + "/events?replay=16";
        SseClient a = subscribe(events);
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        for (int i = 1; i <= 5; i++) {
            post("api/topics/" + topic + "?event=n", "e" + i);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            SseClient.Event e = a.expect(WAIT);
            assertEquals("e" + i, e.data());
            assertFalse(e.lastEventId().isEmpty(), "replay topics give every event an id");
            ids.add(e.lastEventId());
        }
        assertEquals(5, ids.stream().distinct().count(), ids.toString());

        SseClient b = subscribe(events, Map.of("Last-Event-ID", ids.get(1)));
        for (int i = 3; i <= 5; i++) {
            SseClient.Event e = b.expect(WAIT);
            assertEquals("e" + i, e.data(), "replayed in order after the client's last id");
            assertEquals("n", e.type(), "the event name is replayed too");
            assertEquals(ids.get(i - 1), e.lastEventId(), "with the same ids");
        }
        awaitJson("api/topics/" + topic + "/state", "subscribers", 2);
        post("api/topics/" + topic + "?event=n", "e6");
        assertEquals("e6", b.expect(WAIT).data(), "then the live tail, without gap or duplicate");
        assertEquals("e6", a.expect(WAIT).data());

        // clients that cannot set headers: the lastEventId query parameter
        SseClient c = subscribe(events + "&lastEventId=" + ids.get(4));
        assertEquals("e6", c.expect(WAIT).data());
        // and nothing more: the next event each one gets is the next one published
        awaitJson("api/topics/" + topic + "/state", "subscribers", 3);
        post("api/topics/" + topic + "?event=n", "e7");
        for (SseClient s : List.of(a, b, c)) {
            assertEquals("e7", s.expect(WAIT).data());
        }
    }

    @Test
    void unknownLastEventIdGetsTheMissedEventWithAValidId() throws Exception {
        String topic = fresh("missed");
        String events = "api/topics/" + topic + "/events?replay=16";
        SseClient a = subscribe(events);
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        post("api/topics/" + topic, "one");
        String newest = a.expect(WAIT).lastEventId();

        SseClient b = subscribe(events, Map.of("Last-Event-ID", "not-an-id-7"));
        SseClient.Event missed = b.expect(WAIT);
        assertEquals("missed", missed.type(), SseClient.escape(b.body()));
        assertEquals("{\"reason\":\"last-event-id-unknown\"}", missed.data());
        assertEquals(newest, missed.lastEventId(), "the unusable id is replaced by the newest valid one");
        awaitJson("api/topics/" + topic + "/state", "subscribers", 2);
        post("api/topics/" + topic, "two");
        assertEquals("two", b.expect(WAIT).data());
    }

    // =====================================================================================
    // Configuration through the server's own config; the container's executor
    // =====================================================================================

    /**
     * sse.polling.interval is 20s in the WAR's microprofile-config.properties (ordinal 100) and 1s in
     * the IT servers' own configuration, a test-only setting (production's server-config/ sets none): a
     * server.xml variable on Open Liberty (src/it/liberty/configDropins/overrides/sse-it.xml), a
     * domain-level set-config-property in Payara's post-boot commands (src/it/payara/postboot.asadmin).
     * The server's value wins: a Polling without every() polls about once a second (20 s from the WAR,
     * 5 s by default).
     */
    @Test
    void pollingIntervalFromTheServersOwnConfigOverridesTheApplicationsSetting() throws Exception {
        assertEquals("1s", get("api/probe/config/sse.polling.interval").body());
        String topic = fresh("interval");
        SseClient s = subscribe("api/probe/poll/" + topic + "/events?everyMs=0");
        long t0 = System.nanoTime();
        for (int i = 1; i <= 3; i++) {
            SseClient.Event e = s.expect(WAIT);
            assertTrue(e.data().contains("\"n\":" + i), e.data());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 4500, "three polls (at 0, ~1 s, ~2 s) took " + ms + " ms: not the server's 1s interval");
        assertTrue(ms > 1500, "three polls took only " + ms + " ms: faster than the configured interval");
    }

    /** sse.retry (1000ms, the WAR's config) is sent at connect. */
    @Test
    void retryIsSentAtConnect() throws Exception {
        String topic = fresh("retry");
        SseClient s = subscribe("api/topics/" + topic + "/events");
        await(WAIT, () -> !s.retries.isEmpty(), () -> "no retry: line: " + SseClient.escape(s.body()));
        assertEquals(List.of("1000"), s.retries, SseClient.escape(s.body()));
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        post("api/topics/" + topic, "first");
        assertEquals("first", s.expect(WAIT).data());
    }

    /**
     * The retry: frame sent at connect must not reach the application as an event: a browser
     * dispatches a "message" for any frame with a data: line, even "data: " (WHATWG: the data buffer
     * is then "\n", not empty), and the README's {@code JSON.parse(e.data)} would throw on "".
     */
    @Test
    void retryFrameAtConnectDispatchesNoEvent() throws Exception {
        String topic = fresh("retry-frame");
        SseClient s = subscribe("api/topics/" + topic + "/events");
        await(WAIT, () -> !s.retries.isEmpty(), () -> "no retry: line: " + SseClient.escape(s.body()));
        awaitJson("api/topics/" + topic + "/state", "subscribers", 1);
        post("api/topics/" + topic, "first");
        assertEquals("first", s.expect(WAIT).data());
        assertEquals(List.of(), s.openingEvents,
                "the connect frame dispatched an empty 'message' event; wire: " + SseClient.escape(s.body()));
    }

    /**
     * The routes production's server-config/ relies on reach the application's MicroProfile Config:
     * the server's own configuration (a server.xml variable, set for the IT in
     * src/it/liberty/configDropins/overrides/sse-it.xml / a Payara domain config property, set in
     * src/it/payara/postboot.asadmin) and the server process's environment (Liberty's server.env,
     * written from the pom's liberty.env.* / the environment Payara Micro inherits).
     */
    @Test
    void serverConfigurationAndEnvironmentReachMicroProfileConfig() throws Exception {
        String fromServer = System.getProperty("it.expect.serverConfig");
        String fromEnv = System.getProperty("it.expect.fromEnv");
        if (fromServer != null) {
            assertEquals(fromServer, get("api/probe/config/sseprogress.it.server-config").body());
        }
        if (fromEnv != null) {
            assertEquals(fromEnv, get("api/probe/config/sseprogress.it.from-env").body());
        }
    }

    @Test
    void libraryRunsOnTheContainersDefaultManagedScheduledExecutor() throws Exception {
        String executor = get("api/probe/executor").body();
        System.out.println("[" + server() + "] executor: " + executor);
        assertTrue(executor.contains("\"managed\":true"), executor);
        assertEquals(jsonString(executor, "containerDefault"), jsonString(executor, "libraryExecutor"),
                "the library uses java:comp/DefaultManagedScheduledExecutorService: " + executor);

        // behaviour: the polling source runs on a container-managed thread with the application's
        // context, from the default ManagedExecutorService (the scheduler only triggers it: item 7)
        String topic = fresh("thread");
        SseClient s = subscribe("api/probe/poll/" + topic + "/events?everyMs=1000");
        s.expect(WAIT);
        String state = get("api/probe/poll/" + topic + "/state").body();
        System.out.println("[" + server() + "] polling thread: " + state);
        assertEquals("ok", jsonString(state, "managedLookup"), "java:comp resolves only on a managed thread: " + state);
        assertTrue(state.contains("\"appClassLoader\":true"), state);
        String thread = jsonString(state, "thread");
        if (server().equals("liberty")) {
            assertTrue(thread.startsWith("Default Executor-thread-"), thread);
        } else if (server().equals("payara")) {
            assertTrue(thread.contains("__defaultManagedExecutorService"), thread);
        }
        assertFalse(thread.contains("Scheduled"), "polling sources never run on the shared scheduler: " + thread);
    }

    // =====================================================================================
    // helpers
    // =====================================================================================

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        for (AutoCloseable c : opened) {
            try {
                if (c instanceof SseClient) {
                    ((SseClient) c).abort();
                } else if (c instanceof Socket) {
                    ((Socket) c).setSoLinger(true, 0);
                    c.close();
                } else {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        opened.clear();
    }

    private SseClient subscribe(String rel) throws Exception {
        return subscribe(rel, Map.of());
    }

    private SseClient subscribe(String rel, Map<String, String> headers) throws Exception {
        SseClient c = SseClient.open(base, rel, headers);
        opened.add(c);
        int status = c.status(WAIT);
        assertEquals(200, status, () -> rel + " -> " + c.body());
        return c;
    }

    private URI uri(String rel) {
        return URI.create(base + rel);
    }

    private HttpResponse<String> get(String rel) {
        try {
            return http.send(HttpRequest.newBuilder(uri(rel)).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("GET " + rel + " failed", e);
        }
    }

    private HttpResponse<String> post(String rel, String body) {
        try {
            return http.send(HttpRequest.newBuilder(uri(rel)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "text/plain; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("POST " + rel + " failed", e);
        }
    }

    /** Polls a JSON endpoint until {@code key} equals {@code value}; returns the last body. */
    private String awaitJson(String rel, String key, long value) throws InterruptedException {
        return awaitJson(rel, key, n -> n == value);
    }

    private interface LongCheck {
        boolean test(long n);
    }

    private String awaitJson(String rel, String key, LongCheck check) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = get(rel).body();
            Long n = jsonLongOrNull(body, key);
            if (n != null && check.test(n)) {
                return body;
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + key + " on " + rel + "; last: " + body);
        return body;
    }

    private static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> message)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message.get());
            }
            Thread.sleep(100);
        }
    }

    private static long jsonLong(String json, String key) {
        Long n = jsonLongOrNull(json, key);
        assertNotNull(n, () -> key + " in " + json);
        return n;
    }

    private static Long jsonLongOrNull(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    private static String jsonString(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), () -> key + " in " + json);
        return m.group(1);
    }

    /** The per-job sequence of a Tracker event id ({@code <run>-<sequence>}). */
    private static String sequence(String id) {
        return id == null ? null : id.substring(id.lastIndexOf('-') + 1);
    }
}
