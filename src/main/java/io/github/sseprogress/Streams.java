package io.github.sseprogress;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * One connection for many topics and jobs: a multiplexed SSE stream carries every key a client asks for
 * (what a key means is decided by the application's {@link StreamKeys} bean). An
 * {@code @ApplicationScoped} CDI bean; inject it with {@code @Inject Streams}. The wire format is in
 * the README ("One connection for many jobs and topics").
 *
 * <pre>{@code
 * @GET @Path("streams") @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void streams(@Context UriInfo uri, @Context HttpHeaders headers, @Context SecurityContext security,
 *                     @Context SseEventSink sink, @Context Sse sse) {
 *     streams.subscribe(Streams.keysOf(uri), sink, sse,
 *             SubscribeOptions.builder().request(headers, uri, security).build());
 * }
 * }</pre>
 *
 * <p>Per key the stream gives what a stream of its own would: a topic's events in order (replay
 * after the key's position, or the {@code missed} signal), a job's latest snapshot, its live tail
 * latest-wins and its terminal; then an {@code end} frame for that key while the stream stays open for
 * the others. {@link SubscriberConnecting} observers decide per topic. The connection has one queue,
 * bounded at the queue size for each key it follows (the options' or {@code sse.queue-size}; the
 * options' slow-subscriber policy or the configured one applies), and one writer.
 */
public interface Streams {

    /**
     * Attaches the request's SSE stream to every key, in order.
     *
     * @param keys what the client follows (1 to {@code sse.streams.max-keys}, each 1–200 characters
     *        without control characters, none twice)
     * @param options the request ({@link SubscribeOptions.Builder#request}) and the connection's queue
     *        size and slow-subscriber policy; topic settings come from {@link StreamKeys}
     * @throws jakarta.ws.rs.BadRequestException (400, JSON body) for an invalid list of keys; nothing is attached
     * @throws jakarta.ws.rs.WebApplicationException 204 when the client's {@code Last-Event-ID} says
     *         every key has ended (this stops {@code EventSource})
     * @throws jakarta.ws.rs.ServiceUnavailableException (503) after shutdown
     */
    void subscribe(List<String> keys, SseEventSink sink, Sse sse, SubscribeOptions options);

    /**
     * The keys of a request: each query parameter except {@code lastEventId} and {@code access_token}
     * (the token of {@code sse.auth.query-token}), in order, as
     * {@code name:value} ({@code ?job=42&topic=news} gives {@code ["job:42", "topic:news"]}).
     */
    static List<String> keysOf(UriInfo uriInfo) {
        String query = uriInfo.getRequestUri().getRawQuery();
        List<String> keys = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return keys;
        }
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            if (!"lastEventId".equals(name) && !"access_token".equals(name)) {
                keys.add(name + ":" + value);
            }
        }
        return keys;
    }
}
