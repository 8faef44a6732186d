package io.github.sseprogress.bench.app;

import io.github.sseprogress.Job;
import io.github.sseprogress.Manager;
import io.github.sseprogress.Tracker;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** The library under test: Manager fan-out and Tracker jobs, driven by the load client. */
@ApplicationScoped
@Path("ours")
public class OursResource {

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    @GET
    @Path("sse")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void sse(@QueryParam("topic") String topic, @QueryParam("queue") int queue, @Context SseEventSink sink,
            @Context Sse sse) {
        topics.subscribe(topic, sink, sse, options(queue));
    }

    /** {@code queue} > 0: this subscriber's queue bound (the burst scenario's {@code bench.burst.queue}). */
    private static io.github.sseprogress.SubscribeOptions options(int queue) {
        io.github.sseprogress.SubscribeOptions.Builder b = io.github.sseprogress.SubscribeOptions.builder();
        if (queue > 0) {
            b.queueSize(queue);
        }
        return b.build();
    }

    /** The same subscription through the library's servlet transport (SseServletSink). */
    @GET
    @Path("servlet")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void servlet(@QueryParam("topic") String topic, @QueryParam("queue") int queue,
            @Context jakarta.servlet.http.HttpServletRequest request,
            @Context jakarta.servlet.http.HttpServletResponse response, @Context Sse sse) {
        topics.subscribe(topic, io.github.sseprogress.SseServletSink.of(request, response), sse, options(queue));
    }

    /**
     * A subscriber that is stalled before it joins: another thread writes {@code fill} bytes to its sink,
     * which blocks once the client (which never reads) has a full window, then it subscribes normally.
     */
    @GET
    @Path("stalled")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stalled(@QueryParam("topic") String topic, @QueryParam("fill") int fill, @Context SseEventSink sink,
            @Context Sse sse) {
        Filler.fill(threads, sink, sse, fill);
        topics.subscribe(topic, sink, sse);
    }

    @GET
    @Path("count")
    @Produces(MediaType.TEXT_PLAIN)
    public String count(@QueryParam("topic") String topic) {
        return Integer.toString(topics.subscriberCount(topic));
    }

    /** This node's totals since start (Manager.stats()): what the library delivered and dropped (queue overflow). */
    @GET
    @Path("stats")
    @Produces(MediaType.APPLICATION_JSON)
    public String stats() {
        io.github.sseprogress.DeliveryStats s = topics.stats();
        return "{\"delivered\":" + s.delivered() + ",\"dropped\":" + s.dropped() + ",\"evicted\":" + s.evicted() + "}";
    }

    @GET
    @Path("publish")
    @Produces(MediaType.TEXT_PLAIN)
    public String publish(@QueryParam("topic") String topic, @QueryParam("rate") double rate,
            @QueryParam("seconds") double seconds, @QueryParam("bytes") int bytes) {
        long total = Math.round(rate * seconds);
        Pacer.start(threads, () -> Pacer.run(topic, total, rate, bytes, 5_000_000_000L,
                (i, payload) -> topics.publish(topic, payload)));
        return "ok";
    }

    /** The burst (issue 15): see {@link Burst}; each event goes through {@code Manager.publish}. */
    @GET
    @Path("burst")
    @Produces(MediaType.TEXT_PLAIN)
    public String burst(@QueryParam("topic") String topic, @QueryParam("publishers") int publishers,
            @QueryParam("count") int count, @QueryParam("bytes") int bytes) throws InterruptedException {
        return Burst.start(threads, topic, publishers, count, bytes, payload -> topics.publish(topic, payload));
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
    public String published(@QueryParam("topic") String topic, @QueryParam("prefix") String prefix) {
        return Long.toString(Pacer.published(topic != null ? topic : prefix));
    }

    /** Nothing to do: the library removes a subscriber when its client goes. */
    @GET
    @Path("close")
    @Produces(MediaType.TEXT_PLAIN)
    public String close(@QueryParam("topic") String topic) {
        return "ok";
    }

    // ---- Tracker: jobs "<prefix>/<i>" ----

    @GET
    @Path("jobs/start")
    @Produces(MediaType.TEXT_PLAIN)
    public String startJobs(@QueryParam("prefix") String prefix, @QueryParam("count") int count,
            @QueryParam("bytes") int bytes) {
        for (int i = 0; i < count; i++) {
            Job job = tracker.start(prefix + "/" + i).job();
            job.publish(Pacer.payload(System.nanoTime(), 0, bytes));
        }
        return "ok";
    }

    @GET
    @Path("jobs/sse")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void jobEvents(@QueryParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic, sink, sse);
    }

    /** The same job subscription through the library's servlet transport (SseServletSink). */
    @GET
    @Path("jobs/servlet")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void jobEventsServlet(@QueryParam("topic") String topic,
            @Context jakarta.servlet.http.HttpServletRequest request,
            @Context jakarta.servlet.http.HttpServletResponse response, @Context Sse sse) {
        tracker.subscribe(topic, io.github.sseprogress.SseServletSink.of(request, response), sse);
    }

    /** {@code rate} snapshots/s for EACH of {@code count} jobs, spread evenly, for {@code seconds}. */
    @GET
    @Path("jobs/publish")
    @Produces(MediaType.TEXT_PLAIN)
    public String publishJobs(@QueryParam("prefix") String prefix, @QueryParam("count") int count,
            @QueryParam("rate") double rate, @QueryParam("seconds") double seconds, @QueryParam("bytes") int bytes) {
        Job[] jobs = new Job[count];
        for (int i = 0; i < count; i++) {
            jobs[i] = tracker.startOrJoin(prefix + "/" + i).job();
        }
        long total = Math.round(rate * seconds * count);
        Pacer.start(threads, () -> Pacer.run(prefix, total, rate * count, bytes, 5_000_000_000L,
                (i, payload) -> jobs[(int) (i % count)].publish(payload)));
        return "ok";
    }

    @GET
    @Path("jobs/count")
    @Produces(MediaType.TEXT_PLAIN)
    public String jobSubscribers(@QueryParam("prefix") String prefix, @QueryParam("count") int count) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            n += tracker.subscriberCount(prefix + "/" + i);
        }
        return Integer.toString(n);
    }

    @GET
    @Path("jobs/finish")
    @Produces(MediaType.TEXT_PLAIN)
    public String finishJobs(@QueryParam("prefix") String prefix, @QueryParam("count") int count) {
        for (int i = 0; i < count; i++) {
            tracker.startOrJoin(prefix + "/" + i).job().finish("{\"done\":true}");
        }
        return "ok";
    }
}
