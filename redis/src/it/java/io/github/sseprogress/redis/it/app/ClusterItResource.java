package io.github.sseprogress.redis.it.app;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.sseprogress.Job;
import io.github.sseprogress.Manager;
import io.github.sseprogress.Progress;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.redis.RedisEngine;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * What the test drives on each node: topic streams and publishes ({@link Manager}), jobs whose work is the
 * test itself (a job publishes and finishes only when told, on the node that created it), and the node's
 * engine state. Plain application code, the same as on a single node.
 */
@ApplicationScoped
@Path("/")
public class ClusterItResource {

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @Inject
    RedisEngine engine;

    /** Jobs this node created (isNew), by topic: only their creator runs their work. */
    private final Map<String, Job> owned = new ConcurrentHashMap<>();

    @GET
    @Path("node")
    @Produces(MediaType.APPLICATION_JSON)
    public String node() {
        topics.topics(); // the engine runs once the Manager is in use (at startup already, where the container allows)
        return Json.createObjectBuilder().add("node", engine.nodeName()).add("enabled", engine.enabled())
                .add("connected", engine.isConnected()).add("rejected", engine.rejectedMessages())
                .add("subscriptions", engine.subscriptions()).build().toString();
    }

    // ------------------------------------------------------------------ topics

    @GET
    @Path("topics/{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("topic") String topic, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
            @Context SseEventSink sink, @Context Sse sse) {
        // A queue that holds the tests' bursts (up to 1,000 events at once): with the default 256 a replay topic
        // ends the stream of a client that falls behind so that it resumes with Last-Event-ID (by design, and
        // tested in the core); these tests are about what crosses nodes, not about a slow client.
        topics.subscribe(topic, sink, sse,
                SubscribeOptions.builder().replay(1000).queueSize(2000).lastEventId(last).build());
    }

    @GET
    @Path("topics/{topic}/subscribers")
    @Produces(MediaType.TEXT_PLAIN)
    public String subscribers(@PathParam("topic") String topic) {
        return Integer.toString(topics.subscriberCount(topic));
    }

    /** Publishes {@code <prefix>0 .. <prefix><count-1>} in this order, from one thread. */
    @POST
    @Path("topics/{topic}/publish")
    public Response publish(@PathParam("topic") String topic, @QueryParam("prefix") String prefix,
            @QueryParam("count") @DefaultValue("1") int count) {
        for (int i = 0; i < count; i++) {
            topics.publish(topic, prefix + i);
        }
        return Response.noContent().build();
    }

    // ------------------------------------------------------------------ jobs

    @POST
    @Path("jobs/{topic}/start")
    @Produces(MediaType.APPLICATION_JSON)
    public String start(@PathParam("topic") String topic) {
        return started(topic, tracker.start(topic));
    }

    @POST
    @Path("jobs/{topic}/startOrJoin")
    @Produces(MediaType.APPLICATION_JSON)
    public String startOrJoin(@PathParam("topic") String topic) {
        return started(topic, tracker.startOrJoin(topic));
    }

    private String started(String topic, Tracker.Started s) {
        if (s.isNew()) {
            owned.put(topic, s.job());
        }
        return Json.createObjectBuilder().add("new", s.isNew()).build().toString();
    }

    /** The job's work reports progress: only on the node that created it (404 elsewhere). */
    @POST
    @Path("jobs/{topic}/publish")
    public Response jobPublish(@PathParam("topic") String topic, @QueryParam("progress") int progress,
            @QueryParam("step") String step) {
        Job job = owned.get(topic);
        if (job == null) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        job.publish(Progress.processing(progress, step));
        return Response.noContent().build();
    }

    @POST
    @Path("jobs/{topic}/finish")
    @Produces(MediaType.APPLICATION_JSON)
    public Response jobFinish(@PathParam("topic") String topic, @QueryParam("result") String result) {
        Job job = owned.remove(topic);
        if (job == null) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        boolean first = job.finish(Progress.completed(result));
        return Response.ok(Json.createObjectBuilder().add("finished", first).build().toString()).build();
    }

    @GET
    @Path("jobs/{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void jobEvents(@PathParam("topic") String topic, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic, sink, sse, last); // 404 unknown, 204 after the terminal
    }

    /** The job's latest event: 200 {id, finished, data}, 204 while it published nothing, 404 unknown. */
    @GET
    @Path("jobs/{topic}/latest")
    @Produces(MediaType.APPLICATION_JSON)
    public Response latest(@PathParam("topic") String topic) {
        Optional<Tracker.Snapshot> s = tracker.latest(topic);
        if (s.isEmpty()) {
            return Response.noContent().build();
        }
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", s.get().id()).add("finished", s.get().finished())
                .add("data", String.valueOf(s.get().data()));
        return Response.ok(b.build().toString()).build();
    }
}
