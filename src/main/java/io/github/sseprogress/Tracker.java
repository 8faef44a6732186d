package io.github.sseprogress;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Progress of asynchronous jobs over Server-Sent Events: a trigger {@link #start starts} (or joins) a
 * {@link Job} keyed by a topic, the work publishes snapshots on it and {@link Job#finish finishes} it,
 * and browsers {@link #subscribe} at any time: a late subscriber gets the latest snapshot, then the live
 * tail, then the terminal event, after which its stream closes. An {@code @ApplicationScoped} CDI
 * bean; inject it with {@code @Inject Tracker}.
 *
 * <pre>{@code
 * @POST
 * public Response start() {
 *     String id = UUID.randomUUID().toString();
 *     Tracker.Started s = tracker.start("scan/" + id);
 *     if (s.isNew()) executor.submit(s.job().wrap(() -> scanner.run()));   // Job.current() inside
 *     return s.accepted(URI.create("scans/" + id));                        // 202 + Location
 * }
 *
 * @GET @Path("{id}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void events(@PathParam("id") String id, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
 *                    @Context SseEventSink sink, @Context Sse sse) {
 *     tracker.subscribe("scan/" + id, sink, sse, last);   // 404 (JSON) unknown, 204 after the terminal
 * }
 * }</pre>
 *
 * <p>Lifecycle of a topic: no entry → running (after {@code start}) → retained (after
 * {@code finish}, for {@code sse.tracker.retention}, default 30 s) → no entry. Memory per job is O(1):
 * only the latest event is kept. Each event carries an {@code id}, {@code <run>-<seq>}, increasing within a run.
 *
 * <p>Clustered (with {@code sse-progress-redis} and {@code sse.cluster.redis.uri}): {@code start} and
 * {@code startOrJoin} decide across nodes, the work runs where the job was created, and every node streams
 * and answers {@code latest} the same; a job whose node dies ends {@code failed} after its lease. Calls
 * that need Redis answer 503 while it cannot be reached. {@link #subscriberCount}, {@link #topics} and
 * {@link Job#awaitSubscriber} count this node.
 *
 * <p>Threads: every method is thread-safe and returns without waiting for any client; events are
 * written by the library's writer tasks on its own pool of container-managed threads
 * ({@code sse.writer-threads}); the scheduler only ticks heartbeats, the write watchdog and retention.
 */
public interface Tracker {

    /**
     * Trigger-driven entry (an HTTP POST): joins a running job; otherwise creates a fresh one, also
     * replacing a retained finished job so that the previous run's terminal is never taken for this
     * run's. Atomic: of any number of concurrent callers on one topic exactly one gets
     * {@code isNew() == true} and all get the same job.
     *
     * @throws IllegalArgumentException when the topic is null, empty or has control characters
     * @throws jakarta.ws.rs.ServiceUnavailableException (503) after {@link #shutdown()}
     */
    Started start(String topic);

    /**
     * Subscriber-driven entry ("compute once, many watch"): joins a running job or reuses a retained
     * finished one (not new); creates a job only when there is no entry. Atomic like {@link #start}.
     *
     * @throws IllegalArgumentException when the topic is invalid
     * @throws jakarta.ws.rs.ServiceUnavailableException (503) after {@link #shutdown()}
     */
    Started startOrJoin(String topic);

    /**
     * Attaches the request's SSE stream to the topic's job: the latest event first (if any), then
     * the live tail latest-wins (a client that is behind gets the newest snapshot, never a backlog),
     * in order, without gap or duplicate. For a finished job: exactly the terminal event, then the
     * stream closes.
     *
     * @throws NoSuchTopicException (404 with a JSON body, no mapper needed) when the topic was never
     *         started or its retention expired
     * @throws IllegalArgumentException when the topic is invalid
     * @throws jakarta.ws.rs.ServiceUnavailableException (503) after {@link #shutdown()}
     */
    void subscribe(String topic, SseEventSink sink, Sse sse);

    /**
     * As {@link #subscribe(String, SseEventSink, Sse)} for a browser that reconnects with the
     * {@code Last-Event-ID} header (may be {@code null}). When it equals the id of the job's terminal
     * event the client has seen the end: this throws a {@code WebApplicationException} with status
     * {@code 204 No Content}, which tells {@code EventSource} to stop reconnecting, before the sink
     * is touched. Any other value gets the latest event, as a new subscriber does.
     */
    void subscribe(String topic, SseEventSink sink, Sse sse, String lastEventId);

    /**
     * As {@link #subscribe(String, SseEventSink, Sse, String)}, with the request handed over through
     * {@link SubscribeOptions.Builder#request} (its {@code Last-Event-ID}, principal and headers reach
     * {@link SubscriberConnecting} observers, which may reject the stream before the topic is looked
     * up). Only the request is taken from the options: a job's subscriber always holds one latest-wins
     * snapshot.
     *
     * @throws IllegalArgumentException when the options set a topic setting ({@code replay},
     *         {@code polling}, {@code queueSize} or {@code slowSubscriberPolicy}), which applies to
     *         {@link Manager} topics only; nothing is attached
     */
    void subscribe(String topic, SseEventSink sink, Sse sse, SubscribeOptions options);

    /**
     * The topic's latest event, for a JSON status endpoint used by clients that cannot do SSE; empty
     * while the job has published nothing.
     *
     * @throws NoSuchTopicException (404) when the topic is unknown
     */
    Optional<Snapshot> latest(String topic);

    /**
     * Asks the topic's running job to cancel: {@link Job#isCancelRequested()} becomes true and its
     * {@link Job#onCancel} callbacks run (on the library's callbacks executor), and its latest running
     * {@link Progress} is re-sent with {@code "cancelRequested":true}. Cooperative: the work decides
     * when to stop and ends the job itself (usually {@link Progress#cancelled(String)}); work that
     * ignores the request keeps running. Clustered, the request reaches the node that runs the work.
     *
     * @return {@code true} when a running job was asked (also when it had been asked before), {@code
     *         false} when the job has already finished (nothing changes)
     * @throws NoSuchTopicException (404) when the topic is unknown (never started, or retention over)
     * @throws IllegalArgumentException when the topic is invalid
     * @throws jakarta.ws.rs.ServiceUnavailableException (503) after {@link #shutdown()}, or clustered
     *         while Redis cannot be reached
     */
    boolean cancel(String topic);

    /** The number of open streams on the topic's job; 0 for an unknown topic. */
    int subscriberCount(String topic);

    /** The topics that have a running or retained job now (a snapshot). */
    Set<String> topics();

    /**
     * Ends every stream (reason {@code SHUTDOWN}, no terminal event: browsers reconnect) and drops
     * every job; dropped jobs report {@link Job#isFinished()} and ignore further calls. Afterwards
     * {@code start}, {@code startOrJoin} and {@code subscribe} throw 503. Called by the container when
     * the application stops.
     */
    void shutdown();

    /**
     * What {@link #start} and {@link #startOrJoin} return.
     *
     * @param job the job of the topic, new or joined
     * @param isNew whether this call created it: only then should the caller start the work
     */
    record Started(Job job, boolean isNew) {

        public Started {
            Objects.requireNonNull(job, "job");
        }

        /**
         * The conventional answer to the triggering POST: {@code 202 Accepted} with {@code Location}
         * (a relative URI is resolved against the application's base URI by JAX-RS), the job's address
         * for the client, and the JSON body {@code {"new":true}} ({@code false} when this POST joined a
         * running job). The topic is the server's key and is not sent; put a public id in the location.
         */
        public Response accepted(URI location) {
            Objects.requireNonNull(location, "location");
            String body = "{\"new\":" + isNew + "}";
            return Response.accepted(body).type(MediaType.APPLICATION_JSON_TYPE).location(location).build();
        }
    }

    /**
     * The latest event of a job.
     *
     * @param id the event's {@code id} on the stream
     * @param data the payload as published (may be {@code null}: {@code publish(null)} is valid)
     * @param finished whether this is the terminal event
     */
    record Snapshot(String id, Object data, boolean finished) {
    }
}
