package io.github.sseprogress.metrics.it;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import io.github.sseprogress.testing.servers.TestWar;

/**
 * The WAR both servers run, assembled from what the it-servers profile prepared: the test application's classes
 * ({@code io/github/sseprogress/metrics/it/app} of the test classes) in {@code WEB-INF/classes}; this module's jar
 * and sse-progress ({@code target/metrics-it/lib}) in {@code WEB-INF/lib} (the core's test utility {@link TestWar}).
 */
final class MetricsWar {

    static final String APP_PACKAGE = "io/github/sseprogress/metrics/it/app";

    private MetricsWar() {
    }

    static Path build(Path war) {
        return build(war, List.of());
    }

    /**
     * The same WAR with {@code extraLibs} in {@code WEB-INF/lib} too (ClusterMetricsIT: sse-progress-redis and
     * Jedis with its dependencies).
     */
    static Path build(Path war, List<Path> extraLibs) {
        return TestWar.build(war, Path.of(required("it.metrics.appClasses")), APP_PACKAGE,
                Path.of(required("it.metrics.moduleJar")), Path.of(required("it.metrics.dir")).resolve("lib"),
                List.of("sse-progress-"), extraLibs);
    }

    /**
     * The demo WAR the core built ({@code target/sse-demo.war}, profiles demo, demo-payara, it-browser) with this
     * module's jar in {@code WEB-INF/lib}, as a user adds it (one it may already hold is replaced).
     */
    static Path demoWithMetrics(Path demoWar, Path out) {
        Path moduleJar = Path.of(required("it.metrics.moduleJar"));
        if (!Files.isRegularFile(demoWar)) {
            throw new IllegalStateException("the demo WAR " + demoWar + " is missing: build the core with -Pit-browser"
                    + " (test.sh does) or -Pdemo first");
        }
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(demoWar.toFile());
                OutputStream o = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(o)) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(in.entries())) {
                if (e.getName().startsWith("WEB-INF/lib/sse-progress-metrics")) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                try (java.io.InputStream data = in.getInputStream(e)) {
                    data.transferTo(zip);
                }
                zip.closeEntry();
            }
            TestWar.add(zip, "WEB-INF/lib/" + moduleJar.getFileName(), moduleJar);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String required(String property) {
        return TestWar.required(property, "it-servers");
    }
}
