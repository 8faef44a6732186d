package io.github.sseprogress.demo;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
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
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Shared jobs, {@link Tracker#startOrJoin}: "compute once, many watch", keyed by a name the caller chooses.
 * <ul>
 *   <li>{@code POST /api/shared/{name}?steps=N&delayMs=D&fail=BOOL} starts the job of that name, or joins
 *       it while it runs or is retained after its end: {@code 202}, {@code Location: /api/shared/{name}},
 *       {@code {"id":"{name}","new":true|false}}. Only the caller that created it runs the work (on this
 *       node); the parameters of a join are validated and otherwise ignored;</li>
 *   <li>{@code GET /api/shared/{name}} the latest snapshot, or 404;</li>
 *   <li>{@code GET /api/shared/{name}/events} the job as Server-Sent Events, as for {@code /api/jobs};</li>
 *   <li>{@code DELETE /api/shared/{name}} asks the shared job to cancel, for everyone who follows it, as
 *       {@code DELETE /api/jobs/{id}} does ({@code 202}, {@code 409} finished, {@code 404} unknown); when
 *       clustered the request reaches the node that runs the work.</li>
 * </ul>
 * Every new shared job is announced on the {@link Manager} topic {@code shared-jobs}
 * ({@code GET /api/shared-jobs/events}, {@link SharedAnnouncementsResource}, {@code {"name":…,"node":…,"steps":…,"delayMs":…,"fail":…}}), so a
 * page learns of jobs started elsewhere. With {@code sse-progress-redis} both are clustered: a job started
 * on one node is joined, read and followed on any other, and the announcement reaches every node's pages.
 */
@ApplicationScoped
@Path("shared")
public class SharedResource {

    static final String ANNOUNCEMENTS = "shared-jobs";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @Inject
    Tracker tracker;

    @Inject
    Manager topics;

    @Inject
    DemoNode node;

    @Resource
    ManagedExecutorService executor;

    @POST
    @Path("{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response startOrJoin(@PathParam("name") String name,
            @QueryParam("steps") @DefaultValue("10") String stepsParam,
            @QueryParam("delayMs") @DefaultValue("500") String delayParam,
            @QueryParam("fail") @DefaultValue("false") String failParam,
            @Context UriInfo uriInfo) {
        if (!NAME.matcher(name).matches()) {
            throw Problem.badRequest("name must be 1 to 64 of A-Z a-z 0-9 . _ - (starting with a letter or digit): " + name);
        }
        int steps = JobResource.intParam("steps", stepsParam, 1, JobResource.MAX_STEPS);
        int delayMs = JobResource.intParam("delayMs", delayParam, 0, JobResource.MAX_DELAY_MS);
        boolean fail = JobResource.booleanParam("fail", failParam);
        Tracker.Started started = tracker.startOrJoin(topic(name));
        if (started.isNew()) {
            JobResource.run(executor, started.job(), steps, delayMs, fail);
            Map<String, Object> announcement = new LinkedHashMap<>();
            announcement.put("name", name);
            announcement.put("node", node.name());
            announcement.put("steps", steps);
            announcement.put("delayMs", delayMs);
            announcement.put("fail", fail);
            topics.publish(ANNOUNCEMENTS, announcement);
        }
        URI location = uriInfo.getBaseUriBuilder().path("shared").path(name).build();
        String json = "{\"id\":" + Problem.quote(name) + ",\"new\":" + started.isNew() + "}";
        return Response.accepted(json).type(MediaType.APPLICATION_JSON_TYPE).location(location).build();
    }

    @GET
    @Path("{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Object status(@PathParam("name") String name) {
        return tracker.latest(topic(checked(name))).<Object>map(Tracker.Snapshot::data)
                .orElse(Progress.indeterminate("Queued")); // 404 (JSON) when unknown
    }

    @DELETE
    @Path("{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(@PathParam("name") String name) {
        if (tracker.cancel(topic(checked(name)))) { // 404 (JSON) when unknown
            return Response.accepted("{\"id\":" + Problem.quote(name) + ",\"cancelRequested\":true}")
                    .type(MediaType.APPLICATION_JSON_TYPE).build();
        }
        throw Problem.conflict("The shared job has already finished");
    }

    @GET
    @Path("{name}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("name") String name, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic(checked(name)), sink, sse, lastEventId); // 404 unknown, 204 after the terminal
    }

    /** The Tracker topic of a shared job name, also used by {@link DemoStreamKeys} for {@code shared:NAME}. */
    static String topic(String name) {
        return "shared/" + name;
    }

    static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    private static String checked(String name) {
        if (!NAME.matcher(name).matches()) {
            throw Problem.notFound("No such shared job");
        }
        return name;
    }
}
