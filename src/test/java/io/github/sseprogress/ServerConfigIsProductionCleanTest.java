package io.github.sseprogress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@code server-config/} is what production copies: nothing in it may exist only for the tests or the
 * demo (those settings live in {@code src/it/} and {@code src/demo/}), and the listening host is a
 * variable. Reads the live settings of every file except READMEs; comments are ignored.
 */
class ServerConfigIsProductionCleanTest {

    private static final Path SERVER_CONFIG = Path.of("server-config");

    /** Settings that exist only for the test harness or the ITs' assertions. */
    private static final List<String> TEST_ONLY = List.of(
            "localConnector",               // Arquillian's JMX deployment route
            "applicationMonitor",           // Arquillian's dropins polling
            "sseprogress.it",               // IT marker variable / property
            "SSEPROGRESS_IT",               // IT marker environment variable
            "sse.polling.interval");        // the ITs' override of the application's own setting

    private static final Pattern HTTP_ENDPOINT_HOST = Pattern.compile("<httpEndpoint\\b[^>]*\\bhost=\"([^\"]*)\"");

    @Test
    void noTestOnlySettingInServerConfig() throws IOException {
        List<Path> files = configFiles();
        assertThat(files).as("config files under %s", SERVER_CONFIG.toAbsolutePath()).isNotEmpty();
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            String live = withoutComments(file);
            for (String key : TEST_ONLY) {
                if (live.contains(key)) {
                    found.add(SERVER_CONFIG.relativize(file) + ": " + key);
                }
            }
        }
        assertThat(found).as("test-only settings belong in src/it/ or src/demo/, not in server-config/").isEmpty();
    }

    @Test
    void noServerEnvironmentFile() throws IOException {
        assertThat(configFiles()).as("server.env in server-config/ (a production environment is the user's)")
                .noneMatch(f -> f.getFileName().toString().equals("server.env"));
    }

    @Test
    void libertyListensOnAVariableHost() throws IOException {
        String serverXml = withoutComments(SERVER_CONFIG.resolve("liberty/server.xml"));
        Matcher host = HTTP_ENDPOINT_HOST.matcher(serverXml);
        assertThat(host.find()).as("httpEndpoint with a host attribute in server-config/liberty/server.xml").isTrue();
        assertThat(host.group(1)).as("the listening host").isEqualTo("${http.host}");
        assertThat(serverXml).contains("<variable name=\"http.host\" defaultValue=");
    }

    private static List<Path> configFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(SERVER_CONFIG)) {
            return paths.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().toLowerCase().endsWith(".md"))
                    .sorted().toList();
        }
    }

    /** The file's text without XML comments and without lines starting with {@code #}. */
    private static String withoutComments(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).replaceAll("(?s)<!--.*?-->", "");
        return text.lines().filter(line -> !line.stripLeading().startsWith("#")).reduce("", (a, b) -> a + b + "\n");
    }
}
