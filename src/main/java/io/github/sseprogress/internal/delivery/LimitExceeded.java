package io.github.sseprogress.internal.delivery;

import java.time.Duration;

import io.github.sseprogress.internal.wire.JsonText;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A stream (or a new topic) refused because a {@code sse.limits.*} limit is reached: normal client
 * behaviour, answered {@code 429 Too Many Requests} with {@code Retry-After} and a JSON body
 * {@code {"status":429,"message":"…","limit":"per-topic"}}; never logged above FINE. No stack trace.
 */
public final class LimitExceeded extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Which limit: {@code streams}, {@code per-topic}, {@code per-principal}, {@code per-address}, {@code topics}. */
    private final String limit;

    public LimitExceeded(String limit, String message) {
        super(message, null, false, false);
        this.limit = limit;
    }

    public String limit() {
        return limit;
    }

    /** The JSON body: {@code {"status":429,"message":...,"limit":...}}. */
    public String json() {
        return "{\"status\":429,\"message\":" + JsonText.quote(getMessage()) + ",\"limit\":" + JsonText.quote(limit)
                + "}";
    }

    /** The HTTP answer: 429, {@code Retry-After} in whole seconds (rounded up), the JSON body. */
    public Response response(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Response.status(429).header("Retry-After", Long.toString(seconds)).type(MediaType.APPLICATION_JSON)
                .entity(json()).build();
    }
}
