package io.github.sseprogress.demo;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /api/shared-jobs/events}: every shared job created (on any node, when clustered) as an event
 * {@code {"name":…,"node":…,"steps":…,"delayMs":…,"fail":…}}, with {@code Last-Event-ID} replay of the
 * newest 50. The page follows it to show shared jobs started from other pages and other nodes.
 */
@ApplicationScoped
@Path("shared-jobs")
public class SharedAnnouncementsResource {

    static final int REPLAY = 50;

    @Inject
    Manager topics;

    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse,
            @Context HttpHeaders headers, @Context UriInfo uriInfo, @Context SecurityContext security) {
        topics.subscribe(SharedResource.ANNOUNCEMENTS, sink, sse,
                SubscribeOptions.builder().request(headers, uriInfo, security).replay(REPLAY).build());
    }
}
