package io.github.sseprogress;

import io.github.sseprogress.internal.servlet.ServletTransport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * An event stream written by the library itself with Servlet non-blocking I/O, instead of the JAX-RS
 * runtime's {@code SseEventSink}: each event is encoded once for all subscribers, a run of queued
 * events goes out in one write, and a client that stops reading holds no thread (on Payara; Open
 * Liberty's non-blocking write still blocks once its buffers are full). Hand it to
 * {@link Manager}, {@link Tracker} or {@link Streams} {@code subscribe} in place of the injected sink;
 * the {@code Sse} argument is then not used for writing. The resource method returns {@code void}:
 *
 * <pre>{@code
 * @GET @Path("{id}/events")
 * public void events(@PathParam("id") String id, @Context HttpServletRequest request,
 *         @Context HttpServletResponse response, @Context Sse sse) {
 *     tracker.subscribe("scan/" + id, SseServletSink.of(request, response), sse);
 * }
 * }</pre>
 *
 * Nothing happens to the response until the library opens the stream, so a refusal (404, 204, 429,
 * 503) is answered exactly as on the JAX-RS path; then it starts asynchronous mode and commits
 * {@code 200} with {@code text/event-stream}, {@code Cache-Control: no-cache} (unless set) and
 * {@code X-Accel-Buffering: no}, on the request thread. JAX-RS response filters do not see the
 * stream's response (set other headers on {@code response} before subscribing).
 */
public final class SseServletSink {

    private SseServletSink() {
    }

    /**
     * A sink for one request; use it for one {@code subscribe} call.
     *
     * @throws IllegalArgumentException when either argument is null
     */
    public static SseEventSink of(HttpServletRequest request, HttpServletResponse response) {
        return new ServletTransport(request, response);
    }
}
