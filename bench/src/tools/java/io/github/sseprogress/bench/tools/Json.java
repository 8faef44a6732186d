package io.github.sseprogress.bench.tools;

import java.util.Collection;
import java.util.Map;

/** Writes maps, lists, strings and numbers as JSON (what the runner reports; no parsing). */
final class Json {

    private Json() {
    }

    static String write(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o, 0);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object o, int depth) {
        if (o == null) {
            b.append("null");
        } else if (o instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "\n" : ",\n").append("  ".repeat(depth + 1));
                first = false;
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), depth + 1);
            }
            b.append(first ? "}" : "\n" + "  ".repeat(depth) + "}");
        } else if (o instanceof Collection<?> c) {
            b.append('[');
            boolean first = true;
            for (Object x : c) {
                b.append(first ? "\n" : ",\n").append("  ".repeat(depth + 1));
                first = false;
                write(b, x, depth + 1);
            }
            b.append(first ? "]" : "\n" + "  ".repeat(depth) + "]");
        } else if (o instanceof Double d) {
            b.append(d.isNaN() || d.isInfinite() ? "null" : String.format(java.util.Locale.ROOT, "%.4f", d));
        } else if (o instanceof Number || o instanceof Boolean) {
            b.append(o);
        } else {
            string(b, o.toString());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
