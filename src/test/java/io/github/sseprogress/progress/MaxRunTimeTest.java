package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.NoSuchTopicException;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.topic.CaptureResource;
import io.github.sseprogress.topic.RecordingSink;

import jakarta.ws.rs.sse.Sse;

/** Issue 10 item 12: a job whose code never finishes is finished {@code failed} after sse.tracker.max-run-time. */
class MaxRunTimeTest {

    private static InProcessServer server;
    private static Tracker tracker;
    private static Sse sse;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0", "sse.tracker.max-run-time", "400ms",
                "sse.tracker.retention", "300ms"), CaptureResource.class);
        tracker = server.bean(Tracker.class);
        sse = CaptureResource.capture(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aJobThatForgetsFinishEndsFailedThenLeavesMemory() {
        Job job = tracker.start("forgotten").job();
        job.publish("working");
        RecordingSink sink = new RecordingSink();
        tracker.subscribe("forgotten", sink, sse);
        await().atMost(Duration.ofSeconds(10)).until(job::isFinished);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.data.size() == 2);
        assertThat(sink.data).containsExactly("working",
                "{\"status\":\"failed\",\"progress\":0,\"message\":\"The job did not finish within 0.4s\"}");
        assertThat(job.finish("too late")).as("the terminal stays the first one").isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> !tracker.topics().contains("forgotten"));
        assertThatThrownBy(() -> tracker.latest("forgotten")).isInstanceOf(NoSuchTopicException.class);
    }

    @Test
    void aJobThatFinishesInTimeKeepsItsOwnTerminal() {
        Job job = tracker.start("in-time").job();
        RecordingSink sink = new RecordingSink();
        tracker.subscribe("in-time", sink, sse);
        assertThat(job.finish("done")).isTrue();
        // retention (300 ms) ends after the max run time (400 ms from start) would have fired
        await().atMost(Duration.ofSeconds(10)).until(() -> !tracker.topics().contains("in-time"));
        assertThat(sink.data).containsExactly("done");
    }
}
