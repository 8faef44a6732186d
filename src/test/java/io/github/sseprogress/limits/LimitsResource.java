package io.github.sseprogress.limits;

import java.security.Principal;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
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

/**
 * Streams of a topic, a job and several keys, handing over the request as the README shows, with the
 * user taken from {@code X-User} (the in-process server has no authentication) and the client address
 * from {@code X-Peer} (what {@code HttpServletRequest#getRemoteAddr} would give on a server).
 */
@ApplicationScoped
@Path("limits")
public class LimitsResource {

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @Inject
    Streams streams;

    @GET
    @Path("topic/{name}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void topic(@PathParam("name") String name, @Context HttpHeaders headers, @Context UriInfo uri,
            @Context SseEventSink sink, @Context Sse sse) {
        topics.subscribe(name, sink, sse, options(headers, uri));
    }

    @GET
    @Path("job/{name}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void job(@PathParam("name") String name, @Context HttpHeaders headers, @Context UriInfo uri,
            @Context SseEventSink sink, @Context Sse sse) {
        tracker.subscribe(name, sink, sse, options(headers, uri));
    }

    @GET
    @Path("streams")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void streams(@Context HttpHeaders headers, @Context UriInfo uri, @Context SseEventSink sink,
            @Context Sse sse) {
        streams.subscribe(Streams.keysOf(uri), sink, sse, options(headers, uri));
    }

    static SubscribeOptions options(HttpHeaders headers, UriInfo uri) {
        String user = headers.getHeaderString("X-User");
        return SubscribeOptions.builder().request(headers, uri, user == null ? null : new User(user))
                .clientAddress(headers.getHeaderString("X-Peer")).build();
    }

    /** A security context with a fixed user. */
    private record User(String name) implements SecurityContext {
        @Override
        public Principal getUserPrincipal() {
            return () -> name;
        }

        @Override
        public boolean isUserInRole(String role) {
            return false;
        }

        @Override
        public boolean isSecure() {
            return false;
        }

        @Override
        public String getAuthenticationScheme() {
            return "test";
        }
    }
}
