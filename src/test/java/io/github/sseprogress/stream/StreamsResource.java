package io.github.sseprogress.stream;

import io.github.sseprogress.Streams;
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

/** A multiplexed stream resource the way the README shows it. */
@ApplicationScoped
@Path("streams")
public class StreamsResource {

    @Inject
    Streams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context UriInfo uri, @Context HttpHeaders headers, @Context SecurityContext security,
            @Context SseEventSink sink, @Context Sse sse) {
        streams.subscribe(Streams.keysOf(uri), sink, sse, SubscribeOptions.builder().request(headers, uri, security).build());
    }
}
