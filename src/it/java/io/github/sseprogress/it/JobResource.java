package io.github.sseprogress.it;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
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
    /** Per job, one entry per run of a cancel callback registered with {@code on-cancel}: its label and thread. */
    private final Map<String, java.util.List<String>> cancelCallbacks = new ConcurrentHashMap<>();

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

    /** A running snapshot without a percentage ({@link Progress#indeterminate}). */
    @POST
    @Path("{id}/publish-indeterminate")
    public Response publishIndeterminate(@PathParam("id") String id, @QueryParam("step") String step) {
        job(id).publish(Progress.indeterminate(step));
        return Response.noContent().build();
    }

    /** Registers a cancel callback, as work would ({@link Job#onCancel}); its runs are listed by {@code cancel-state}. */
    @POST
    @Path("{id}/on-cancel")
    public Response onCancel(@PathParam("id") String id, @QueryParam("label") @DefaultValue("callback") String label) {
        java.util.List<String> runs = cancelCallbacks.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        job(id).onCancel(() -> runs.add(label + "@" + Thread.currentThread().getName()));
        return Response.noContent().build();
    }

    /** What the work sees: {@code {"cancelRequested":…,"callbacks":["label@thread",…]}}. */
    @GET
    @Path("{id}/cancel-state")
    @Produces(MediaType.APPLICATION_JSON)
    public String cancelState(@PathParam("id") String id) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cancelRequested", job(id).isCancelRequested());
        m.put("callbacks", cancelCallbacks.getOrDefault(id, java.util.List.of()));
        return ItJson.of(m);
    }

    /**
     * {@link Tracker#cancel}: {@code 202 {"cancelled":true}} while the job runs, {@code 409 {"cancelled":false}}
     * once it has finished; an unknown topic is the library's {@code 404}.
     */
    @DELETE
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("id") String id) {
        boolean asked = tracker.cancel(topic(id));
        return Response.status(asked ? 202 : 409).entity("{\"cancelled\":" + asked + "}")
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @POST
    @Path("{id}/finish")
    @Produces(MediaType.APPLICATION_JSON)
    public String finish(@PathParam("id") String id, @QueryParam("failed") String failed,
            @QueryParam("cancelled") String cancelled) {
        Progress terminal = cancelled != null ? Progress.cancelled(cancelled)
                : failed == null ? Progress.completed(Map.of("ok", true)) : Progress.failed(failed);
        boolean won = job(id).finish(terminal);
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
