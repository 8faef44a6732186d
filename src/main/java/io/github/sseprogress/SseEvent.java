package io.github.sseprogress;

import java.time.Duration;
import java.util.Objects;

/**
 * One Server-Sent Event as the library sends it: an optional {@code id}, an optional event
 * {@code name} (the SSE {@code event:} field), the {@code data}, an optional {@code retry} and an
 * optional {@code comment}. Immutable; validated when built, so an instance can always be framed
 * safely.
 *
 * <p>Validation (each failure is an {@link IllegalArgumentException} naming the field; nothing is
 * sent anywhere):
 * <ul>
 *   <li>{@code id}: no CR, LF or NUL (a NUL makes browsers ignore the id, a line break would
 *       start a new field);</li>
 *   <li>{@code name}: no CR or LF, not empty;</li>
 *   <li>{@code retry}: not negative;</li>
 *   <li>{@code comment}: no CR or LF.</li>
 * </ul>
 * {@code data} may be any object. A {@link CharSequence} is sent as text, with CR, LF and CRLF
 * normalised to LF and sent as one multi-line {@code data} field, so a client sees exactly the same
 * text (line breaks as LF) as one event. Any other object is serialised once per publish to compact,
 * single-line JSON with JSON-B. {@code null} data is sent as the JSON literal {@code null}.
 *
 * <pre>{@code
 * SseEvent e = SseEvent.builder().name("progress").id("42").data(snapshot).build();
 * }</pre>
 */
public final class SseEvent {

    private final String id;
    private final String name;
    private final Object data;
    private final boolean hasData;
    private final Duration retry;
    private final String comment;

    private SseEvent(Builder b) {
        this.id = checkId(b.id);
        this.name = checkName(b.name);
        this.data = b.data;
        this.hasData = b.hasData;
        this.retry = checkRetry(b.retry);
        this.comment = checkComment(b.comment);
    }

    /** An event with only {@code data}: the common case. */
    public static SseEvent of(Object data) {
        return builder().data(data).build();
    }

    /** An event with an event name and {@code data}. */
    public static SseEvent of(String name, Object data) {
        return builder().name(name).data(data).build();
    }

    /** A new builder; every field starts empty. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code id} field, or {@code null} when the event has none. */
    public String id() {
        return id;
    }

    /** The {@code event} field (the event's name), or {@code null} for the default "message". */
    public String name() {
        return name;
    }

    /** The payload as given; may be {@code null}. */
    public Object data() {
        return data;
    }

    /**
     * Whether the event carries data ({@link Builder#data} was called, even with {@code null}, which
     * is sent as JSON {@code null}). An event without data is a comment-only frame: nothing is
     * dispatched to the client's listeners and nothing is recorded for replay.
     */
    public boolean hasData() {
        return hasData;
    }

    /** The {@code retry} field, or {@code null} when the event has none. */
    public Duration retry() {
        return retry;
    }

    /** The comment line, or {@code null} when the event has none. */
    public String comment() {
        return comment;
    }

    /** A builder that starts from this event's fields. */
    public Builder toBuilder() {
        Builder b = new Builder().id(id).name(name).retry(retry).comment(comment);
        return hasData ? b.data(data) : b;
    }

    @Override
    public String toString() {
        return "SseEvent[id=" + id + ", name=" + name + ", retry=" + retry + ", comment=" + comment
                + ", data=" + (data == null ? "null" : data.getClass().getSimpleName()) + "]";
    }

    static String checkId(String id) {
        if (id != null && (id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("SSE field 'id' must not contain CR, LF or NUL: " + quote(id));
        }
        return id;
    }

    static String checkName(String name) {
        if (name == null) {
            return null;
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("SSE field 'event' (name) must not be empty; use null for the default");
        }
        if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("SSE field 'event' (name) must not contain CR or LF: " + quote(name));
        }
        return name;
    }

    static Duration checkRetry(Duration retry) {
        if (retry != null && retry.isNegative()) {
            throw new IllegalArgumentException("SSE field 'retry' must not be negative: " + retry);
        }
        return retry;
    }

    static String checkComment(String comment) {
        if (comment != null && (comment.indexOf('\r') >= 0 || comment.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("SSE comment must not contain CR or LF: " + quote(comment));
        }
        return comment;
    }

    private static String quote(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return '"' + shown.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0") + '"';
    }

    /** Builds an {@link SseEvent}; validation happens in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private String id;
        private String name;
        private Object data;
        private boolean hasData;
        private Duration retry;
        private String comment;

        private Builder() {
        }

        /** Sets the {@code id} field; {@code null} for none. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** Sets the {@code event} field; {@code null} for the default "message". */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Sets the payload: text as is, any other object as JSON. */
        public Builder data(Object data) {
            this.data = data;
            this.hasData = true;
            return this;
        }

        /** Sets the {@code retry} field (sent in milliseconds); {@code null} for none. */
        public Builder retry(Duration retry) {
            this.retry = retry;
            return this;
        }

        /** Sets a comment line; {@code null} for none. */
        public Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        /**
         * Validates and builds the event.
         *
         * @throws IllegalArgumentException naming the offending field
         */
        public SseEvent build() {
            return new SseEvent(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SseEvent)) {
            return false;
        }
        SseEvent e = (SseEvent) o;
        return hasData == e.hasData && Objects.equals(id, e.id) && Objects.equals(name, e.name) && Objects.equals(data, e.data)
                && Objects.equals(retry, e.retry) && Objects.equals(comment, e.comment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, data, retry, comment);
    }
}
