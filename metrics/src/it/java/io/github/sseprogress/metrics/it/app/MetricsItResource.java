package io.github.sseprogress.metrics.it.app;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** Plain application code: topic streams and publishes, and jobs the test starts and finishes. */
@ApplicationScoped
@Path("/")
public class MetricsItResource {

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @GET
    @Path("topics/{topic}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@PathParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse) {
        topics.subscribe(topic, sink, sse);
    }

    @POST
    @Path("topics/{topic}")
    public void publish(@PathParam("topic") String topic, @QueryParam("n") int n) {
        for (int i = 0; i < n; i++) {
            topics.publish(topic, "e" + i);
        }
    }

    /** Starts the job of {@code topic}; {@code finish=true} finishes it at once (then it is retained). */
    @POST
    @Path("jobs/{topic}")
    public String job(@PathParam("topic") String topic, @QueryParam("finish") boolean finish) {
        Tracker.Started s = tracker.start(topic);
        if (finish) {
            s.job().finish("done");
        }
        return s.job().topic();
    }
}
