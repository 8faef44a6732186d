package io.github.sseprogress.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The IT server's own log, read by the tests so that "normal client behaviour never logs an ERROR"
 * is checked on both servers: {@link #mark()} before the requests, then
 * {@link #assertNoErrorsOrWarningsSince(Mark, String)}.
 *
 * <ul>
 * <li>Open Liberty: {@code messages.log} of the IT server; ERROR/WARNING are the lines whose level
 * column is {@code E} or {@code W}.</li>
 * <li>Payara Micro: the file its {@code --logtofile} option writes (arquillian.xml; the path is the
 * {@code it.payara.logFile} system property set by the it-payara profile). Payara writes it with
 * {@code java.util.logging.FileHandler} in its ODL format, as on the console: each record starts with
 * {@code [date] [] [LEVEL] [message-id] [logger] [tid: ...] [timeMillis: ...] [levelValue: N]}, the
 * level in ANSI colours, the message after it or on the next lines; a stack trace follows. The records
 * flagged are those of levelValue 900 (WARNING) and up (SEVERE is 1000), read from that number rather
 * than the (coloured, localisable) level name. The adapter starts one Payara JVM per test class and does not wait
 * for the previous one to exit, so a new JVM may find the file locked and write
 * {@code server.log.0.1} instead; FileHandler also rotates at 1 MB ({@code .0} renamed to
 * {@code .1}). So a mark remembers the size of every such file by its inode, not its name, and
 * what is new since the mark is read from each file, whatever its name now.</li>
 * </ul>
 */
final class ItServerLog {

    /** Where each log file ended when marked, by file key (inode), so a rotated file is still recognised. */
    record Mark(Map<Object, Long> sizes) {
    }

    /** The first line of a Payara ODL record: {@code [2026-12-02T14:44:20.951+0000] [] [...}. */
    private static final Pattern ODL_RECORD_START = Pattern.compile("^\\[\\d{4}-\\d\\d-\\d\\dT[^\\]]*\\] \\[.*");
    private static final Pattern ODL_LEVEL_VALUE = Pattern.compile("\\[levelValue: (\\d+)\\]");
    /** ANSI colour escapes (Payara colours the level and the logger name, in the file too). */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    /** Open Liberty's messages.log: {@code [date] thread-id source-short-name level message}. */
    private static final Pattern LIBERTY_BAD_LINE = Pattern.compile("^\\[[^\\]]+\\]\\s+\\S+\\s+\\S+\\s+[EW]\\s.*");
    /** Lines of one flagged Payara record quoted in a failure (its header and message, the top of its stack trace). */
    private static final int QUOTED_LINES = 10;

    private ItServerLog() {
    }

    private static String server() {
        return System.getProperty("arquillian.launch", "unknown");
    }

    /** The files the server logs to now (Liberty: messages.log; Payara: server.log* but the locks), or none on other servers. */
    private static List<Path> files() {
        try {
            if (server().equals("liberty")) {
                Path log = Path.of(System.getProperty("it.report.dir", "target"), "liberty", "wlp", "usr", "servers",
                        System.getProperty("it.liberty.serverName", "sseItServer"), "logs", "messages.log");
                return Files.exists(log) ? List.of(log) : List.of();
            }
            if (server().equals("payara")) {
                String configured = System.getProperty("it.payara.logFile");
                assertTrue(configured != null && !configured.isBlank(),
                        "the it-payara profile sets it.payara.logFile (the file Payara Micro's --logtofile writes)");
                Path pattern = Path.of(configured);
                String prefix = pattern.getFileName().toString();
                try (Stream<Path> all = Files.list(pattern.getParent())) {
                    return all.filter(p -> p.getFileName().toString().startsWith(prefix))
                            .filter(p -> !p.getFileName().toString().endsWith(".lck"))
                            .filter(Files::isRegularFile).sorted().toList();
                }
            }
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object key(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file.toAbsolutePath(); // no inode on this file system: by name
    }

    /** Where the server's log ends now. */
    static Mark mark() {
        try {
            Map<Object, Long> sizes = new HashMap<>();
            for (Path file : files()) {
                sizes.put(key(file), Files.size(file));
            }
            if (server().equals("payara")) {
                // without this, a log option that stopped working (no file, or another format) would pass every check:
                // by now the server has logged its start
                assertTrue(files().stream().anyMatch(ItServerLog::hasOdlRecords),
                        () -> "Payara Micro's log file (--logtofile " + System.getProperty("it.payara.logFile")
                                + ") holds no ODL records ([date] ... [levelValue: N]): files " + files());
            }
            return new Mark(sizes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hasOdlRecords(Path file) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.anyMatch(l -> ODL_RECORD_START.matcher(l).matches() && ODL_LEVEL_VALUE.matcher(l).find());
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Fails, quoting them, if the server logged an ERROR/WARNING (Liberty) or a SEVERE/WARNING record
     * (Payara) since {@code mark}; {@code what} names the client behaviour in the message.
     */
    static void assertNoErrorsOrWarningsSince(Mark mark, String what) throws InterruptedException {
        List<String> bad = errorsAndWarningsSince(mark);
        if (!bad.isEmpty()) {
            String levels = server().equals("payara") ? "SEVERE/WARNING" : "ERROR/WARNING";
            fail(bad.size() + " " + levels + " record(s) in " + server() + "'s server log " + files() + " for " + what
                    + " (normal client behaviour must log none):\n" + String.join("\n", bad));
        }
    }

    /** ERROR/WARNING records written after {@code mark}, each as its lines joined; waits for the log to settle. */
    static List<String> errorsAndWarningsSince(Mark mark) throws InterruptedException {
        awaitSettled();
        List<String> bad = new ArrayList<>();
        try {
            for (Path file : files()) {
                Long from = mark.sizes().get(key(file)); // a file new since the mark is read whole
                byte[] all = Files.readAllBytes(file);
                int start = (int) Math.min(from == null ? 0 : from, all.length);
                String added = new String(all, start, all.length - start, StandardCharsets.UTF_8);
                bad.addAll(server().equals("liberty") ? libertyErrorsAndWarnings(added) : payaraSevereAndWarnings(added));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bad;
    }

    /** The server may write a stack trace a moment after the response: waits (at least 2 s) until no log file grows. */
    private static void awaitSettled() throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(totalSize());
        org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(250)).during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(60)).until(() -> last.getAndSet(totalSize()) == last.get());
    }

    private static long totalSize() {
        long total = 0;
        for (Path file : files()) {
            try {
                total += Files.size(file);
            } catch (IOException e) {
                // rotated away between the listing and here: the next round sees it under its new name
            }
        }
        return total;
    }

    private static List<String> libertyErrorsAndWarnings(String added) {
        List<String> bad = new ArrayList<>();
        for (String line : added.split("\n")) {
            // WELD-000714 (HttpContextLifecycle guard leak) is Weld's remark on Liberty's servlet container,
            // written at random moments with or without this library: not the application's doing.
            if (LIBERTY_BAD_LINE.matcher(line).matches() && !line.contains("WELD-000714")) {
                bad.add(line);
            }
        }
        return bad;
    }

    /** SEVERE/WARNING ODL records (levelValue 900 and up), each with its message and the top of its stack trace. */
    private static List<String> payaraSevereAndWarnings(String added) {
        List<List<String>> records = new ArrayList<>();
        for (String line : ANSI.matcher(added).replaceAll("").split("\r?\n")) {
            if (ODL_RECORD_START.matcher(line).matches()) {
                records.add(new ArrayList<>());
            }
            if (!records.isEmpty() && !line.isBlank()) { // a partial record before the mark's offset is not ours
                records.get(records.size() - 1).add(line);
            }
        }
        List<String> bad = new ArrayList<>();
        for (List<String> record : records) {
            Matcher level = ODL_LEVEL_VALUE.matcher(record.get(0));
            if (level.find() && Integer.parseInt(level.group(1)) >= 900) {
                List<String> quoted = new ArrayList<>(record.subList(0, Math.min(record.size(), QUOTED_LINES)));
                if (record.size() > QUOTED_LINES) {
                    quoted.add("    ... " + (record.size() - QUOTED_LINES) + " more lines");
                }
                bad.add("  | " + String.join("\n  | ", quoted));
            }
        }
        return bad;
    }
}
