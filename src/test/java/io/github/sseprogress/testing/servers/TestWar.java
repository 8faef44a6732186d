package io.github.sseprogress.testing.servers;

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
 * A module's integration-test WAR, assembled from what its Maven profile prepared: the test application's classes
 * (one package of the test classes) in {@code WEB-INF/classes}, the module's jar and every jar of a lib directory in
 * {@code WEB-INF/lib}. No web.xml, no beans.xml of its own: the resources are {@code @ApplicationScoped} (annotated
 * discovery), the jars bring their own.
 */
public final class TestWar {

    private TestWar() {
    }

    /**
     * Writes {@code war}: {@code classes/appPackage/**} in {@code WEB-INF/classes}; {@code moduleJar}, the jars of
     * {@code libDir} (which must hold one whose name starts with each of {@code requiredLibs}) and {@code extraLibs}
     * in {@code WEB-INF/lib}.
     */
    public static Path build(Path war, Path classes, String appPackage, Path moduleJar, Path libDir,
            List<String> requiredLibs, List<Path> extraLibs) {
        try {
            Files.createDirectories(war.getParent());
            List<Path> libs;
            try (Stream<Path> s = Files.list(libDir)) {
                libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
            for (String prefix : requiredLibs) {
                if (libs.stream().noneMatch(p -> p.getFileName().toString().startsWith(prefix))) {
                    throw new IllegalStateException("the profile copies " + requiredLibs + " into " + libDir
                            + "; found " + libs);
                }
            }
            if (!Files.isRegularFile(moduleJar)) {
                throw new IllegalStateException("this module's jar is missing: " + moduleJar);
            }
            List<Path> appClasses;
            try (Stream<Path> s = Files.walk(classes.resolve(appPackage))) {
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

    /** Adds {@code file} to {@code zip} as {@code name}. */
    public static void add(ZipOutputStream zip, String name, Path file) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        Files.copy(file, zip);
        zip.closeEntry();
    }

    /** The system property the module's profile sets, or a clear error naming the profile to run with. */
    public static String required(String property, String profile) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run with -P" + profile);
        }
        return v;
    }
}
