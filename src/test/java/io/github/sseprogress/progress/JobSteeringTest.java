package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;
import io.github.sseprogress.NoSuchTopicException;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.TestScheduling;

/** Issue 13 items 1 and 3 on the real beans: cancel requests and callbacks, and steps reported from deep inside the work. */
class JobSteeringTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static InProcessServer server;
    private static Tracker tracker;

    @BeforeAll
    static void start() {
        server = InProcessServer.start(Map.of("sse.heartbeat-interval", "200ms", "sse.tracker.retention", "1m"),
                ScanResource.class);
        tracker = server.bean(Tracker.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void cancelCallsTheWorkBackOnceInOrderOnTheCallbacksExecutorAndJobCurrentSeesIt() {
        Job job = tracker.start("cancel/a").job();
        List<String> ran = new CopyOnWriteArrayList<>();
        job.onCancel(() -> ran.add("1 " + Thread.currentThread().getName()));
        job.onCancel(() -> ran.add("2 " + Thread.currentThread().getName()));
        AtomicBoolean seen = new AtomicBoolean();
        job.wrap(() -> seen.set(Job.current().isCancelRequested())).run();
        assertThat(seen).isFalse();
        assertThat(ran).isEmpty();

        assertThat(tracker.cancel("cancel/a")).isTrue();
        assertThat(job.isCancelRequested()).isTrue();
        job.wrap(() -> seen.set(Job.current().isCancelRequested())).run();
        assertThat(seen).isTrue();
        await().atMost(WAIT).until(() -> ran.size() == 2);
        assertThat(tracker.cancel("cancel/a")).as("running: asked (again)").isTrue();
        job.onCancel(() -> ran.add("3 " + Thread.currentThread().getName())); // after the request: at once, async
        await().atMost(WAIT).until(() -> ran.size() == 3);
        assertThat(ran).extracting(s -> s.substring(0, 1)).containsExactly("1", "2", "3");
        assertThat(ran).allSatisfy(s -> assertThat(s.substring(2)).startsWith(TestScheduling.CALLBACK_PREFIX));

        assertThat(job.isFinished()).as("cooperative: nothing ends the job but the work").isFalse();
        assertThat(job.finish(Progress.cancelled())).isTrue();
        assertThat(job.finish(Progress.cancelled("again"))).as("idempotent like every terminal").isFalse();
        assertThat(job.finish(Progress.failed("late net"))).isFalse();
        assertThat(tracker.latest("cancel/a").orElseThrow().data()).isEqualTo(Progress.cancelled());
        assertThat(tracker.cancel("cancel/a")).as("finished: nobody to ask").isFalse();
    }

    @Test
    void workThatFinishesAnywayFinishesNormally() {
        Job job = tracker.start("cancel/b").job();
        tracker.cancel("cancel/b");
        assertThat(job.finish(Progress.completed("done anyway"))).isTrue();
        Tracker.Snapshot s = tracker.latest("cancel/b").orElseThrow();
        assertThat(s.data()).isEqualTo(Progress.completed("done anyway"));
        assertThat(s.finished()).isTrue();
    }

    @Test
    void cancelOfAnUnknownOrInvalidTopicThrows() {
        assertThatThrownBy(() -> tracker.cancel("cancel/never")).isInstanceOf(NoSuchTopicException.class);
        assertThatThrownBy(() -> tracker.cancel("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tracker.cancel(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theNoOpJobIsNeverCancelledAndItsStepsDoNothing() {
        Job none = Job.current();
        assertThat(none).isSameAs(Job.none());
        assertThat(none.isCancelRequested()).isFalse();
        none.onCancel(() -> { throw new AssertionError("never called"); });
        try (Job.Step s = none.step("x", 50)) {
            s.step("y", 10).progress(50);
            s.progress(100);
        }
        assertThatThrownBy(() -> none.step("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Library code that knows nothing of the job: it reports through {@link Job#current()}. */
    private static void index(int files) {
        try (Job.Step index = Job.current().step("Indexing", 30)) {
            for (int i = 1; i <= files / 2; i++) {
                index.progress(i * 100.0 / files);
            }
            // returns early: the step is closed and fills its share
        }
    }

    @Test
    void stepsReportedDeepInsideTheWorkRollUpIntoTheJobsProgress() {
        Job job = tracker.start("steps/a").job();
        job.wrap(() -> {
            try (Job.Step download = Job.current().step("Downloading", 60)) {
                download.progress(50);
                assertThat(tracker.latest("steps/a").orElseThrow().data()).isEqualTo(Progress.processing(30, "Downloading"));
                try (Job.Step verify = download.step("Verifying", 50)) {
                    verify.progress(50);
                    assertThat(tracker.latest("steps/a").orElseThrow().data())
                            .isEqualTo(Progress.processing(45, "Verifying"));
                }
            }
            assertThat(tracker.latest("steps/a").orElseThrow().data()).isEqualTo(Progress.processing(60, null));
            index(10);
            assertThat(tracker.latest("steps/a").orElseThrow().data()).isEqualTo(Progress.processing(90, null));
        }).run();
        job.finish(Progress.completed());
    }
}
