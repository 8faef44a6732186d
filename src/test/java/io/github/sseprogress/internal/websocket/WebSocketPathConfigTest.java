package io.github.sseprogress.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.sseprogress.internal.config.SseConfig;

/** {@code sse.streams.websocket.path}: unset is off; a set value is a path in the web application or fails the deployment. */
class WebSocketPathConfigTest {

    private static SseConfig with(String path) {
        Map<String, String> values = path == null ? Map.of() : Map.of(SseConfig.STREAMS_WEBSOCKET_PATH, path);
        return new SseConfig(k -> Optional.ofNullable(values.get(k)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ws", "/api/ws", " /api/streams.ws ", "/a-b_c~d/e%20f"})
    void aPathInTheApplicationIsTaken(String path) {
        assertThat(with(path).websocketPath()).isEqualTo(path.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void unsetOrBlankIsOff(String path) {
        assertThat(with(null).websocketPath()).isNull();
        assertThat(with(path).websocketPath()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "/", "//ws", "/a//b", "/ws/{id}", "/ws?x=1", "/ws#f", "/w s", "http://host/ws"})
    void anythingElseFailsNamingTheKey(String path) {
        assertThatThrownBy(() -> with(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sse.streams.websocket.path'");
    }

    @org.junit.jupiter.api.Test
    void aPathOverTwoHundredCharactersFails() {
        assertThat(with("/" + "a".repeat(199)).websocketPath()).hasSize(200);
        assertThatThrownBy(() -> with("/" + "a".repeat(200))).isInstanceOf(IllegalArgumentException.class);
    }
}
