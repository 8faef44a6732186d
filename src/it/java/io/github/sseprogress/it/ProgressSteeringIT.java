package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
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

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13 on a real server, over HTTP (Open Liberty and Payara Micro, {@code -Pit-liberty,it-payara}):
 * the fields a job derives for its running snapshots ({@code rate}, {@code eta}, {@code indeterminate},
 * {@code cancelRequested}) as a browser reads them, and cooperative cancel end to end:
 * {@code Tracker.cancel} re-sends the snapshot with {@code cancelRequested}, the work sees the flag and
 * its {@code onCancel} callbacks run (on a managed thread, once each), its {@code cancelled} terminal
 * ends the stream; a finished job answers {@code false} (409 here), an unknown topic the library's 404.
 * The work is driven step by step by the test ({@link JobResource}), so nothing depends on timing but
 * the rate itself, which needs samples at least 100 ms apart: the test publishes until one arrives.
 * The server log stays clean ({@link ItServerLog}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProgressSteeringIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Jsonb JSON = JsonbBuilder.create();

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
    void closeStreams() {
        opened.forEach(SseClient::close);
        opened.clear();
    }

    @Test
    void runningSnapshotsCarryRateAndEtaOnceProgressAdvances() throws Exception {
        ItServerLog.Mark log = ItServerLog.mark();
        String id = start();
        publish(id, 10, "Scanning");
        SseClient stream = subscribe(id);
        Map<String, Object> first = data(stream.expect(WAIT));
        assertEquals(Map.of("status", "processing", "progress", 10, "step", "Scanning"), numbersAsInts(first),
                "the first percentage: nothing to derive a rate from yet");

        // samples closer than 100 ms are merged: publish one percent more every 20 ms or so (the pace of
        // the simulated work, not a wait for the server: each snapshot is awaited) until a rate comes
        Map<String, Object> withRate = null;
        int pct = 10;
        while (withRate == null) {
            pct++;
            Thread.sleep(20);
            assertTrue(pct < 100, "no rate after 89 percentages published 20 ms apart");
            publish(id, pct, "Scanning");
            Map<String, Object> m = data(stream.expect(WAIT));
            assertEquals(pct, ((Number) m.get("progress")).intValue(), () -> "latest-wins, one at a time: " + m);
            if (m.containsKey("rate")) {
                withRate = m;
            } else {
                assertFalse(m.containsKey("eta"), () -> "eta only with a rate: " + m);
            }
        }
        double rate = ((Number) withRate.get("rate")).doubleValue();
        double eta = ((Number) withRate.get("eta")).doubleValue();
        assertTrue(rate > 0, () -> "rate " + rate);
        int left = 100 - pct;
        // eta = work left / rate, each sent with four significant digits
        Map<String, Object> sample = withRate;
        assertEquals(left, eta * rate, left * 0.002, () -> "eta x rate = percent left: " + sample);
        assertEquals(List.of("status", "progress", "step", "rate", "eta"), new ArrayList<>(withRate.keySet()),
                "field order on the wire (Progress's, then the derived ones), nothing else");
        assertFourSignificantDigits(withRate.get("rate"));
        assertFourSignificantDigits(withRate.get("eta"));

        // from now on every running snapshot carries both; the terminal carries neither
        publish(id, pct + 1, "Scanning");
        Map<String, Object> next = data(stream.expect(WAIT));
        assertTrue(next.containsKey("rate") && next.containsKey("eta"), () -> "after the first sample: " + next);
        assertEquals("{\"won\":true}", post("api/jobs/" + id + "/finish").body());
        Map<String, Object> terminal = data(stream.expect(WAIT));
        assertEquals(Map.of("status", "completed", "progress", 100, "data", Map.of("ok", true)), numbersAsInts(terminal));
        assertTrue(stream.awaitEnd(WAIT), "the terminal ends the stream");
        ItServerLog.assertNoErrorsOrWarningsSince(log, "a job publishing percentages with rate and eta");
    }

    @Test
    void indeterminateSnapshotIsSentWithoutProgressRateOrEta() throws Exception {
        ItServerLog.Mark log = ItServerLog.mark();
        String id = start();
        assertEquals(204, post("api/jobs/" + id + "/publish-indeterminate?step=Counting").statusCode());
        SseClient stream = subscribe(id);
        assertEquals("{\"status\":\"processing\",\"step\":\"Counting\",\"indeterminate\":true}", stream.expect(WAIT).data());

        publish(id, 0, "Copying");
        assertEquals("{\"status\":\"processing\",\"progress\":0,\"step\":\"Copying\"}", stream.expect(WAIT).data(),
                "a percentage again: no indeterminate flag, no rate yet");
        assertEquals(204, post("api/jobs/" + id + "/publish-indeterminate?step=Waiting").statusCode());
        assertEquals("{\"status\":\"processing\",\"step\":\"Waiting\",\"indeterminate\":true}", stream.expect(WAIT).data());
        post("api/jobs/" + id + "/finish");
        assertEquals("completed", data(stream.expect(WAIT)).get("status"));
        assertTrue(stream.awaitEnd(WAIT));
        ItServerLog.assertNoErrorsOrWarningsSince(log, "indeterminate snapshots");
    }

    @Test
    void cancelReachesTheWorkAndItsCancelledTerminalEndsTheStream() throws Exception {
        ItServerLog.Mark log = ItServerLog.mark();
        String id = start();
        assertEquals(204, post("api/jobs/" + id + "/on-cancel?label=first").statusCode());
        publish(id, 40, "Working");
        SseClient stream = subscribe(id);
        assertEquals("{\"status\":\"processing\",\"progress\":40,\"step\":\"Working\"}", stream.expect(WAIT).data());
        assertEquals(Map.of("cancelRequested", false, "callbacks", List.of()), cancelState(id), "nothing asked yet");

        HttpResponse<String> cancel = delete("api/jobs/" + id);
        assertEquals(202, cancel.statusCode(), cancel.body());
        assertEquals("{\"cancelled\":true}", cancel.body());
        // the last running snapshot, re-sent with the flag (no new percentage: no rate)
        assertEquals("{\"status\":\"processing\",\"progress\":40,\"step\":\"Working\",\"cancelRequested\":true}",
                stream.expect(WAIT).data());
        Map<String, Object> state = awaitCancelState(id, s -> ((List<?>) s.get("callbacks")).size() == 1);
        assertEquals(true, state.get("cancelRequested"));
        String run = (String) ((List<?>) state.get("callbacks")).get(0);
        assertTrue(run.startsWith("first@"), run);

        // asked again while it runs: still true, the callback does not run twice; a late callback runs at once
        HttpResponse<String> again = delete("api/jobs/" + id);
        assertEquals(202, again.statusCode(), again.body());
        assertEquals(204, post("api/jobs/" + id + "/on-cancel?label=late").statusCode());
        state = awaitCancelState(id, s -> ((List<?>) s.get("callbacks")).size() >= 2);
        List<?> runs = (List<?>) state.get("callbacks");
        assertEquals(2, runs.size(), () -> "each callback once: " + runs);
        assertTrue(((String) runs.get(1)).startsWith("late@"), runs::toString);

        // a subscriber arriving now gets the snapshot with the flag first
        SseClient late = subscribe(id);
        assertEquals("{\"status\":\"processing\",\"progress\":40,\"step\":\"Working\",\"cancelRequested\":true}",
                late.expect(WAIT).data());
        // work that still reports while asked to stop: its snapshots keep the flag
        publish(id, 45, "Stopping");
        Map<String, Object> stopping = data(stream.expect(WAIT));
        assertEquals(45, ((Number) stopping.get("progress")).intValue());
        assertEquals(true, stopping.get("cancelRequested"), stopping::toString);

        assertEquals("{\"won\":true}", post("api/jobs/" + id + "/finish?cancelled=Stopped%20by%20the%20user").body());
        String terminal = "{\"status\":\"cancelled\",\"progress\":0,\"message\":\"Stopped by the user\"}";
        for (SseClient s : List.of(stream, late)) {
            SseClient.Event e = s.expect(WAIT);
            if (e.data().contains("\"Stopping\"")) {
                e = s.expect(WAIT); // the late subscriber may still get the 45 % snapshot first
            }
            assertEquals(terminal, e.data());
            assertTrue(s.awaitEnd(WAIT), "the cancelled terminal ends the stream");
            assertNull(s.next(Duration.ofMillis(200)), "nothing after the terminal");
        }
        HttpResponse<String> status = get("api/jobs/" + id);
        assertTrue(status.body().contains("\"finished\":true") && status.body().contains("\"status\":\"cancelled\""), status.body());

        HttpResponse<String> afterEnd = delete("api/jobs/" + id);
        assertEquals(409, afterEnd.statusCode(), afterEnd.body());
        assertEquals("{\"cancelled\":false}", afterEnd.body(), "a finished job: Tracker.cancel is false");
        assertEquals(2, ((List<?>) cancelState(id).get("callbacks")).size(), "no callback after the end");
        ItServerLog.assertNoErrorsOrWarningsSince(log, "a job cancelled by a client");
    }

    @Test
    void cancelOfAnUnknownTopicIs404AndAJobEndedWithoutRequestNeverCallsBack() throws Exception {
        ItServerLog.Mark log = ItServerLog.mark();
        HttpResponse<String> unknown = delete("api/jobs/" + fresh());
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                () -> unknown.headers().map().toString());
        assertEquals("{\"status\":404,\"error\":\"No such topic\"}", unknown.body());

        String id = start();
        assertEquals(204, post("api/jobs/" + id + "/on-cancel").statusCode());
        publish(id, 50, "Half");
        assertEquals("{\"won\":true}", post("api/jobs/" + id + "/finish").body());
        HttpResponse<String> finished = delete("api/jobs/" + id);
        assertEquals(409, finished.statusCode(), finished.body());
        assertEquals("{\"cancelled\":false}", finished.body());
        assertEquals(Map.of("cancelRequested", false, "callbacks", List.of()), cancelState(id),
                "a job that ended without a request: the flag stays false, no callback ran");
        ItServerLog.assertNoErrorsOrWarningsSince(log, "cancel of an unknown and of a finished job");
    }

    // ---- helpers ----

    private static String fresh() {
        return "steer-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String start() {
        String id = fresh();
        HttpResponse<String> r = post("api/jobs/" + id);
        assertEquals(202, r.statusCode(), r.body());
        return id;
    }

    private void publish(String id, int progress, String step) {
        HttpResponse<String> r = post("api/jobs/" + id + "/publish?progress=" + progress + "&step=" + step);
        assertEquals(204, r.statusCode(), r.body());
    }

    private SseClient subscribe(String id) throws Exception {
        SseClient c = SseClient.open(base, "api/jobs/" + id + "/events");
        opened.add(c);
        assertEquals(200, c.status(WAIT), () -> "events of " + id + " -> " + c.body());
        return c;
    }

    private Map<String, Object> cancelState(String id) {
        return json(get("api/jobs/" + id + "/cancel-state").body());
    }

    private Map<String, Object> awaitCancelState(String id, Predicate<Map<String, Object>> condition) {
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> last = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            org.awaitility.Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
                last.set(cancelState(id));
                return condition.test(last.get());
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("timed out waiting for the cancel callbacks of " + id + "; last: " + last.get());
        }
        return last.get();
    }

    private static Map<String, Object> data(SseClient.Event e) {
        assertNotNull(e);
        return json(e.data());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) {
        try {
            return JSON.fromJson(text, java.util.LinkedHashMap.class);
        } catch (RuntimeException e) {
            throw new AssertionError("not a JSON object: " + text, e);
        }
    }

    /** JSON numbers as ints where they are whole, so maps compare with {@code Map.of(..., 10)}. */
    private static Map<String, Object> numbersAsInts(Map<String, Object> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0 ? d.intValueExact() : v));
        return out;
    }

    private static void assertFourSignificantDigits(Object number) {
        BigDecimal d = new BigDecimal(number.toString()).stripTrailingZeros();
        assertTrue(d.precision() <= 4, () -> number + " has more than four significant digits");
    }

    private URI uri(String rel) {
        return URI.create(base + rel);
    }

    private HttpResponse<String> get(String rel) {
        return send(HttpRequest.newBuilder(uri(rel)).timeout(WAIT).GET(), "GET " + rel);
    }

    private HttpResponse<String> post(String rel) {
        return send(HttpRequest.newBuilder(uri(rel)).timeout(WAIT).POST(HttpRequest.BodyPublishers.noBody()), "POST " + rel);
    }

    private HttpResponse<String> delete(String rel) {
        return send(HttpRequest.newBuilder(uri(rel)).timeout(WAIT).DELETE(), "DELETE " + rel);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String what) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(what + " failed", e);
        }
    }
}
