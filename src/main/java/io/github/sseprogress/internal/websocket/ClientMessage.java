package io.github.sseprogress.internal.websocket;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.json.JsonException;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;

/**
 * One message a WebSocket client sent, strictly parsed (docs/STREAMS.md, WebSocket): exactly
 * {@code {"subscribe":KEY}}, {@code {"subscribe":KEY,"last":POS}} or {@code {"unsubscribe":KEY}}, KEY
 * and POS JSON strings. Anything else (not JSON, trailing content, another type, a duplicate or
 * unknown member, more than {@link #MAX_CHARS} characters) is a {@link BadMessage} whose text is
 * safe to send back: it never quotes the client's input. Keys themselves are validated by the
 * connection, not here.
 *
 * <p>Uses the server's JSON-P (provided); the provider and the parser factory are looked up once.
 * Thread-safe: stateless apart from those.
 */
record ClientMessage(Op op, String key, String last) {

    /** The largest message taken, in characters; a key is at most 200, so a valid message is far below. */
    static final int MAX_CHARS = 4096;

    enum Op {
        SUBSCRIBE, UNSUBSCRIBE
    }

    /** A message the server cannot take; its message is the {@code error} answer's text. */
    static final class BadMessage extends Exception {
        private static final long serialVersionUID = 1L;

        BadMessage(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonProvider JSON = JsonProvider.provider();
    private static final JsonParserFactory PARSERS = JSON.createParserFactory(Map.of());

    static ClientMessage parse(String text) throws BadMessage {
        if (text.length() > MAX_CHARS) {
            throw tooLarge();
        }
        Map<String, JsonValue> object = new LinkedHashMap<>();
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                throw new BadMessage(EXPECTED);
            }
            // member by member, so a duplicate name is refused rather than the last one silently winning
            for (JsonParser.Event e = parser.next(); e != JsonParser.Event.END_OBJECT; e = parser.next()) {
                String name = parser.getString(); // e is KEY_NAME inside an object
                parser.next();
                if (object.put(name, parser.getValue()) != null) {
                    throw new BadMessage("not JSON: a member given twice; " + EXPECTED);
                }
            }
            if (parser.hasNext()) {
                throw new BadMessage("not JSON: content after the object; " + EXPECTED);
            }
        } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
            // JsonParsingException (malformed) and the parser's state errors: the input is not the message
            throw new BadMessage("not JSON: " + EXPECTED);
        }
        boolean subscribe = object.containsKey("subscribe");
        boolean unsubscribe = object.containsKey("unsubscribe");
        if (subscribe == unsubscribe) {
            throw new BadMessage("unknown operation: " + EXPECTED);
        }
        for (String member : object.keySet()) {
            if (!member.equals("subscribe") && !member.equals("unsubscribe") && !(subscribe && member.equals("last"))) {
                throw new BadMessage("unknown member " + quotedIfShort(member) + ": " + EXPECTED);
            }
        }
        if (unsubscribe) {
            return new ClientMessage(Op.UNSUBSCRIBE, string(object, "unsubscribe"), null);
        }
        String last = object.containsKey("last") ? string(object, "last") : null;
        return new ClientMessage(Op.SUBSCRIBE, string(object, "subscribe"), last);
    }

    static BadMessage tooLarge() {
        return new BadMessage("message too large: at most " + MAX_CHARS + " characters");
    }

    private static final String EXPECTED =
            "expected {\"subscribe\":KEY}, {\"subscribe\":KEY,\"last\":POSITION} or {\"unsubscribe\":KEY}";

    private static String string(Map<String, JsonValue> object, String member) throws BadMessage {
        JsonValue v = object.get(member);
        if (v.getValueType() != JsonValue.ValueType.STRING) {
            throw new BadMessage("\"" + member + "\" must be a string");
        }
        return ((JsonString) v).getString();
    }

    /** A member name echoed only when it is short plain text, so an error never carries what a client smuggled in. */
    private static String quotedIfShort(String member) {
        return member.length() <= 32 && member.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                ? "\"" + member + "\"" : "(a member name)";
    }

    /** The {@code error} message of docs/STREAMS.md: {@code {"event":"error","data":"{\"status\":400,\"message\":...}"}}. */
    static String error(int status, String message) {
        String data = JSON.createObjectBuilder().add("status", status).add("message", message).build().toString();
        return JSON.createObjectBuilder().add("event", "error").add("data", data).build().toString();
    }
}
