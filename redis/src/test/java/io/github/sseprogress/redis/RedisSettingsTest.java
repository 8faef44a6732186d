package io.github.sseprogress.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The engine's configuration: defaults, validation with the key named, and no password in logs. */
class RedisSettingsTest {

    private static Optional<RedisSettings> read(Map<String, String> values) {
        return RedisSettings.read(key -> Optional.ofNullable(values.get(key)));
    }

    @Test
    void withoutTheUriTheEngineIsOff() {
        assertThat(read(Map.of())).isEmpty();
        assertThat(read(Map.of("sse.cluster.redis.uri", "  "))).isEmpty();
        assertThat(new RedisEngine(read(Map.of()).orElse(null)).enabled()).isFalse();
    }

    @Test
    void defaultsAreTheReadmes() {
        RedisSettings s = read(Map.of("sse.cluster.redis.uri", "redis://127.0.0.1:6379")).orElseThrow();
        assertThat(s.prefix()).isEqualTo("sse-progress:");
        assertThat(s.historySize()).isEqualTo(1000);
        assertThat(s.historyAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.lease()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.checkInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.outboxSize()).isEqualTo(10_000);
        assertThat(s.maxMessageSize()).isEqualTo(1 << 20);
        assertThat(s.node()).matches("[A-Za-z0-9._-]+-[a-z0-9]+");
        assertThat(s.channel()).isEqualTo("sse-progress:events");
    }

    @Test
    void invalidValuesNameTheKeyAndNeverTheSecret() {
        assertThatThrownBy(() -> read(Map.of("sse.cluster.redis.uri", "http://user:s3cret@h:1")))
                .hasMessageContaining("sse.cluster.redis.uri").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> read(Map.of("sse.cluster.redis.uri", "redis://h", "sse.cluster.redis.lease", "0")))
                .hasMessageContaining("sse.cluster.redis.lease");
        assertThatThrownBy(() -> read(Map.of("sse.cluster.redis.uri", "redis://h", "sse.cluster.redis.history-size", "x")))
                .hasMessageContaining("sse.cluster.redis.history-size");
        assertThatThrownBy(() -> read(Map.of("sse.cluster.redis.uri", "redis://h", "sse.cluster.node-name", "a b")))
                .hasMessageContaining("sse.cluster.node-name");
        RedisSettings s = read(Map.of("sse.cluster.redis.uri", "rediss://u:s3cret@h:6380/2")).orElseThrow();
        assertThat(s.toString()).doesNotContain("s3cret");
    }

    @Test
    void everyKeyIsInTheReadmesTableWithItsDefault() throws Exception {
        java.util.List<String> rows = java.nio.file.Files.readAllLines(java.nio.file.Path.of("..", "README.md")).stream()
                .filter(l -> l.startsWith("| `sse.cluster.")).toList();
        Map<String, String> defaults = Map.of(RedisSettings.URI_KEY, "none", RedisSettings.NODE, "host name",
                RedisSettings.PREFIX, "`sse-progress:`", RedisSettings.HISTORY_SIZE, "`1000`",
                RedisSettings.HISTORY_AGE, "`10m`", RedisSettings.LEASE, "`10s`", RedisSettings.TIMEOUT, "`2s`",
                RedisSettings.CHECK_INTERVAL, "`5s`", RedisSettings.OUTBOX_SIZE, "`10000`",
                RedisSettings.MAX_MESSAGE_SIZE, "`1048576`");
        for (java.lang.reflect.Field f : RedisSettings.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                assertThat(defaults).as("a default expectation for " + f.getName()).containsKey((String) f.get(null));
            }
        }
        defaults.forEach((key, def) -> assertThat(rows).as("README row for " + key).anySatisfy(row -> {
            String[] cells = row.split("\\|");
            assertThat(cells[1].trim()).isEqualTo("`" + key + "`");
            assertThat(cells[2].trim()).startsWith(def);
        }));
    }
}
