package io.github.sseprogress.delivery;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** A resource the way the README shows it: the request handed over, replay on. */
@ApplicationScoped
@Path("replay")
public class ReplayResource {

    @Inject
    Manager topics;

    @GET
    @Path("{topic}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("topic") String topic, @QueryParam("ring") @DefaultValue("4") int ring,
            @Context SseEventSink sink, @Context Sse sse,
            @Context HttpHeaders headers, @Context UriInfo uri, @Context SecurityContext security) {
        topics.subscribe(topic, sink, sse, SubscribeOptions.builder().request(headers, uri, security).replay(ring).build());
    }
}
