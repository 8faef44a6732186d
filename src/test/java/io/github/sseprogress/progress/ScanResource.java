package io.github.sseprogress.progress;

import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The README's canonical trio, as an application writes it: POST starts (or joins) a scan, GET
 * events streams it, GET status answers clients that cannot do SSE. The executor stands in for the
 * container's {@code ManagedExecutorService}; tests set {@link #work} to drive what the job does.
 */
@ApplicationScoped
@Path("scans")
public class ScanResource {

    /** Work submitted by POST; tests replace it to drive the job. */
    static volatile java.util.function.Consumer<Job> work = job -> { };

    @Inject
    Tracker tracker;

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @POST
    @Path("{id}")
    public Response start(@PathParam("id") String id) {
        Tracker.Started s = tracker.start("scan/" + id);
        if (s.isNew()) {
            Job job = s.job();
            executor.submit(job.wrap(() -> {
                try {
                    work.accept(Job.current());
                } finally {
                    job.finish(Progress.failed("Scan did not complete")); // safety net, no-op after a finish
                }
            }));
        }
        return s.accepted(URI.create("scans/" + id));
    }

    /** Cooperative cancel: 202 while the job runs, 409 once it has finished, 404 (JSON) when unknown. */
    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        return tracker.cancel("scan/" + id) ? Response.accepted().build() : Response.status(Response.Status.CONFLICT).build();
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe("scan/" + id, sink, sse, lastEventId);
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response status(@PathParam("id") String id) {
        return tracker.latest("scan/" + id)
                .map(s -> Response.ok(s.data()).build())
                .orElseGet(() -> Response.noContent().build());
    }

    /** A stream for any topic, honouring Last-Event-ID. */
    @GET
    @Path("/topic/{topic: .+}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void topic(@PathParam("topic") String topic, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic, sink, sse, lastEventId);
    }

    /** The simplest resource: a plain {@code subscribe}, no exception handling. */
    @GET
    @Path("/plain/{topic: .+}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void plain(@PathParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic, sink, sse);
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
