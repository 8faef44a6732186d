package io.github.sseprogress;

import java.security.Principal;
import java.time.Instant;
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
    private final String queryToken;
    private volatile Status rejection;
    private volatile String message;
    private volatile Instant expiresAt;

    SubscriberConnecting(String topic, Principal principal, Map<String, List<String>> headers, String lastEventId,
            String queryToken) {
        this.topic = topic;
        this.queryToken = queryToken;
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
     * The token the client sent in the query string ({@code ?access_token=…}, for {@code EventSource},
     * which cannot set headers), or {@code null}; always {@code null} unless {@code sse.auth.query-token=true}.
     * The parameter is always {@code access_token}, never part of a topic or key, and never logged by the library.
     */
    public String queryToken() {
        return queryToken;
    }

    /**
     * Ends the stream at {@code instant} (e.g. the {@code exp} of the caller's token): the client gets
     * {@code event: expired} with data {@code {"reason":"token-expired"}} after what is queued, and the
     * stream closes normally, so {@code EventSource} reconnects and this hook authorises it again. A
     * multiplexed connection (SSE or WebSocket, close code {@code 4002}) ends whole at the earliest
     * instant any of its keys' observers set. {@code null} removes it.
     */
    public void expiresAt(Instant instant) {
        this.expiresAt = instant;
    }

    /** The instant set with {@link #expiresAt(Instant)}, or {@code null}. */
    public Instant expiresAt() {
        return expiresAt;
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
