package io.github.sseprogress.topic;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Polling;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** What an application writes: resources that attach streams to the Manager. */
@ApplicationScoped
@Path("/")
public class TopicResource {

    /** Counts polls and stops of the polled topic, for assertions. */
    public static final AtomicInteger POLLS = new AtomicInteger();
    public static final AtomicInteger STARTS = new AtomicInteger();
    public static final AtomicInteger STOPS = new AtomicInteger();

    @Inject
    Manager topics;

    @GET
    @Path("topics/{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse) {
        topics.subscribe(topic, sink, sse);
    }

    @GET
    @Path("derived")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void derived(@Context UriInfo uriInfo, @Context SseEventSink sink, @Context Sse sse) {
        topics.subscribe(Manager.topicOf(uriInfo), sink, sse);
    }

    @GET
    @Path("polled/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void polled(@Context SseEventSink sink, @Context Sse sse) {
        Polling polling = Polling.of(cancel -> {
            if (POLLS.getAndIncrement() == 0) {
                STARTS.incrementAndGet();
            }
            return "tick " + (POLLS.get() / 3); // changes every third poll: repeats are not re-sent
        }).every(Duration.ofMillis(50)).onStop(STOPS::incrementAndGet);
        topics.subscribe("polled", sink, sse, SubscribeOptions.builder().polling(polling).build());
    }
}
