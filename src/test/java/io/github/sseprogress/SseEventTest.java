package io.github.sseprogress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseEventTest {

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "\n", "x\0y"})
    void idWithLineBreakOrNulIsRefusedNamingTheField(String id) {
        assertThatThrownBy(() -> SseEvent.builder().id(id).data("d").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'id'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "\r"})
    void nameWithLineBreakIsRefusedNamingTheField(String name) {
        assertThatThrownBy(() -> SseEvent.builder().name(name).data("d").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'event'");
    }

    @Test
    void emptyNameIsRefused() {
        assertThatThrownBy(() -> SseEvent.of("", "d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'event'");
    }

    @Test
    void negativeRetryIsRefusedNamingTheField() {
        assertThatThrownBy(() -> SseEvent.builder().retry(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'retry'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "\r\n"})
    void commentWithLineBreakIsRefused(String comment) {
        assertThatThrownBy(() -> SseEvent.builder().comment(comment).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("comment");
    }

    @Test
    void dataMayHoldAnyTextAndFieldsRoundTrip() {
        SseEvent e = SseEvent.builder().id("7").name("progress").data("line1\r\nline2\rline3\n")
                .retry(Duration.ofSeconds(3)).comment("note").build();
        assertThat(e.id()).isEqualTo("7");
        assertThat(e.name()).isEqualTo("progress");
        assertThat(e.data()).isEqualTo("line1\r\nline2\rline3\n");
        assertThat(e.retry()).isEqualTo(Duration.ofSeconds(3));
        assertThat(e.comment()).isEqualTo("note");
        assertThat(e.toBuilder().build()).isEqualTo(e);
    }

    @Test
    void anIdWithSpacesAndUnicodeIsAllowed() {
        assertThat(SseEvent.builder().id(" 42 é").build().id()).isEqualTo(" 42 é");
    }
}
