package io.github.sseprogress.demo;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
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
 * Open-ended topics, the {@link Manager}'s fan-out:
 * <ul>
 *   <li>{@code POST /api/topics/{topic}?event=NAME&id=ID} publishes the request body (text) to every
 *       subscriber of the topic; an invalid event name or id (or topic) is refused with {@code 400}
 *       and a JSON error before anything is published;</li>
 *   <li>{@code GET /api/topics/{topic}/events} subscribes, with {@code Last-Event-ID} replay from a
 *       ring of the topic's newest 256 events (a browser that cannot set the header passes
 *       {@code ?lastEventId=}). On a replay topic the ids come from the replay store, so a given
 *       {@code id} is validated but the event goes out with the store's id.</li>
 * </ul>
 */
@ApplicationScoped
@Path("topics")
public class TopicResource {

    static final int REPLAY = 256;
    static final int MAX_TOPIC_LENGTH = 100;
    static final int MAX_DATA_LENGTH = 64 * 1024;

    @Inject
    Manager topics;

    @POST
    @Path("{topic}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publish(@PathParam("topic") String topic, @QueryParam("event") String event,
            @QueryParam("id") String id, String body) {
        String key = key(topic);
        String data = body == null ? "" : body;
        if (data.length() > MAX_DATA_LENGTH) {
            throw Problem.badRequest("data must be at most " + MAX_DATA_LENGTH + " characters");
        }
        SseEvent sse;
        try {
            sse = SseEvent.builder().name(event).id(id).data(data).build(); // validates name and id
        } catch (IllegalArgumentException invalid) {
            throw Problem.badRequest(invalid.getMessage());
        }
        topics.publish(key, sse);
        String json = "{\"topic\":" + Problem.quote(topic) + ",\"subscribers\":" + topics.subscriberCount(key) + "}";
        return Response.accepted(json).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{topic}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse,
            @Context HttpHeaders headers, @Context UriInfo uriInfo, @Context SecurityContext security) {
        topics.subscribe(key(topic), sink, sse,
                SubscribeOptions.builder().request(headers, uriInfo, security).replay(REPLAY).build());
    }

    /** The Manager topic of a demo topic name; 400 when the name is empty, too long or has control characters. */
    private static String key(String topic) {
        if (topic == null || topic.isEmpty() || topic.length() > MAX_TOPIC_LENGTH
                || topic.chars().anyMatch(Character::isISOControl)) {
            throw Problem.badRequest("topic must be 1 to " + MAX_TOPIC_LENGTH + " characters without control characters");
        }
        return "topics/" + topic;
    }
}
