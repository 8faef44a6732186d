package io.github.sseprogress.internal.wire;

import java.lang.reflect.Type;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/**
 * An event formatted once per publish: its data is already text (JSON or normalised text), its
 * fields validated. One instance is shared by every subscriber of a publish.
 *
 * <p>It implements {@link OutboundSseEvent} only so it can travel through a JAX-RS
 * {@code SseBroadcaster} to the library's own subscriber sinks, which read {@link #sequence()};
 * what reaches the container's writer is {@link #nativeEvent(Sse)}, built once (the first caller's
 * {@code Sse}) and cached: the container's own builder's event, except on RESTEasy for the retry-only
 * opening frame and for text with empty lines, where the library writes the lines itself (see
 * {@link #hasEmptyLine(String)}).
 *
 * <p>Thread-safety: immutable apart from the cached native event and wire bytes, each published through a
 * volatile field; two threads racing to build it build equal values and either may win.
 */
public final class PreparedEvent implements OutboundSseEvent {

    private final long sequence;
    private final String id;
    private final String name;
    private final String data;
    private final long retryMillis;
    private final String comment;
    private final boolean control;
    private volatile OutboundSseEvent nativeEvent;
    /** The frame as UTF-8 bytes for the library's own transports, built once per event. */
    private volatile byte[] wire;

    PreparedEvent(long sequence, String id, String name, String data, long retryMillis, String comment) {
        this(sequence, id, name, data, retryMillis, comment, false);
    }

    PreparedEvent(long sequence, String id, String name, String data, long retryMillis, String comment, boolean control) {
        this.control = control;
        this.sequence = sequence;
        this.id = id;
        this.name = name;
        this.data = data;
        this.retryMillis = retryMillis;
        this.comment = comment;
    }

    /** A frame built by a connection's writer (a multiplexed stream's framing of a topic's or job's event). */
    public static PreparedEvent frame(long sequence, String id, String name, String data, boolean control) {
        return new PreparedEvent(sequence, id, name, data, -1, null, control);
    }

    /** The event name, or {@code null}. */
    public String name() {
        return name;
    }

    /** A comment-only event (heartbeat, connect marker); sequence 0. */
    public static PreparedEvent comment(String comment) {
        return new PreparedEvent(0, null, null, null, -1, comment, true);
    }

    /** Whether the library itself sends this frame (heartbeat, opening, loss signal): not counted as delivered. */
    public boolean isControl() {
        return control;
    }

    /** Monotonic position given by the publisher (per topic or per job); 0 for control frames. */
    public long sequence() {
        return sequence;
    }

    /** The formatted {@code data} text, or {@code null} for a comment-only frame. */
    public String dataText() {
        return data;
    }

    /** The same event with another sequence and id (used by replay stores, which assign ids). */
    public PreparedEvent withSequenceAndId(long newSequence, String newId) {
        return new PreparedEvent(newSequence, newId, name, data, retryMillis, comment, control);
    }

    /** The container's own event value for this frame, built once. */
    public OutboundSseEvent nativeEvent(Sse sse) {
        OutboundSseEvent n = nativeEvent;
        if (n == null && isRetryOnly() && !isJersey(sse)) {
            // RESTEasy (Open Liberty) writes "retry:" for any event that has a type, and a "data:" line
            // whenever data is set (even empty, which browsers dispatch as an empty message). This
            // value has a type and no data: it goes out as "retry: N" alone. Jersey instead writes
            // retry only for events with data, and no data line for empty data: it gets data "".
            n = new PreparedEvent(0, null, null, null, retryMillis, null, true);
            nativeEvent = n;
        }
        if (n == null && data != null && hasEmptyLine(data) && isResteasy(sse)) {
            n = dataLinesInAField();
            nativeEvent = n;
        }
        if (n == null) {
            OutboundSseEvent.Builder b = sse.newEventBuilder();
            if (id != null) {
                b.id(id);
            }
            if (name != null) {
                b.name(name);
            }
            if (retryMillis >= 0) {
                b.reconnectDelay(retryMillis);
            }
            if (comment != null) {
                b.comment(comment);
            }
            if (data != null) {
                b.mediaType(MediaType.TEXT_PLAIN_TYPE).data(String.class, data);
            }
            n = b.build();
            nativeEvent = n;
        }
        return n;
    }

