package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

import jakarta.ws.rs.ServiceUnavailableException;

/** Shutdown ends every stream and drops every job (its own server: the tracker does not come back). */
class TrackerShutdownHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void shutdownEndsEveryStreamAndDropsEveryJob() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms"), ScanResource.class)) {
            Tracker tracker = server.bean(Tracker.class);
            Job running = tracker.start("running").job();
            running.publish("half");
            Job retained = tracker.start("retained").job();
            retained.finish("done");
            Job waiting = tracker.start("waiting").job();
            CompletableFuture<Boolean> watched = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiting.awaitSubscriber(Duration.ofMinutes(1));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RawSseClient a = RawSseClient.open(server.uri("scans/topic/running")).readHead(WAIT);
                    RawSseClient b = RawSseClient.open(server.uri("scans/topic/running")).readHead(WAIT)) {
                assertThat(a.readEvents(1, WAIT)).extracting(SseParser.Event::data).containsExactly("half");
                assertThat(b.readEvents(1, WAIT)).hasSize(1);

                tracker.shutdown();

                for (RawSseClient c : List.of(a, b)) {
                    assertThat(c.awaitEnd(WAIT)).as("stream ended").isTrue();
                    assertThat(c.parser().takeEvents()).as("no terminal event: a browser reconnects").isEmpty();
                }
            }
            assertThat(tracker.topics()).isEmpty();
            assertThat(running.isFinished()).isTrue();
            running.publish("ignored");
            assertThat(running.finish("ignored")).isFalse();
            assertThat(watched.get()).as("waiters are released").isFalse();
            assertThatThrownBy(() -> tracker.start("new")).isInstanceOf(ServiceUnavailableException.class);
            assertThatThrownBy(() -> tracker.startOrJoin("running")).isInstanceOf(ServiceUnavailableException.class);
            try (RawSseClient late = RawSseClient.open(server.uri("scans/topic/running")).readHead(WAIT)) {
                assertThat(late.status()).isEqualTo(503);
            }
        }
    }
}
