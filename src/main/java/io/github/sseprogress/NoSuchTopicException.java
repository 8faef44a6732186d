package io.github.sseprogress;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The {@link Tracker} has no job for a topic: it was never started, or its retention expired.
 *
 * <p>It is a {@link NotFoundException} that carries its own response, {@code 404} with
 * {@code application/json} body {@code {"status":404,"error":"No such topic"}}, so a resource that
 * lets it propagate answers 404 on any JAX-RS server without an exception mapper. The topic, the
 * server's own key, is in {@link #topic()} and the exception message, never in the body. Catch it
 * (or map {@code NotFoundException}) to answer differently.
 */
public class NoSuchTopicException extends NotFoundException {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public NoSuchTopicException(String topic) {
        super("No such topic: " + topic, body());
        this.topic = topic;
    }

    /** The topic that was looked up. */
    public String topic() {
        return topic;
    }

    private static Response body() {
        String json = "{\"status\":404,\"error\":\"No such topic\"}";
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON_TYPE).entity(json).build();
    }
}
