package io.github.sseprogress.it;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * IT-only: the {@link Manager} over HTTP. Topics are {@code it/<name>}; every test uses fresh names.
 */
@Path("topics")
@RequestScoped
public class TopicResource {

    static final String PREFIX = "it/";

    @Inject
    Manager topics;

    /** The library's bean behind Manager, for the broadcaster's registrations (not public API). */
    @Inject
    io.github.sseprogress.internal.topic.ManagerBean internals;

    /** Subscribes; {@code replay=N} keeps N events for Last-Event-ID (taken from the topic's first subscriber). */
    @GET
    @Path("{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("topic") String topic, @QueryParam("replay") @DefaultValue("0") int replay,
            @Context SseEventSink sink, @Context Sse sse, @Context HttpHeaders headers, @Context UriInfo uri,
            @Context SecurityContext security) {
        SubscribeOptions.Builder options = SubscribeOptions.builder().request(headers, uri, security);
        if (replay > 0) {
            options.replay(replay);
        }
        topics.subscribe(PREFIX + topic, sink, sse, options.build());
    }

    /**
     * Publishes the body as text ({@code json=true}: as a JSON object {@code {"text":body}}), with an
     * optional event name and id. An invalid name or id is the library's IllegalArgumentException: 400.
     */
    @POST
    @Path("{topic}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("topic") String topic, @QueryParam("event") String event,
            @QueryParam("id") String id, @QueryParam("json") boolean json, String body) {
        SseEvent e;
        try {
            e = SseEvent.builder().name(event).id(id).data(json ? Map.of("text", body) : body).build();
        } catch (IllegalArgumentException invalid) {
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(ItJson.error(invalid.getMessage())).build();
        }
        topics.publish(PREFIX + topic, e);
        return Response.ok(state(topic)).build();
    }

    /**
     * Publishes {@code count} events {@code "<i>:<padding>"} (i from 0), each {@code size} characters long,
     * and answers how long publishing took: it must not depend on any client.
     */
    @POST
    @Path("{topic}/bulk")
    @Produces(MediaType.APPLICATION_JSON)
    public String bulk(@PathParam("topic") String topic, @QueryParam("count") int count,
            @QueryParam("size") @DefaultValue("0") int size, @QueryParam("from") @DefaultValue("0") int from,
            @QueryParam("pauseMs") @DefaultValue("0") int pauseMs) throws InterruptedException {
        long t0 = System.nanoTime();
        long slowest = 0;
        for (int i = from; i < from + count; i++) {
            String head = i + ":";
            String text = size > head.length() ? head + "x".repeat(size - head.length()) : head;
            long p0 = System.nanoTime();
            topics.publish(PREFIX + topic, text);
            slowest = Math.max(slowest, System.nanoTime() - p0);
            if (pauseMs > 0) {
                Thread.sleep(pauseMs);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return "{\"publishMillis\":" + ms + ",\"slowestPublishMillis\":" + slowest / 1_000_000 + "}";
    }

    /** Debug: the library's internal state of a topic's subscribers (reflection through the CDI proxy). */
    @GET
    @Path("{topic}/internals")
    @Produces(MediaType.TEXT_PLAIN)
    public String internals(@PathParam("topic") String topic) {
        try {
            return internalsOf(topic);
        } catch (Exception | LinkageError e) {
            return "internals not readable: " + e;
        }
    }

    private String internalsOf(String topic) throws Exception {
        Iterable<?> subscribers = ItInternals.subscribers(topics, PREFIX + topic);
        if (subscribers == null) {
            return "no topic";
        }
        StringBuilder out = new StringBuilder();
        for (Object s : subscribers) {
            out.append("subscriber:");
            for (String name : new String[] {"state", "draining", "sinkClosed", "heartbeatFramesDue", "sendStartedNanos", "reason"}) {
                out.append(' ').append(name).append('=').append(ItInternals.field(s, name));
            }
            Object mailbox = ItInternals.field(s, "mailbox");
            for (String name : new String[] {"size", "queue"}) {
                try {
                    Object v = ItInternals.field(mailbox, name);
                    out.append(" mailbox.").append(name).append('=')
                            .append(v instanceof java.util.Collection ? ((java.util.Collection<?>) v).size() : v);
                } catch (NoSuchFieldException e) {
                    out.append(" mailbox.").append(name).append("=?");
                }
            }
            out.append(" nanoNow=").append(System.nanoTime()).append('\n');
        }
        return out.toString();
    }

    /** The topic as the Manager sees it. */
    @GET
    @Path("{topic}/state")
    @Produces(MediaType.APPLICATION_JSON)
    public String state(@PathParam("topic") String topic) {
        String t = PREFIX + topic;
        DeliveryStats s = topics.stats(t);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subscribers", topics.subscriberCount(t));
        m.put("listed", topics.topics().contains(t));
        m.put("delivered", s.delivered());
        m.put("dropped", s.dropped());
        m.put("evicted", s.evicted());
        m.put("registrations", internals.registrations(t));
        m.put("seatCallsAfterDrop", internals.seatCallsAfterDrop(t));
        return ItJson.of(m);
    }

    /** Sweeps departed subscribers' seats out of the topic's SseBroadcaster now (issue 10 item 1). */
    @POST
    @Path("{topic}/sweep")
    public Response sweep(@PathParam("topic") String topic) {
        internals.sweep(PREFIX + topic);
        return Response.noContent().build();
    }
}
