package io.github.sseprogress.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.stream.StreamsBean;

/** The WebSocket handshake follows {@code sse.cors.allowed-origins}: a browser from another origin is refused (403). */
class HandshakeOriginTest {

    private static HandshakeConfigurator configurator(Map<String, String> props) {
        StreamsBean streams = mock(StreamsBean.class);
        when(streams.config()).thenReturn(new SseConfig(k -> Optional.ofNullable(props.get(k))));
        return new HandshakeConfigurator(streams);
    }

    @Test
    void withAnAllowListOnlyListedOriginsAndNonBrowsersPass() {
        HandshakeConfigurator c = configurator(Map.of("sse.cors.allowed-origins", "https://app.example.com"));
        assertThat(c.checkOrigin("https://app.example.com")).isTrue();
        assertThat(c.checkOrigin("https://evil.example.com")).isFalse();
        assertThat(c.checkOrigin("https://app.example.com:444")).as("exact match only").isFalse();
        assertThat(c.checkOrigin(null)).as("no Origin: not a browser").isTrue();
    }
    // Unset, checkOrigin is the container's own (super); WebSocketIT covers it on both servers.
}
