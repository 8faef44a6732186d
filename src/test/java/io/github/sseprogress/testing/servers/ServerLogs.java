package io.github.sseprogress.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a {@link ServerProcess} logged since a mark, as the core's ItServerLog does for its Arquillian servers:
 * Open Liberty's {@code messages.log} (level column {@code E} / {@code W}), Payara Micro's {@code --logtofile} file
 * in ODL format (records of {@code levelValue} 900 and up; the level name is coloured and localisable, the number is
 * not). A mark remembers each file's size by its inode, so a file rotated under another name is still read from it.
 */
public final class ServerLogs {

    /** Each log file's size, by inode, when the mark was taken. */
    public record Mark(Map<Object, Long> sizes) {
    }

    private static final Pattern LIBERTY_BAD_LINE = Pattern.compile("^\\[[^\\]]+\\]\\s+\\S+\\s+\\S+\\s+[EW]\\s.*");
    private static final Pattern ODL_RECORD_START = Pattern.compile("^\\[\\d{4}-\\d\\d-\\d\\dT[^\\]]*\\] \\[.*");
    private static final Pattern ODL_LEVEL_VALUE = Pattern.compile("\\[levelValue: (\\d+)\\]");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

    private ServerLogs() {
    }

    public static Mark mark(ServerProcess node) {
        Map<Object, Long> sizes = new HashMap<>();
        try {
            for (Path f : node.logFiles()) {
                sizes.put(key(f), Files.size(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Mark(sizes);
    }

    private static Object key(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file.toAbsolutePath();
    }

    /** Everything the node logged since {@code mark}. */
    public static String since(ServerProcess node, Mark mark) {
        StringBuilder added = new StringBuilder();
        try {
            for (Path f : node.logFiles()) {
                Long from = mark.sizes().get(key(f));
                byte[] all = Files.readAllBytes(f);
                int start = (int) Math.min(from == null ? 0 : from, all.length);
                added.append(new String(all, start, all.length - start, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return added.toString();
    }

    /** ERROR/WARNING (Liberty) or SEVERE/WARNING (Payara) records logged since {@code mark}. */
    public static List<String> errorsAndWarningsSince(ServerProcess node, Mark mark) {
        String added = since(node, mark);
        List<String> bad = new ArrayList<>();
        if (node.kind() == ServerProcess.Kind.LIBERTY) {
            for (String line : added.split("\n")) {
                if (LIBERTY_BAD_LINE.matcher(line).matches()) {
                    bad.add(line);
                }
            }
            return bad;
        }
        List<List<String>> records = new ArrayList<>();
        for (String line : ANSI.matcher(added).replaceAll("").split("\r?\n")) {
            if (ODL_RECORD_START.matcher(line).matches()) {
                records.add(new ArrayList<>());
            }
            if (!records.isEmpty() && !line.isBlank()) {
                records.get(records.size() - 1).add(line);
            }
        }
        for (List<String> r : records) {
            Matcher level = ODL_LEVEL_VALUE.matcher(r.get(0));
            if (level.find() && Integer.parseInt(level.group(1)) >= 900) {
                bad.add(String.join("\n  | ", r.subList(0, Math.min(r.size(), 8))));
            }
        }
        return bad;
    }

    /** Whether the node's log holds at least one record in its format (so a check of nothing cannot pass). */
    public static boolean hasRecords(ServerProcess node) {
        String all = since(node, new Mark(Map.of()));
        return node.kind() == ServerProcess.Kind.LIBERTY ? all.contains("CWWKF0011I") // "server is ready"
                : ODL_LEVEL_VALUE.matcher(all).find();
    }
}
