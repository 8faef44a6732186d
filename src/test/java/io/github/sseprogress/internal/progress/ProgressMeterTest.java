package io.github.sseprogress.internal.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Progress;
import io.github.sseprogress.internal.wire.EventFormatter;

/** Issue 13 item 2: what a running {@code Progress} is sent as, with the job's clock replaced by a fake one. */
class ProgressMeterTest {

    private final AtomicLong clock = new AtomicLong();
    private final List<Progress> published = new ArrayList<>();
    private final ProgressMeter meter = new ProgressMeter(clock::get, (p, exact) -> published.add(p));
    private final EventFormatter json = new EventFormatter();

    private String send(Object snapshot, double seconds) {
        clock.set(Math.round(seconds * 1e9));
        return json.text(meter.wire(snapshot, Double.NaN));
    }

    @Test
    void rateAndEtaAreAddedOnceKnownRoundedToFourSignificantDigits() {
        assertThat(send(Progress.processing(0, "Scanning").withMessage("m"), 0))
                .as("nothing known yet: exactly the Progress's own JSON")
                .isEqualTo(json.text(Progress.processing(0, "Scanning").withMessage("m")));
        // 10 % in 3 s: 3.333… %/s, 90 % left: 27 s
        assertThat(send(Progress.processing(10, "Scanning"), 3))
                .isEqualTo("{\"status\":\"processing\",\"progress\":10,\"step\":\"Scanning\",\"rate\":3.333,\"eta\":27.0}");
    }

    @Test
    void indeterminateProgressIsSentWithoutPercentageRateOrEta() {
        send(Progress.processing(0, null), 0);
        send(Progress.processing(10, null), 1);
        assertThat(send(Progress.indeterminate("Waiting for a worker"), 2))
                .isEqualTo("{\"status\":\"processing\",\"step\":\"Waiting for a worker\",\"indeterminate\":true}");
        // the percentage comes back: the time in between went into the next sample (10 % in 2 s)
        assertThat(send(Progress.processing(20, null), 3)).contains("\"rate\":");
    }

    @Test
    void terminalsAndOtherPayloadsAreSentAsTheyAre() {
        send(Progress.processing(0, null), 0);
        send(Progress.processing(50, null), 1);
        Progress done = Progress.completed("r");
        assertThat(meter.wire(done, Double.NaN)).isSameAs(done);
        assertThat(meter.wire("text", Double.NaN)).isEqualTo("text");
    }

    @Test
    void afterACancelRequestRunningSnapshotsSayIt() {
        send(Progress.processing(5, "a"), 0);
        meter.cancel.request(Runnable::run, null);
        assertThat(send(Progress.processing(5, "a"), 0)).endsWith(",\"cancelRequested\":true}");
        assertThat(meter.last()).isEqualTo(Progress.processing(5, "a"));
    }

    @Test
    void theSnapshotReSentOnCancelKeepsItsExactPercentageSoTheEstimateGoesOn() {
        List<String> sent = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<ProgressMeter> holder = new java.util.concurrent.atomic.AtomicReference<>();
        ProgressMeter m = new ProgressMeter(clock::get, (p, exact) -> sent.add(json.text(holder.get().wire(p, exact))));
        holder.set(m);
        var step = m.step("third", 100.0 / 3); // 0 % at 0 s
        clock.set(1_000_000_000L);
        step.progress(50); // 16.67 % at 1 s: 16.67 %/s, whole percentage 16
        assertThat(sent.get(sent.size() - 1)).isEqualTo(
                "{\"status\":\"processing\",\"progress\":16,\"step\":\"third\",\"rate\":16.67,\"eta\":5.0}");
        m.cancel.request(Runnable::run, m::republish);
        assertThat(sent.get(sent.size() - 1)).as("not restarted by the whole 16 being below the exact 16.67").isEqualTo(
                "{\"status\":\"processing\",\"progress\":16,\"step\":\"third\",\"rate\":16.67,\"eta\":5.0,"
                        + "\"cancelRequested\":true}");
    }

    @Test
    void stepsPublishTheirRollUpWithItsExactPercentage() {
        List<Double> exact = new ArrayList<>();
        ProgressMeter m = new ProgressMeter(clock::get, (p, pct) -> {
            published.add(p);
            exact.add(pct);
        });
        try (var s = m.step("third", 100.0 / 3)) {
            s.progress(50);
        }
        assertThat(published).containsExactly(Progress.processing(0, "third"), Progress.processing(16, "third"),
                Progress.processing(33, null));
        assertThat(exact.get(1)).isCloseTo(100.0 / 3 * 0.5, org.assertj.core.api.Assertions.within(1e-9));
    }
}
