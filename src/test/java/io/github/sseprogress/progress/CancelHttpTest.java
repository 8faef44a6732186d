package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.internal.wire.SseResponseHeaders;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.testing.TestScheduling;

/**
 * Issue 13 item 1 over real HTTP: {@code DELETE} asks a running job to cancel (202), a finished one
 * answers 409 and an unknown one 404; the work is called back on the callbacks executor, ends
 * {@code cancelled}, and every stream gets that terminal; a job that ignores the request keeps running
 * and finishes normally.
 */
class CancelHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static InProcessServer server;
    private static Tracker tracker;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT).build();
    private final List<RawSseClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms", "sse.write-timeout", "10s",
                "sse.tracker.retention", "1m"), ScanResource.class, SseResponseHeaders.class);
        tracker = server.bean(Tracker.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (RawSseClient c : clients) {
            c.close();
        }
        ScanResource.work = job -> { };
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri(path)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private RawSseClient stream(String id) throws Exception {
        RawSseClient c = RawSseClient.open(server.uri("scans/" + id + "/events")).readHead(WAIT);
        clients.add(c);
        assertThat(c.status()).isEqualTo(200);
        return c;
    }

    /** The next {@code n} events with data. */
    private static List<String> next(RawSseClient c, int n) throws Exception {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < n && System.nanoTime() < deadline && !c.ended()) {
            for (SseParser.Event e : c.readEvents(1, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                if (!e.data().isEmpty()) {
                    out.add(e.data());
                }
            }
        }
        return out;
    }

    private static List<String> rest(RawSseClient c) throws Exception {
        List<String> out = new ArrayList<>();
        for (SseParser.Event e : c.readEvents(Integer.MAX_VALUE, WAIT)) {
            if (!e.data().isEmpty()) {
                out.add(e.data());
            }
        }
        assertThat(c.ended()).as("the server ended the stream").isTrue();
        return out;
    }

    @Test
    void deleteAsksTheRunningWorkWhichIsCalledBackOnTheCallbacksExecutorAndEndsCancelled() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<String> callbackThread = new AtomicReference<>();
        AtomicReference<String> workThread = new AtomicReference<>();
        ScanResource.work = job -> {
            workThread.set(Thread.currentThread().getName());
            job.onCancel(() -> {
                callbackThread.set(Thread.currentThread().getName());
                stop.countDown();
            });
            job.publish(Progress.processing(40, "Scanning"));
            try {
                stop.await(); // the work blocks until its cancel callback wakes it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (Job.current().isCancelRequested()) { // the wrapped work sees the request through Job.current()
                job.finish(Progress.cancelled("Stopped by the user"));
            }
        };
        assertThat(send("POST", "scans/c1").statusCode()).isEqualTo(202);
        RawSseClient c = stream("c1");
        RawSseClient d = stream("c1");
        assertThat(next(c, 1)).containsExactly("{\"status\":\"processing\",\"progress\":40,\"step\":\"Scanning\"}");
        assertThat(callbackThread.get()).as("not called back before the request").isNull();

        assertThat(send("DELETE", "scans/c1").statusCode()).isEqualTo(202);

        String terminal = "{\"status\":\"cancelled\",\"progress\":0,\"message\":\"Stopped by the user\"}";
        for (RawSseClient client : List.of(c, d)) {
            List<String> got = rest(client);
            assertThat(got).isNotEmpty();
            assertThat(got.get(got.size() - 1)).isEqualTo(terminal);
            // before it, at most the snapshot re-sent with the flag (latest-wins may have replaced it)
            assertThat(got.subList(0, got.size() - 1)).allSatisfy(s -> assertThat(s).isIn(
                    "{\"status\":\"processing\",\"progress\":40,\"step\":\"Scanning\"}",
                    "{\"status\":\"processing\",\"progress\":40,\"step\":\"Scanning\",\"cancelRequested\":true}"));
        }
        assertThat(callbackThread.get()).startsWith(TestScheduling.CALLBACK_PREFIX)
                .doesNotStartWith(TestScheduling.THREAD_PREFIX).isNotEqualTo(workThread.get());
        Tracker.Snapshot latest = tracker.latest("scan/c1").orElseThrow();
        assertThat(latest.finished()).isTrue();
        assertThat(latest.data()).isEqualTo(Progress.cancelled("Stopped by the user"));

        HttpResponse<String> again = send("DELETE", "scans/c1");
        assertThat(again.statusCode()).as("finished: 409").isEqualTo(409);
        HttpResponse<String> unknown = send("DELETE", "scans/never-started");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"status\":404,\"error\":\"No such topic\"}");
    }

    @Test
    void aJobThatIgnoresTheRequestKeepsRunningShowsItAndFinishesNormally() throws Exception {
        CountDownLatch proceed = new CountDownLatch(1);
        ScanResource.work = job -> {
            job.publish(Progress.indeterminate("Queued"));
            try {
                proceed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            job.finish(Progress.completed("all hosts"));
        };
        assertThat(send("POST", "scans/c2").statusCode()).isEqualTo(202);
        RawSseClient c = stream("c2");
        assertThat(next(c, 1)).containsExactly("{\"status\":\"processing\",\"step\":\"Queued\",\"indeterminate\":true}");

        assertThat(send("DELETE", "scans/c2").statusCode()).isEqualTo(202);
        assertThat(next(c, 1)).as("watchers learn that a cancel was asked for").containsExactly(
                "{\"status\":\"processing\",\"step\":\"Queued\",\"indeterminate\":true,\"cancelRequested\":true}");
        assertThat(send("DELETE", "scans/c2").statusCode()).as("still running: asked again").isEqualTo(202);
        Job job = tracker.startOrJoin("scan/c2").job();
        assertThat(job.isCancelRequested()).isTrue();
        assertThat(job.isFinished()).isFalse();

        proceed.countDown();
        assertThat(rest(c)).containsExactly("{\"status\":\"completed\",\"progress\":100,\"data\":\"all hosts\"}");
        assertThat(send("DELETE", "scans/c2").statusCode()).isEqualTo(409);
        await().atMost(WAIT).until(() -> tracker.subscriberCount("scan/c2") == 0);
    }
}
