package io.github.sseprogress.it;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** JSON for the IT resources' small answers (deployed in the WAR). */
final class ItJson {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private ItJson() {
    }

    static String of(Object value) {
        return JSONB.toJson(value);
    }

    static String error(String message) {
        return "{\"error\":" + JSONB.toJson(message) + "}";
    }

    /** A numeric field of a flat JSON object; fails when absent. */
    static long longField(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\"" + java.util.regex.Pattern.quote(key) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError(key + " not in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
