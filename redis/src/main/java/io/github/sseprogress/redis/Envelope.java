package io.github.sseprogress.redis;

import java.io.StringReader;
import java.util.regex.Pattern;

import io.github.sseprogress.SseEvent;
import io.github.sseprogress.internal.wire.EventFormatter;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A message on the cluster channel: a versioned JSON object, written by the engine's Lua scripts
 * ({@code cjson}) and read here as untrusted input — size-capped, strictly typed, validated with the
 * same rules as local events. No Java deserialization.
 *
 * <pre>
 * topic event  {"v":1,"k":"t","t":topic,"e":epoch,"s":seq,"d":data[,"n":name][,"l":true]}   (l: a loss marker)
 * job event    {"v":1,"k":"j","t":topic,"r":run,"s":seq,"d":data,"j":json,"f":terminal[,"n":name]}
 * check        {"v":1,"k":"p","o":node,"s":n}           (a node's subscription check)
 * job cancel   {"v":1,"k":"c","t":topic,"r":run}         (someone asked the run to cancel)
 * </pre>
 */
record Envelope(char kind, String topic, String epoch, long seq, String name, String data, String run, boolean json,
        boolean terminal, String node, boolean loss) {

    static final int VERSION = 1;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Thrown for a message that must be dropped; says why without quoting it. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    static Envelope parse(String text, int maxChars) throws Malformed {
        if (text == null || text.length() > maxChars) {
            throw new Malformed("larger than " + maxChars + " characters");
        }
        JsonObject o;
        try (JsonReader r = Json.createReader(new StringReader(text))) {
            JsonValue v = r.readValue();
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new Malformed("not a JSON object");
            }
            o = v.asJsonObject();
        } catch (JsonException | IllegalStateException e) {
            throw new Malformed("not JSON");
        }
        if (number(o, "v") != VERSION) {
            throw new Malformed("unknown version");
        }
        String k = string(o, "k");
        switch (k) {
            case "t": {
                String topic = topic(o);
                String epoch = token(o, "e");
                long seq = positive(o, "s");
                String name = name(o);
                boolean loss = o.containsKey("l") && bool(o, "l");
                return new Envelope('t', topic, epoch, seq, name, data(o), null, false, false, null, loss);
            }
            case "j": {
                String topic = topic(o);
                String run = token(o, "r");
                long seq = positive(o, "s");
                String name = name(o);
                return new Envelope('j', topic, null, seq, name, data(o), run, bool(o, "j"), bool(o, "f"), null, false);
            }
            case "c":
                return new Envelope('c', topic(o), null, 0, null, null, token(o, "r"), false, false, null, false);
            case "p":
                return new Envelope('p', null, null, positive(o, "s"), null, null, null, false, false, token(o, "o"), false);
            default:
                throw new Malformed("unknown kind");
        }
    }

    private static String topic(JsonObject o) throws Malformed {
        String t = string(o, "t");
        if (t.isEmpty() || t.length() > 4096) {
            throw new Malformed("invalid topic");
        }
        for (int i = 0; i < t.length(); i++) {
            if (Character.isISOControl(t.charAt(i))) {
                throw new Malformed("invalid topic");
            }
        }
        return t;
    }

    /** An optional event name, valid for an SSE {@code event:} line. */
    private static String name(JsonObject o) throws Malformed {
        if (!o.containsKey("n")) {
            return null;
        }
        String n = string(o, "n");
        try {
            SseEvent.builder().name(n).data("").build();
        } catch (IllegalArgumentException e) {
            throw new Malformed("invalid event name");
        }
        return n;
    }

    /**
     * The data text with CR and CRLF turned into LF, as the library's formatter gives it: a bare CR is
     * a line end for SSE clients, so one left in would let a message forge {@code id:} or
     * {@code event:} lines.
     */
    private static String data(JsonObject o) throws Malformed {
        return EventFormatter.normaliseLineBreaks(string(o, "d"));
    }

    private static String token(JsonObject o, String key) throws Malformed {
        String s = string(o, key);
        if (!TOKEN.matcher(s).matches()) {
            throw new Malformed("invalid " + key);
        }
        return s;
    }

    private static String string(JsonObject o, String key) throws Malformed {
        JsonValue v = o.get(key);
        if (!(v instanceof JsonString)) {
            throw new Malformed("missing or non-string " + key);
        }
        return ((JsonString) v).getString();
    }

    private static boolean bool(JsonObject o, String key) throws Malformed {
        JsonValue v = o.get(key);
        if (v == JsonValue.TRUE) {
            return true;
        }
        if (v == JsonValue.FALSE) {
            return false;
        }
        if (v != null && v.getValueType() == JsonValue.ValueType.TRUE) {
            return true;
        }
        if (v != null && v.getValueType() == JsonValue.ValueType.FALSE) {
            return false;
        }
        throw new Malformed("missing or non-boolean " + key);
    }

    private static long number(JsonObject o, String key) throws Malformed {
        JsonValue v = o.get(key);
        if (!(v instanceof JsonNumber) || !((JsonNumber) v).isIntegral()) {
            throw new Malformed("missing or non-integer " + key);
        }
        try {
            return ((JsonNumber) v).longValueExact();
        } catch (ArithmeticException e) {
            throw new Malformed("out-of-range " + key);
        }
    }

    private static long positive(JsonObject o, String key) throws Malformed {
        long n = number(o, key);
        if (n <= 0) {
            throw new Malformed("non-positive " + key);
        }
        return n;
    }
}
