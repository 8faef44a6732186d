package io.github.sseprogress.bench.app;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The STOCK baseline: what the Jakarta EE tutorial shows ("broadcasting" with {@code SseBroadcaster}):
 * {@code register(sink)} on GET, {@code broadcast(sse.newEvent(text))} to publish. No queues, no
 * heartbeats. One broadcaster per topic here (the tutorial has one per resource) so that scenarios
 * do not see each other's clients.
 */
@Singleton
@Path("stock")
public class StockResource {

    private final ConcurrentHashMap<String, SseBroadcaster> broadcasters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> registered = new ConcurrentHashMap<>();

    @Context
    Sse sse;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private SseBroadcaster broadcaster(String topic) {
        return broadcasters.computeIfAbsent(topic, t -> sse.newBroadcaster());
    }

    @GET
    @Path("sse")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void sse(@QueryParam("topic") String topic, @Context SseEventSink sink) {
        broadcaster(topic).register(sink);
        registered.computeIfAbsent(topic, t -> new AtomicInteger()).incrementAndGet();
    }

    /**
     * Stock with its response committed at once, as ours does (one empty comment, then the broadcaster): the
     * idle scenario's control for what a committed SSE response costs the container, whoever commits it.
     */
    @GET
    @Path("sse-committed")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void sseCommitted(@QueryParam("topic") String topic, @Context SseEventSink sink) {
        sink.send(sse.newEventBuilder().comment("").build());
        sse(topic, sink);
    }

    @GET
    @Path("stalled")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stalled(@QueryParam("topic") String topic, @QueryParam("fill") int fill, @Context SseEventSink sink,
            @Context Sse sse) {
        Filler.fill(threads, sink, sse, fill);
        sse(topic, sink);
    }

    /** Registrations so far (the stock broadcaster cannot tell how many are still open). */
    @GET
    @Path("count")
    @Produces(MediaType.TEXT_PLAIN)
    public String count(@QueryParam("topic") String topic) {
        AtomicInteger n = registered.get(topic);
        return Integer.toString(n == null ? 0 : n.get());
    }

    @GET
    @Path("publish")
    @Produces(MediaType.TEXT_PLAIN)
    public String publish(@QueryParam("topic") String topic, @QueryParam("rate") double rate,
            @QueryParam("seconds") double seconds, @QueryParam("bytes") int bytes) {
        long total = Math.round(rate * seconds);
        SseBroadcaster b = broadcaster(topic);
        Pacer.start(threads, () -> Pacer.run(topic, total, rate, bytes, 5_000_000_000L,
                (i, payload) -> b.broadcast(sse.newEvent(payload))));
        return "ok";
    }

    /**
     * The burst baseline (issue 15): the same 64 threads as ours, each calling the tutorial's
     * {@code broadcast(sse.newEvent(text))}. The broadcaster has no loss signal: what it does not deliver
     * is a silent gap; {@code burst/info} says how long the publishers were held and whether broadcast threw.
     */
    @GET
    @Path("burst")
    @Produces(MediaType.TEXT_PLAIN)
    public String burst(@QueryParam("topic") String topic, @QueryParam("publishers") int publishers,
            @QueryParam("count") int count, @QueryParam("bytes") int bytes) throws InterruptedException {
        SseBroadcaster b = broadcaster(topic);
        return Burst.start(threads, topic, publishers, count, bytes, payload -> b.broadcast(sse.newEvent(payload)));
    }

    @GET
    @Path("burst/info")
    @Produces(MediaType.APPLICATION_JSON)
    public String burstInfo(@QueryParam("topic") String topic) {
        return Burst.info(topic);
    }

    @GET
    @Path("published")
    @Produces(MediaType.TEXT_PLAIN)
    public String published(@QueryParam("topic") String topic) {
        return Long.toString(Pacer.published(topic));
    }

    /** Ends a scenario: closes the topic's broadcaster and every sink still registered. */
    @GET
    @Path("close")
    @Produces(MediaType.TEXT_PLAIN)
    public String close(@QueryParam("topic") String topic) {
        SseBroadcaster b = broadcasters.remove(topic);
        if (b != null) {
            threads.newThread(b::close).start();
        }
        return "ok";
    }
}
