package io.github.sseprogress;

import java.util.Set;

import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Topic fan-out over Server-Sent Events: {@link #publish} sends to every current subscriber of a
 * topic. An {@code @ApplicationScoped} CDI bean; inject it with {@code @Inject Manager}.
 *
 * <pre>{@code
 * @GET @Path("alarms") @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void alarms(@Context SseEventSink sink, @Context Sse sse) {
 *     topics.subscribe("alarms", sink, sse);
 * }
 * // anywhere:
 * topics.publish("alarms", alarm);   // sent as compact JSON
 * }</pre>
 *
 * <p>Guarantees: per subscriber, events arrive in publish order and frames never interleave; a slow
 * or dead client never delays the publisher or another client (each subscriber has a bounded queue
 * and its own writer); heartbeat comments keep idle streams alive through proxies and detect dead
 * clients. A topic exists while it has subscribers: the first creates it (and starts its
 * {@link Polling}, if any), the last removes it (and stops polling without waiting for it).
 *
 * <p>Clustered (with {@code sse-progress-redis} and {@code sse.cluster.redis.uri}): {@link #publish} reaches
 * the topic's subscribers on every node, in one order, with cluster-wide ids {@code <epoch>-<seq>} (an
 * event's own {@code id} is replaced); {@code Last-Event-ID} resumes on any node; an event without data
 * and {@link Polling} stay on their node; {@link #subscriberCount}, {@link #topics} and {@link #stats}
 * count this node.
 *
 * <p>Threads: every method is thread-safe and returns without waiting for any client.
 */
public interface Manager {

    /**
     * Attaches the request's SSE stream to {@code topic} with the configured defaults.
     *
     * @throws IllegalArgumentException when the topic is null, empty or has control characters
     * @throws jakarta.ws.rs.ServiceUnavailableException (503) after {@link #shutdown()}
     */
    void subscribe(String topic, SseEventSink sink, Sse sse);

    /** As {@link #subscribe(String, SseEventSink, Sse)}, with per-subscription options. */
    void subscribe(String topic, SseEventSink sink, Sse sse, SubscribeOptions options);

    /**
     * Publishes {@code data} to the topic's current subscribers: a {@link CharSequence} as text, any
     * other object as JSON (serialised once), an {@link SseEvent} with its fields. Fire-and-forget:
     * a topic without subscribers costs one map lookup; a no-op after {@link #shutdown()}.
     *
     * @throws IllegalArgumentException when the topic is null or the data cannot be serialised
     */
    void publish(String topic, Object data);

    /** Publishes a fully specified event; see {@link #publish(String, Object)}. */
    void publish(String topic, SseEvent event);

    /** The number of open subscribers of {@code topic}; 0 for an unknown topic. */
    int subscriberCount(String topic);

    /** The topics that have subscribers now (a snapshot). */
    Set<String> topics();

    /** Counters of one topic (zeros for an unknown topic). */
    DeliveryStats stats(String topic);

    /** Counters over every topic since start. */
    DeliveryStats stats();

    /**
     * Closes every stream and stops every poller. Afterwards {@code subscribe} throws 503 and
     * {@code publish} does nothing. Called by the container when the application stops.
     */
    void shutdown();

    /**
     * The topic of a request, derived from its URL: the path (as sent, relative to the application's
     * base, with a leading {@code /}), plus {@code ?} and the raw query when there is one, so that
     * different query views of one endpoint are different topics. E.g. {@code /devices?label=a}.
     * The library's own parameters are left out: the resume position ({@code lastEventId}), so a
     * client resuming through the query lands on the same topic, and the token of
     * {@code sse.auth.query-token} ({@code access_token}), which must never name a topic (or reach a log).
     */
    static String topicOf(UriInfo uriInfo) {
        String path = uriInfo.getPath(false);
        if (path == null) {
            path = "";
        }
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        String query = withoutLibraryParameters(uriInfo.getRequestUri().getRawQuery());
        return "/" + path + (query.isEmpty() ? "" : "?" + query);
    }

    /** The raw query without the library's own parameters ({@code lastEventId}, {@code access_token}), order kept. */
    private static String withoutLibraryParameters(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        StringBuilder kept = new StringBuilder(rawQuery.length());
        for (String part : rawQuery.split("&", -1)) {
            int eq = part.indexOf('=');
            String name = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq),
                    java.nio.charset.StandardCharsets.UTF_8);
            if ("lastEventId".equals(name) || "access_token".equals(name)) {
                continue; // the resume position and the query token (sse.auth.query-token) are not the topic's
            }
            if (kept.length() > 0) {
                kept.append('&');
            }
            kept.append(part);
        }
        return kept.toString();
    }
}