    /**
     * This frame exactly as it goes on the wire, UTF-8, built once and shared by every subscriber of
     * the event (the library's servlet transport writes it as is). Fields are written in the order
     * comment, {@code event}, {@code id}, {@code retry}, then one {@code data:} line per LF-separated
     * line (empty lines included), and a blank line ends the frame; the retry-only opening frame has
     * no data line, and a frame with no field at all is empty (zero bytes).
     */
    public byte[] wireBytes() {
        byte[] b = wire;
        if (b == null) {
            b = wireText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            wire = b;
        }
        return b;
    }

    private String wireText() {
        StringBuilder sb = new StringBuilder(64 + (data == null ? 0 : data.length()));
        if (comment != null) {
            sb.append(':').append(comment).append('\n');
        }
        if (name != null) {
            sb.append("event: ").append(name).append('\n');
        }
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        if (retryMillis >= 0) {
            sb.append("retry: ").append(retryMillis).append('\n');
        }
        if (data != null && !isRetryOnly()) {
            int start = 0;
            while (true) {
                int lf = data.indexOf('\n', start);
                sb.append("data: ").append(data, start, lf < 0 ? data.length() : lf).append('\n');
                if (lf < 0) {
                    break;
                }
                start = lf + 1;
            }
        }
        if (sb.length() > 0) {
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Whether the text has an empty line (a leading, trailing or doubled LF), which RESTEasy's data
     * writer cannot send. Its {@code SseEventProvider.writeTo} (RESTEasy 6.2.8, as shipped in Open
     * Liberty's {@code io.openliberty.org.jboss.resteasy.common.ee10} bundle) passes the data through
     * an output stream that writes {@code "data: "} before the first byte, one LF for a run of CR/LF
     * bytes, and {@code "data: "} again before the next other byte: every run of line breaks
     * becomes one, and a trailing one ends the event. No data value or data media type avoids it
     * (the only other mode, {@code OutboundSseEventImpl.isEscape()}, writes backslashes).
     */
    static boolean hasEmptyLine(String text) {
        return text.startsWith("\n") || text.endsWith("\n") || text.contains("\n\n");
    }

    /**
     * The same frame for RESTEasy, with the data lines written by the library: the {@code data:}
     * lines follow the id (or else the name) in that field's value, which RESTEasy writes verbatim
     * ({@code "id: " + getId() + "\n"}), and the event itself carries no data. The client parses the
     * standard frame {@code [event: n] [id: i] data: line ... [retry: r]}; the order of fields within
     * an event does not matter to an SSE parser. An event without id and name gets
     * {@code event: message}, which an {@code EventSource} treats exactly as no event field (WHATWG
     * §9.2.6: the type defaults to "message").
     */
    private OutboundSseEvent dataLinesInAField() {
        StringBuilder lines = new StringBuilder(data.length() + 16);
        int start = 0;
        while (true) {
            int lf = data.indexOf('\n', start);
            String line = lf < 0 ? data.substring(start) : data.substring(start, lf);
            lines.append('\n').append(line.isEmpty() ? "data:" : "data: ").append(line);
            if (lf < 0) {
                break;
            }
            start = lf + 1;
        }
        if (id != null) {
            return new PreparedEvent(0, id + lines, name, null, retryMillis, comment, control);
        }
        return new PreparedEvent(0, null, (name != null ? name : "message") + lines, null, retryMillis, comment, control);
    }

    private static boolean isResteasy(Sse sse) {
        return sse.getClass().getName().startsWith("org.jboss.resteasy.");
    }

    private boolean isRetryOnly() {
        return control && retryMillis >= 0 && "".equals(data) && id == null && name == null && comment == null;
    }

    private static boolean isJersey(Sse sse) {
        return sse.getClass().getName().startsWith("org.glassfish.jersey.");
    }

    @Override
    public Class<?> getType() {
        return String.class;
    }

    @Override
    public Type getGenericType() {
        return String.class;
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.TEXT_PLAIN_TYPE;
    }

    @Override
    public Object getData() {
        return data;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getComment() {
        return comment;
    }

    @Override
    public long getReconnectDelay() {
        return retryMillis;
    }

    @Override
    public boolean isReconnectDelaySet() {
        return retryMillis >= 0;
    }

    @Override
    public String toString() {
        return "PreparedEvent[seq=" + sequence + ", id=" + id + ", name=" + name + "]";
    }
}
