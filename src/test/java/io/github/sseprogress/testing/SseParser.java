package io.github.sseprogress.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A WHATWG HTML §9.2.6 event-stream interpreter, written from the spec, for asserting on raw bytes.
 * Feed it bytes in any chunking; it yields dispatched events and counts comment lines. Not thread-safe.
 */
public final class SseParser {

    /** A dispatched event: type ("message" by default), data, and the last event id buffer. */
    public record Event(String type, String data, String lastEventId) {
    }

    private final StringBuilder line = new StringBuilder();
    private final List<Event> events = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventId = "";
    private long retry = -1;
    private boolean pendingCr;
    private boolean firstChunk = true;
    private byte[] carry = new byte[0];

    /** Feeds raw UTF-8 bytes. */
    public void feed(byte[] bytes, int off, int len) {
        byte[] all = new byte[carry.length + len];
        System.arraycopy(carry, 0, all, 0, carry.length);
        System.arraycopy(bytes, off, all, carry.length, len);
        int complete = completeUtf8Prefix(all);
        carry = java.util.Arrays.copyOfRange(all, complete, all.length);
        String text = new String(all, 0, complete, StandardCharsets.UTF_8);
        if (firstChunk && !text.isEmpty()) {
            firstChunk = false;
            if (text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (pendingCr) {
                pendingCr = false;
                if (c == '\n') {
                    continue; // CRLF is one line end
                }
            }
            if (c == '\r') {
                pendingCr = true;
                processLine(line.toString());
                line.setLength(0);
            } else if (c == '\n') {
                processLine(line.toString());
                line.setLength(0);
            } else {
                line.append(c);
            }
        }
    }

    public void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        feed(b, 0, b.length);
    }

    /** Events dispatched so far (removes them). */
    public List<Event> takeEvents() {
        List<Event> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    public int pendingEvents() {
        return events.size();
    }

    /** Comment lines seen so far (text after the colon), removes them. */
    public List<String> takeComments() {
        List<String> out = new ArrayList<>(comments);
        comments.clear();
        return out;
    }

    public long retry() {
        return retry;
    }

    private void processLine(String l) {
        if (l.isEmpty()) {
            dispatch();
            return;
        }
        if (l.charAt(0) == ':') {
            comments.add(l.substring(1));
            return;
        }
        String field;
        String value;
        int colon = l.indexOf(':');
        if (colon >= 0) {
            field = l.substring(0, colon);
            value = l.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
        } else {
            field = l;
            value = "";
        }
        switch (field) {
            case "event":
                eventType = value;
                break;
            case "data":
                data.append(value).append('\n');
                break;
            case "id":
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                }
                break;
            case "retry":
                if (!value.isEmpty() && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    retry = Long.parseLong(value);
                }
                break;
            default:
                break;
        }
    }

    private void dispatch() {
        if (data.length() == 0) {
            eventType = "";
            return;
        }
        String d = data.toString();
        if (d.endsWith("\n")) {
            d = d.substring(0, d.length() - 1);
        }
        events.add(new Event(eventType.isEmpty() ? "message" : eventType, d, lastEventId));
        data = new StringBuilder();
        eventType = "";
    }

    private static int completeUtf8Prefix(byte[] b) {
        int n = b.length;
        // walk back over at most 3 continuation bytes to find an incomplete trailing sequence
        for (int back = 1; back <= Math.min(4, n); back++) {
            int i = n - back;
            int v = b[i] & 0xFF;
            if ((v & 0xC0) == 0x80) {
                continue;
            }
            int need = v < 0x80 ? 1 : (v & 0xE0) == 0xC0 ? 2 : (v & 0xF0) == 0xE0 ? 3 : (v & 0xF8) == 0xF0 ? 4 : 1;
            return back < need ? i : n;
        }
        return n;
    }
}
