package io.github.sseprogress.demo;

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

/**
 * {@code GET /api/streams?job=ID&shared=NAME&topic=news&topic=clock&announcements=shared-jobs}: every job
 * and topic the page follows on ONE event stream (the keys are the query parameters, in order; their
 * meaning is {@link DemoStreamKeys}). Frames carry the key as the first data line and a composite id
 * that resumes every key after a reconnect ({@code Last-Event-ID} or {@code ?lastEventId=}). {@code 400}
 * (JSON) for no key, too many ({@code sse.streams.max-keys}), an invalid key or one given twice.
 * The same keys over WebSocket: {@code /api/ws} ({@code sse.streams.websocket.path}).
 */
@ApplicationScoped
@Path("streams")
public class StreamResource {

    @Inject
    Streams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context UriInfo uriInfo, @Context HttpHeaders headers, @Context SecurityContext security,
            @Context SseEventSink sink, @Context Sse sse) {
        streams.subscribe(Streams.keysOf(uriInfo), sink, sse,
                SubscribeOptions.builder().request(headers, uriInfo, security).build());
    }
}
