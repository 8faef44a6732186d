package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.progress.ScanResource;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * A job stream's latest-wins mailbox must never let a snapshot replace the frame that opens the
 * stream: every one of 100 job streams starts with the configured {@code retry:} frame, then the
 * snapshot.
 */
class JobStreamOpeningFrameTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int STREAMS = 100;

    @Test
    void everyJobStreamCarriesTheRetryFrameFirstThenTheSnapshot() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.retry", "1500ms"), ScanResource.class)) {
            Tracker tracker = server.bean(Tracker.class);
            List<RawSseClient> clients = new ArrayList<>();
            List<Job> jobs = new ArrayList<>();
            try {
                for (int i = 0; i < STREAMS; i++) {
                    Job job = tracker.start("opening/" + i).job();
                    job.publish(Progress.processing(10, "step 1"));
                    jobs.add(job);
                    // subscribing to a job that already has a snapshot: the snapshot is offered right
                    // after the opening frame, before the writer has taken it
                    clients.add(RawSseClient.open(server.uri("scans/plain/opening/" + i)).readHead(WAIT));
                }
                List<String> withoutRetry = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    RawSseClient c = clients.get(i);
                    List<SseParser.Event> got = c.readEvents(1, WAIT);
                    assertThat(got).as("stream %d: the snapshot", i).hasSize(1);
                    assertThat(got.get(0).data()).contains("\"progress\":10");
                    String body = new String(c.bodyBytes(), StandardCharsets.UTF_8);
                    String firstFrame = body.substring(0, body.indexOf("\n\n") + 2);
                    if (!firstFrame.startsWith("retry: 1500\n") && !firstFrame.contains("\nretry: 1500\n")) {
                        withoutRetry.add(i + ": " + firstFrame.replace("\n", "\\n"));
                    }
                    assertThat(body.indexOf("retry: 1500")).as("stream %d: retry before the snapshot", i)
                            .isLessThan(body.indexOf("\"progress\":10"));
                }
                assertThat(withoutRetry).as("streams whose first frame is not the retry frame").isEmpty();
            } finally {
                for (Job j : jobs) {
                    j.finish(Progress.completed(null));
                }
                for (RawSseClient c : clients) {
                    c.close();
                }
            }
        }
    }
}
