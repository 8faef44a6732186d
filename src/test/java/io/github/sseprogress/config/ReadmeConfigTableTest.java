package io.github.sseprogress.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.config.SseConfig;

/** Every configuration key of the library is in the README's table, with a default. */
class ReadmeConfigTableTest {

    @Test
    void everyKeyHasARowWithADefault() throws Exception {
        List<String> rows = Files.readAllLines(Path.of("README.md")).stream().filter(l -> l.startsWith("| `sse."))
                .toList();
        List<String> keys = new ArrayList<>();
        for (Field f : SseConfig.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && Modifier.isPublic(f.getModifiers())) {
                String value = (String) f.get(null);
                if (value.startsWith("sse.") && !value.equals(SseConfig.PREFIX)) {
                    keys.add(value);
                }
            }
        }
        assertThat(keys).hasSizeGreaterThan(10);
        for (String key : keys) {
            assertThat(rows).as("README row for " + key).anySatisfy(row -> {
                String[] cells = row.split("\\|");
                assertThat(cells[1].trim()).isEqualTo("`" + key + "`");
                assertThat(cells[2].trim()).as("default of " + key).isNotEmpty();
            });
        }
    }
}
