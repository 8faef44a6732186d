package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Job;

/** Work-side ergonomics: Job.current() inside wrapped tasks, the no-op job everywhere else. */
class CurrentJobTest {

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** A job that only records, so this test needs no tracker. */
    private static final class NamedJob implements Job {
        private final String topic;

        NamedJob(String topic) {
            this.topic = topic;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void publish(Object snapshot) {
        }

        @Override
        public boolean finish(Object terminal) {
            return true;
        }

        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public boolean awaitSubscriber(Duration timeout) {
            return true;
        }
    }

    @Test
    void outsideAnyWrappedTaskTheCurrentJobIsTheNoOpJob() throws Exception {
        Job none = Job.current();
        assertThat(none).isSameAs(Job.none());
        assertThat(none.topic()).isEmpty();
        none.publish("ignored");
        none.publish(null);
        assertThat(none.finish("ignored")).isFalse();
        assertThat(none.isFinished()).isFalse();
        long t0 = System.nanoTime();
        assertThat(none.awaitSubscriber(Duration.ofSeconds(30))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("returns at once").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWrappedTaskSeesItsJobOnlyWhileItRuns() throws Exception {
        Job job = new NamedJob("scan/1");
        assertThat(executor.submit(job.wrap(Job::current)).get(10, TimeUnit.SECONDS)).isSameAs(job);
        // the same pooled thread, running an unwrapped task afterwards, has no job any more
        assertThat(executor.submit(Job::current).get(10, TimeUnit.SECONDS)).isSameAs(Job.none());
        Job[] seen = {null};
        executor.submit(job.wrap(() -> {
            seen[0] = Job.current();
        })).get(10, TimeUnit.SECONDS);
        assertThat(seen[0]).isSameAs(job);
        assertThat(Job.current()).as("the submitting thread is unaffected").isSameAs(Job.none());
    }

    @Test
    void aTaskThatThrowsStillRestoresTheBinding() throws Exception {
        Job job = new NamedJob("scan/throws");
        Runnable failing = job.wrap((Runnable) () -> {
            throw new IllegalStateException("boom");
        });
        // the task's own failure propagates unchanged; a wrap that swallowed it would fail here
        IllegalStateException thrown = assertThrows(IllegalStateException.class, failing::run);
        assertThat(thrown).hasMessage("boom");
        assertThat(Job.current()).isSameAs(Job.none());
    }

    @Test
    void nestedWrappingRestoresTheOuterJob() throws Exception {
        Job outer = new NamedJob("outer");
        Job inner = new NamedJob("inner");
        String seen = outer.wrap(() -> {
            String during = inner.wrap(() -> Job.current().topic()).call();
            return during + "," + Job.current().topic();
        }).call();
        assertThat(seen).isEqualTo("inner,outer");
        assertThat(Job.current()).isSameAs(Job.none());
    }
}
