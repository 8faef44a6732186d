package io.github.sseprogress.it;

import java.util.Arrays;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SseServletSink;
import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;

/**
 * IT-only: the same subscriptions as {@link TopicResource}, {@link JobResource} and
 * {@link StreamsResource}, written by the library's servlet transport ({@link SseServletSink}): the
 * resource methods take the servlet request and response and return void, as the README shows.
 */
@Path("servlet")
@RequestScoped
public class ServletSinkResource {

    @Inject
    Manager topics;

    @Inject
    Tracker tracker;

    @Inject
    Streams streams;

    @GET
    @Path("topics/{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void topic(@PathParam("topic") String topic, @QueryParam("replay") @DefaultValue("0") int replay,
            @Context HttpServletRequest request, @Context HttpServletResponse response, @Context Sse sse,
            @Context HttpHeaders headers, @Context UriInfo uri, @Context SecurityContext security) {
        SubscribeOptions.Builder options = SubscribeOptions.builder().request(headers, uri, security);
        if (replay > 0) {
            options.replay(replay);
        }
        topics.subscribe(TopicResource.PREFIX + topic, SseServletSink.of(request, response), sse, options.build());
    }

    @GET
    @Path("jobs/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void job(@PathParam("id") String id, @HeaderParam(HttpHeaders.LAST_EVENT_ID_HEADER) String last,
            @Context HttpServletRequest request, @Context HttpServletResponse response, @Context Sse sse) {
        tracker.subscribe(JobResource.topic(id), SseServletSink.of(request, response), sse, last);
    }

    @GET
    @Path("streams")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void streams(@Context UriInfo uri, @Context HttpHeaders headers, @Context SecurityContext security,
            @Context HttpServletRequest request, @Context HttpServletResponse response, @Context Sse sse) {
        streams.subscribe(Streams.keysOf(uri), SseServletSink.of(request, response), sse,
                SubscribeOptions.builder().request(headers, uri, security).build());
    }

    /**
     * How many subscribers of the topic are open with a write in flight ({@code sendStartedNanos != 0}):
     * read by reflection through the CDI proxy, IT only.
     */
    @GET
    @Path("topics/{topic}/writes-in-flight")
    @Produces(MediaType.TEXT_PLAIN)
    public String writesInFlight(@PathParam("topic") String topic) throws Exception {
        Iterable<?> subscribers = ItInternals.subscribers(topics, TopicResource.PREFIX + topic);
        if (subscribers == null) {
            return "0";
        }
        int n = 0;
        for (Object sub : subscribers) {
            long since = (Long) ItInternals.field(sub, "sendStartedNanos");
            int state = ((java.util.concurrent.atomic.AtomicInteger) ItInternals.field(sub, "state")).get();
            if (since != 0 && state == 0) {
                n++;
            }
        }
        return Integer.toString(n);
    }

    /**
     * How many threads are inside the library's writer ({@code Subscriber.drain}) now, then each one's
     * top frames (one line per thread): a client stalled on a blocking sink keeps one there for the
     * whole write timeout; on the servlet transport none.
     */
    @GET
    @Path("threads-in-writer")
    @Produces(MediaType.TEXT_PLAIN)
    public String threadsInWriter() {
        StringBuilder stacks = new StringBuilder();
        long n = 0;
        for (java.util.Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] stack = e.getValue();
            if (Arrays.stream(stack).anyMatch(f -> f.getClassName().endsWith(".internal.delivery.Subscriber")
                    && f.getMethodName().equals("drain"))) {
                n++;
                stacks.append('\n').append(e.getKey().getName()).append(' ').append(e.getKey().getState()).append(": ");
                for (int i = 0; i < Math.min(14, stack.length); i++) {
                    stacks.append(stack[i]).append(" < ");
                }
            }
        }
        return n + stacks.toString();
    }
}
