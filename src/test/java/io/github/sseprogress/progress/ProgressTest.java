package io.github.sseprogress.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Progress;
import io.github.sseprogress.internal.wire.EventFormatter;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** The standard payload: validation, factories, and its JSON exactly as the stream sends it. */
class ProgressTest {

    private final EventFormatter formatter = new EventFormatter();

    @Test
    void processingIsSentWithLowerCaseStatusInFieldOrderWithoutNulls() {
        assertThat(formatter.text(Progress.processing(40, "Scanning").withMessage("12 of 30 hosts")))
                .isEqualTo("{\"status\":\"processing\",\"progress\":40,\"step\":\"Scanning\",\"message\":\"12 of 30 hosts\"}");
        assertThat(formatter.text(Progress.processing(0, null))).isEqualTo("{\"status\":\"processing\",\"progress\":0}");
    }

    @Test
    void terminalFactoriesSetStatusAndProgress() {
        assertThat(formatter.text(Progress.completed(Map.of("hosts", List.of("a", "b")))))
                .isEqualTo("{\"status\":\"completed\",\"progress\":100,\"data\":{\"hosts\":[\"a\",\"b\"]}}");
        assertThat(formatter.text(Progress.completed())).isEqualTo("{\"status\":\"completed\",\"progress\":100}");
        assertThat(formatter.text(Progress.failed("Host unreachable")))
                .isEqualTo("{\"status\":\"failed\",\"progress\":0,\"message\":\"Host unreachable\"}");
        assertThat(Progress.completed().isTerminal()).isTrue();
        assertThat(Progress.failed("x").isTerminal()).isTrue();
        assertThat(Progress.processing(99, "x").isTerminal()).isFalse();
    }

    @Test
    void progressOutsideZeroToHundredOrWithoutStatusCannotBeBuilt() {
        assertThatThrownBy(() -> Progress.processing(-1, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> Progress.processing(101, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Progress(null, 1, null, null, null)).isInstanceOf(NullPointerException.class);
        assertThat(Progress.processing(100, "x").progress()).isEqualTo(100);
    }

    @Test
    void doneOfTotalIsAPercentageRoundedDown() {
        assertThat(Progress.processing(1, 3, "s").progress()).isEqualTo(33);
        assertThat(Progress.processing(3, 3, "s").progress()).isEqualTo(100);
        assertThat(Progress.processing(0, 1_000_000_000_000L, "s").progress()).isZero();
        assertThatThrownBy(() -> Progress.processing(4, 3, "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Progress.processing(0, 0, "s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withersKeepEverythingElse() {
        Progress p = Progress.processing(10, "a").withData(Map.of("k", 1)).withMessage("m");
        assertThat(p).isEqualTo(new Progress(Progress.Status.PROCESSING, 10, "a", "m", Map.of("k", 1)));
    }

    @Test
    void statusReadsBackFromItsLowerCaseForm() throws Exception {
        try (Jsonb jsonb = JsonbBuilder.create()) {
            assertThat(jsonb.fromJson("\"failed\"", Progress.Status.class)).isEqualTo(Progress.Status.FAILED);
            assertThat(jsonb.toJson(Progress.Status.COMPLETED)).isEqualTo("\"completed\"");
        }
        assertThat(Progress.Status.PROCESSING.wireName()).isEqualTo("processing");
    }
}
