package io.github.sseprogress.it;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
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
 * IT-only: the {@link Tracker} over HTTP, with the job's work driven step by step by the test
 * (publish / finish requests) so nothing depends on timing. Topics are {@code it-job/<id>}.
 */
@Path("jobs")
@ApplicationScoped
public class JobResource {

    @Inject
    Tracker tracker;

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    static String topic(String id) {
        return "it-job/" + id;
    }

    /** Starts (or joins) the job: 202 + Location. */
    @POST
    @Path("{id}")
    public Response start(@PathParam("id") String id) {
        Tracker.Started s = tracker.start(topic(id));
        jobs.put(id, s.job());
        return s.accepted(URI.create("jobs/" + id));
    }

    @POST
    @Path("{id}/publish")
    public Response publish(@PathParam("id") String id, @QueryParam("progress") int progress,
            @QueryParam("step") @DefaultValue("") String step) {
        job(id).publish(Progress.processing(progress, step));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/finish")
    @Produces(MediaType.APPLICATION_JSON)
    public String finish(@PathParam("id") String id, @QueryParam("failed") String failed) {
        boolean won = job(id).finish(failed == null ? Progress.completed(Map.of("ok", true)) : Progress.failed(failed));
        return "{\"won\":" + won + "}";
    }

    /** The status endpoint: latest snapshot as JSON; 404 (the library's JSON) when unknown. */
    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response status(@PathParam("id") String id) {
        return tracker.latest(topic(id))
                .map(s -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", s.id());
                    m.put("finished", s.finished());
                    m.put("data", s.data());
                    return Response.ok(ItJson.of(m)).build();
                })
                .orElseGet(() -> Response.ok("{\"id\":null}").build());
    }

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic(id), sink, sse, last);
    }

    private Job job(String id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new NotFoundException("no job " + id);
        }
        return j;
    }
}
