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
}
