package io.github.sseprogress.internal.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

/** Issue 13 item 1: the cancel request and its callbacks, with an executor that only records tasks. */
class CancelSignalTest {

    private final List<Runnable> tasks = new ArrayList<>();
    private final Executor recording = tasks::add;
    private final List<String> ran = new ArrayList<>();
    private final CancelSignal signal = new CancelSignal();

    private void runTasks() {
        List<Runnable> now = new ArrayList<>(tasks);
        tasks.clear();
        now.forEach(Runnable::run);
    }

    @Test
    void callbacksRunOnceOnTheExecutorNeverOnTheRequestingThreadInRegistrationOrder() {
        signal.onCancel(() -> ran.add("a"));
        signal.onCancel(() -> ran.add("b"));
        assertThat(signal.isRequested()).isFalse();
        assertThat(signal.request(recording, () -> ran.add("first"))).isTrue();
        assertThat(signal.isRequested()).isTrue();
        assertThat(ran).as("nothing runs on the requesting thread").isEmpty();
        assertThat(tasks).hasSize(1);
        runTasks();
        assertThat(ran).containsExactly("first", "a", "b");
        assertThat(signal.request(recording, () -> ran.add("again"))).as("requested once").isFalse();
        assertThat(tasks).isEmpty();
    }

    @Test
    void aCallbackRegisteredAfterTheRequestIsHandedToTheExecutorAtOnce() {
        signal.request(recording, null);
        assertThat(tasks).as("no callback, no task").isEmpty();
        signal.onCancel(() -> ran.add("late"));
        assertThat(ran).isEmpty();
        assertThat(tasks).hasSize(1);
        runTasks();
        assertThat(ran).containsExactly("late");
    }

    @Test
    void aJobThatEndsWithoutARequestNeverCallsBack() {
        signal.onCancel(() -> ran.add("a"));
        signal.ended();
        assertThat(signal.request(recording, () -> ran.add("first"))).isFalse();
        signal.onCancel(() -> ran.add("b"));
        assertThat(tasks).isEmpty();
        assertThat(signal.isRequested()).isFalse();
    }

    @Test
    void theEndAfterARequestKeepsItRequestedAndAFailingCallbackDoesNotStopTheOthers() {
        signal.onCancel(() -> {
            throw new IllegalStateException("boom");
        });
        signal.onCancel(() -> ran.add("b"));
        signal.request(recording, null);
        signal.ended();
        assertThat(signal.isRequested()).isTrue();
        runTasks();
        assertThat(ran).containsExactly("b");
    }
}
