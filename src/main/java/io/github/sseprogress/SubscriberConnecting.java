package io.github.sseprogress;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.github.sseprogress.internal.wire.JsonText;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

/**
 * A CDI event fired synchronously on the request thread before a stream is attached to a topic or
 * job; observe it to authorise, rate-limit or audit. {@link #reject} turns the subscribe call into
 * an HTTP error response and attaches nothing.
 *
 * <pre>{@code
 * void onConnect(@Observes SubscriberConnecting c) {
 *     if (c.principal() == null) c.reject(Response.Status.UNAUTHORIZED, "log in first");
 * }
 * }</pre>
 *
 * The principal and headers are those the resource handed over with
 * {@link SubscribeOptions.Builder#request}; {@code null} / empty when it did not.
 */
public final class SubscriberConnecting {

    private final String topic;
    private final Principal principal;
    private final Map<String, List<String>> headers;
    private final String lastEventId;
    private volatile Status rejection;
    private volatile String message;

    SubscriberConnecting(String topic, Principal principal, Map<String, List<String>> headers, String lastEventId) {
        this.topic = topic;
        this.principal = principal;
        this.headers = headers == null ? Map.of() : headers;
        this.lastEventId = lastEventId;
    }

    /** The topic (or job topic) the client asks for. */
    public String topic() {
        return topic;
    }

    /** The authenticated user, or {@code null}. */
    public Principal principal() {
        return principal;
    }

    /** The request headers (read-only; names as sent). */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of a header, case-insensitively, or {@code null}. */
    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** The {@code Last-Event-ID} the client resumes from, or {@code null}. */
    public String lastEventId() {
        return lastEventId;
    }

    /**
     * Refuses the stream with {@code status} (e.g. 401, 403, 404, 429) and a message sent as a JSON
     * error body.
     *
     * @throws IllegalArgumentException when the status is not a 4xx or 5xx error
     */
    public void reject(Status status, String message) {
        if (status == null || status.getStatusCode() < 400) {
            throw new IllegalArgumentException("reject needs an error status (4xx or 5xx): " + status);
        }
        this.rejection = status;
        this.message = message;
    }

    /** The error response for a rejection, or {@code null}; read by the library (not API). */
    Response rejectionResponse() {
        Status s = rejection;
        if (s == null) {
            return null;
        }
        String m = message == null ? s.getReasonPhrase() : message;
        return Response.status(s).type("application/json")
                .entity("{\"status\":" + s.getStatusCode() + ",\"message\":" + JsonText.quote(m) + "}").build();
    }
}
