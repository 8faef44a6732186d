package io.github.sseprogress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 10 item 18: the public API is what users call and nothing else. The public types of
 * {@code io.github.sseprogress} and their public and protected members are listed from the compiled
 * classes and compared with {@code src/test/resources/api/sse-progress.api}: a change to the API
 * changes that file on purpose (the listing of this build is written to
 * {@code target/sse-progress.api}). Plumbing names and internal types never reach the API.
 */
class PublicApiTest {

    private static final String PACKAGE = "io.github.sseprogress";

    /** Members that only the library needs; they stay package-private or in {@code internal}. */
    private static final List<String> PLUMBING = List.of("JsonForm", "isRejected", "rejectionResponse",
            "SubscriberConnecting <init>", "Polling source()", "Polling interval()", "Polling stopCondition()",
            "Polling stopCallback()", "InternalAccess", "JsonText", "CurrentJob", "NoJob");

    @Test
    void theApiIsExactlyTheListedOne() throws Exception {
        List<String> actual = listing();
        Path written = Path.of("target", "sse-progress.api");
        Files.createDirectories(written.getParent());
        Files.write(written, actual, StandardCharsets.UTF_8);
        List<String> expected;
        try (InputStream in = PublicApiTest.class.getResourceAsStream("/api/sse-progress.api")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
        }
        List<String> added = new ArrayList<>(actual);
        added.removeAll(expected);
        List<String> removed = new ArrayList<>(expected);
        removed.removeAll(actual);
        assertThat(added).as("public API added (if on purpose, copy " + written + " to src/test/resources/api/)").isEmpty();
        assertThat(removed).as("public API removed (if on purpose, copy " + written + " to src/test/resources/api/)").isEmpty();
    }

    @Test
    void noPlumbingAndNoInternalTypeIsPublic() throws Exception {
        List<String> api = listing();
        for (String name : PLUMBING) {
            assertThat(api).as("plumbing in the public API: " + name).noneMatch(line -> line.contains(name));
        }
        assertThat(api).as("a public signature mentions an internal type").noneMatch(line -> line.contains(".internal."));
    }

    /** One line per public type and per public or protected member, sorted. */
    static List<String> listing() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Progress.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(PACKAGE.replace('.', '/'));
        TreeSet<String> lines = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList())) {
                String binary = f.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName(PACKAGE + "." + binary, false, PublicApiTest.class.getClassLoader());
                if (!isApi(c)) {
                    continue;
                }
                String type = c.getName().substring(PACKAGE.length() + 1);
                lines.add(type + " " + kind(c) + supertypes(c));
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (visible(k) && !k.isSynthetic()) {
                        lines.add(type + " <init>(" + params(k) + ")");
                    }
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
                        lines.add(type + " " + (Modifier.isStatic(m.getModifiers()) ? "static " : "") + m.getName()
                                + "(" + params(m) + ") " + m.getGenericReturnType().getTypeName());
                    }
                }
                for (Field fd : c.getDeclaredFields()) {
                    if (visible(fd) && !fd.isSynthetic() && !fd.isEnumConstant()) {
                        lines.add(type + " field " + fd.getName() + " " + fd.getGenericType().getTypeName());
                    } else if (fd.isEnumConstant()) {
                        lines.add(type + " constant " + fd.getName());
                    }
                }
            }
        }
        return new ArrayList<>(lines);
    }

    private static boolean isApi(Class<?> c) {
        for (Class<?> t = c; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(Member m) {
        int mod = m.getModifiers();
        boolean inheritable = !Modifier.isFinal(m.getDeclaringClass().getModifiers()) && !m.getDeclaringClass().isEnum()
                && !m.getDeclaringClass().isRecord();
        return Modifier.isPublic(mod) || (Modifier.isProtected(mod) && inheritable);
    }

    private static String kind(Class<?> c) {
        if (c.isAnnotation()) {
            return "@interface";
        }
        if (c.isInterface()) {
            return "interface";
        }
        if (c.isEnum()) {
            return "enum";
        }
        if (c.isRecord()) {
            return "record";
        }
        return (Modifier.isFinal(c.getModifiers()) ? "final " : "") + (Modifier.isAbstract(c.getModifiers()) ? "abstract " : "")
                + "class";
    }

    private static String supertypes(Class<?> c) {
        List<String> s = new ArrayList<>();
        Type sup = c.getGenericSuperclass();
        if (sup != null && sup != Object.class && sup != Record.class && !c.isEnum()) {
            s.add("extends " + sup.getTypeName());
        }
        for (Type i : c.getGenericInterfaces()) {
            s.add("implements " + i.getTypeName());
        }
        return s.isEmpty() ? "" : " " + String.join(" ", s);
    }

    private static String params(Executable e) {
        return Arrays.stream(e.getGenericParameterTypes()).map(Type::getTypeName).collect(Collectors.joining(", "));
    }
}
