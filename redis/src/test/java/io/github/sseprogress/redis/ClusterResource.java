package io.github.sseprogress.redis;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** What an application of a clustered node writes: the same code as on a single node. */
@ApplicationScoped
@Path("/")
public class ClusterResource {

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @Inject
    Streams streams;

    @GET
    @Path("streams")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void streams(@Context UriInfo uri, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
            @Context SseEventSink sink, @Context Sse sse) {
        streams.subscribe(Streams.keysOf(uri), sink, sse,
                SubscribeOptions.builder().lastEventId(last).queueSize(2000).build());
    }

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
    @Path("jobs/{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void job(@PathParam("topic") String topic, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(topic, sink, sse, last);
    }
}
