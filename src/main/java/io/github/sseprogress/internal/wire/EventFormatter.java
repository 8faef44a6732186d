package io.github.sseprogress.internal.wire;

import io.github.sseprogress.SseEvent;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;

/**
 * The one place that turns a payload into SSE text: once per publish, never once per subscriber.
 *
 * <ul>
 *   <li>{@link CharSequence} data is sent as text with CR and CRLF normalised to LF. Each
 *       LF-separated line goes out as its own {@code data:} line (empty lines included), which a
 *       WHATWG §9.2 parser joins back with LF: the client sees the same text as one event. Jersey
 *       writes the lines; on RESTEasy, which merges empty lines, {@link PreparedEvent} writes them.</li>
 *   <li>Anything else (including {@code null}) is serialised to compact single-line JSON with
 *       JSON-B; the {@link Jsonb} instance is created on first use and shared (it is thread-safe).</li>
 * </ul>
 *
 * <p>Thread-safety: safe for concurrent use; the lazily created {@code Jsonb} is published through a
 * volatile field.
 */
public final class EventFormatter {

    private volatile Jsonb jsonb;

    /**
     * Formats {@code event} with the given sequence; {@code id} overrides the event's own id when not
     * {@code null} (replay stores assign ids).
     *
     * @throws IllegalArgumentException when the data cannot be serialised to JSON
     */
    public PreparedEvent prepare(SseEvent event, long sequence, String id) {
        return prepare(event, event.hasData() ? text(event.data()) : null, sequence, id);
    }

    /** As {@link #prepare(SseEvent, long, String)}, with the data already formatted by {@link #text}. */
    public PreparedEvent prepare(SseEvent event, String text, long sequence, String id) {
        long retry = event.retry() == null ? -1 : event.retry().toMillis();
        return new PreparedEvent(sequence, id != null ? id : event.id(), event.name(), text, retry, event.comment());
    }

    /** The text a payload is sent as. */
    public String text(Object data) {
        if (data == null) {
            return "null";
        }
        if (data instanceof CharSequence) {
            return normaliseLineBreaks(data.toString());
        }
        try {
            return jsonb().toJson(data);
        } catch (JsonbException | IllegalArgumentException e) {
            throw new IllegalArgumentException("SSE data of type " + data.getClass().getName()
                    + " cannot be serialised to JSON: " + e.getMessage(), e);
        }
    }

    /** JSON text back to plain Java values (maps, lists, strings, numbers, booleans, null). */
    public Object parse(String json) {
        try {
            return jsonb().fromJson(json, Object.class);
        } catch (JsonbException | IllegalArgumentException e) {
            return json; // not JSON after all: the text as it was
        }
    }

    /** CRLF and lone CR become LF; text without CR is returned as is. */
    public static String normaliseLineBreaks(String s) {
        if (s.indexOf('\r') < 0) {
            return s;
        }
        return s.replace("\r\n", "\n").replace('\r', '\n');
    }

    private Jsonb jsonb() {
        Jsonb j = jsonb;
        if (j == null) {
            synchronized (this) {
                j = jsonb;
                if (j == null) {
                    j = JsonbBuilder.create();
                    jsonb = j;
                }
            }
        }
        return j;
    }
}
