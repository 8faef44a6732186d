package io.github.sseprogress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.config.SseConfig;

/** The keys of issue 14 items 3, 4 and 7: defaults, parsing, and a clear error for bad values. */
class LimitsConfigTest {

    private static SseConfig of(Map<String, String> props) {
        return new SseConfig(k -> Optional.ofNullable(props.get(k)));
    }

    @Test
    void defaults() {
        SseConfig c = of(Map.of());
        assertThat(c.maxStreams()).isEqualTo(10_000);
        assertThat(c.maxStreamsPerTopic()).isZero();
        assertThat(c.maxStreamsPerPrincipal()).isEqualTo(100);
        assertThat(c.maxStreamsPerAddress()).isEqualTo(1_000);
        assertThat(c.maxTopics()).isEqualTo(10_000);
        assertThat(c.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.clientAddressHeader()).isNull();
        assertThat(c.corsAllowedOrigins()).isEmpty();
        assertThat(c.corsAllowCredentials()).isFalse();
        assertThat(c.queryToken()).isFalse();
        assertThat(c.queryTokenName()).isEqualTo("access_token");
    }

    @Test
    void valuesAreRead() {
        SseConfig c = of(Map.of("sse.limits.max-streams", "0", "sse.limits.max-streams-per-topic", "50",
                "sse.limits.retry-after", "30s", "sse.limits.client-address-header", "X-Forwarded-For",
                "sse.cors.allowed-origins", " https://a.example.com , http://localhost:8080,",
                "sse.cors.allow-credentials", "TRUE", "sse.auth.query-token", "true"));
        assertThat(c.maxStreams()).isZero();
        assertThat(c.maxStreamsPerTopic()).isEqualTo(50);
        assertThat(c.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.clientAddressHeader()).isEqualTo("X-Forwarded-For");
        assertThat(c.corsAllowedOrigins()).isEqualTo(List.of("https://a.example.com", "http://localhost:8080"));
        assertThat(c.corsAllowCredentials()).isTrue();
        assertThat(c.queryToken()).isTrue();
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> of(Map.of("sse.limits.max-streams", "-1")))
                .hasMessageContaining("sse.limits.max-streams");
        assertThatThrownBy(() -> of(Map.of("sse.cors.allowed-origins", "*")))
                .hasMessageContaining("sse.cors.allowed-origins").hasMessageContaining("no *");
        assertThatThrownBy(() -> of(Map.of("sse.cors.allowed-origins", "https://a.example.com/")))
                .hasMessageContaining("sse.cors.allowed-origins");
        assertThatThrownBy(() -> of(Map.of("sse.cors.allow-credentials", "yes")))
                .hasMessageContaining("sse.cors.allow-credentials");
        assertThatThrownBy(() -> of(Map.of("sse.limits.client-address-header", "X Forwarded")))
                .hasMessageContaining("sse.limits.client-address-header");
        assertThatThrownBy(() -> of(Map.of("sse.limits.retry-after", "2d")))
                .hasMessageContaining("sse.limits.retry-after");
    }
}
