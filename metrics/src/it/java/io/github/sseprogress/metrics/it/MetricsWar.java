package io.github.sseprogress.metrics.it;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The WAR both servers run, assembled from what the it-servers profile prepared: the test application's classes
 * ({@code io/github/sseprogress/metrics/it/app} of the test classes) in {@code WEB-INF/classes}; this module's jar
 * and sse-progress ({@code target/metrics-it/lib}) in {@code WEB-INF/lib}. No web.xml,
 * no beans.xml of its own: the resources are {@code @ApplicationScoped} (annotated discovery), the jars bring
 * their own.
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
        Path classes = Path.of(required("it.metrics.appClasses"));
        Path moduleJar = Path.of(required("it.metrics.moduleJar"));
        Path lib = Path.of(required("it.metrics.dir")).resolve("lib");
        try {
            Files.createDirectories(war.getParent());
            List<Path> libs;
            try (Stream<Path> s = Files.list(lib)) {
                libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
            if (libs.stream().noneMatch(p -> p.getFileName().toString().startsWith("sse-progress-"))) {
                throw new IllegalStateException("the it-servers profile copies sse-progress into " + lib
                        + "; found " + libs);
            }
            if (!Files.isRegularFile(moduleJar)) {
                throw new IllegalStateException("this module's jar is missing: " + moduleJar);
            }
            List<Path> appClasses;
            try (Stream<Path> s = Files.walk(classes.resolve(APP_PACKAGE))) {
                appClasses = s.filter(Files::isRegularFile).sorted().toList();
            }
            try (OutputStream out = Files.newOutputStream(war); ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Path c : appClasses) {
                    add(zip, "WEB-INF/classes/" + classes.relativize(c).toString().replace('\\', '/'), c);
                }
                add(zip, "WEB-INF/lib/" + moduleJar.getFileName(), moduleJar);
                for (Path j : libs) {
                    add(zip, "WEB-INF/lib/" + j.getFileName(), j);
                }
                for (Path j : extraLibs) {
                    add(zip, "WEB-INF/lib/" + j.getFileName(), j);
                }
            }
            return war;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
            add(zip, "WEB-INF/lib/" + moduleJar.getFileName(), moduleJar);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void add(ZipOutputStream zip, String name, Path file) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        Files.copy(file, zip);
        zip.closeEntry();
    }

    static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run with -Pit-servers");
        }
        return v;
    }
}
