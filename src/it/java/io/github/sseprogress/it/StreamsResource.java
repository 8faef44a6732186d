package io.github.sseprogress.it;

import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.SubscriberConnecting;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /api/streams?topic=A&job=B...}: one multiplexed stream, as the README shows it. Topics whose
 * name contains {@code forbidden} are refused by this application's hook (403), per topic.
 */
@Path("streams")
@ApplicationScoped
public class StreamsResource {

    @Inject
    Streams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context UriInfo uri, @Context HttpHeaders headers, @Context SecurityContext security,
            @Context SseEventSink sink, @Context Sse sse) {
        streams.subscribe(Streams.keysOf(uri), sink, sse, SubscribeOptions.builder().request(headers, uri, security).build());
    }

    void refuseForbidden(@Observes SubscriberConnecting c) {
        if (c.topic().contains("forbidden")) {
            c.reject(Response.Status.FORBIDDEN, "not for you");
        }
    }
}
