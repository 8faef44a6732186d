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
 *   <li>{@code POST /api/topics/{topic}?event=NAME} publishes the request body (text) to every
 *       subscriber of the topic; an invalid event name (or topic) is refused with {@code 400}, a body
 *       over 64 Ki characters with {@code 413}, both with a JSON error and nothing published;</li>
 *   <li>{@code GET /api/topics/{topic}/events} subscribes, with {@code Last-Event-ID} replay from a
 *       ring of the topic's newest 256 events (a browser that cannot set the header passes
 *       {@code ?lastEventId=}).</li>
 * </ul>
 * Every demo topic replays, so event ids are the replay store's ({@code <epoch>-<sequence>}): they
 * are what a reconnecting browser resumes from. A client-chosen {@code ?id=} would be replaced by the
 * store's, so it is refused ({@code 400}) rather than dropped silently.
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
        if (id != null) {
            throw Problem.badRequest("id cannot be chosen: this topic replays, and its event ids come from the replay"
                    + " store (what a reconnecting browser resumes from); leave id out");
        }
        String data = body == null ? "" : body;
        if (data.length() > MAX_DATA_LENGTH) {
            throw Problem.payloadTooLarge("data must be at most " + MAX_DATA_LENGTH + " characters: " + data.length());
        }
        SseEvent sse;
        try {
            sse = SseEvent.builder().name(event).data(data).build(); // validates the name
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
        if (!isName(topic)) {
            throw Problem.badRequest("topic must be 1 to " + MAX_TOPIC_LENGTH + " characters without control characters");
        }
        return managerTopic(topic);
    }

    /** Whether a demo topic name is valid: 1 to 100 characters without control characters. */
    static boolean isName(String topic) {
        return topic != null && !topic.isEmpty() && topic.length() <= MAX_TOPIC_LENGTH
                && topic.chars().noneMatch(Character::isISOControl);
    }

    /** The Manager topic of a valid demo topic name, also used by {@link DemoStreamKeys} for {@code topic:NAME}. */
    static String managerTopic(String topic) {
        return "topics/" + topic;
    }
}
