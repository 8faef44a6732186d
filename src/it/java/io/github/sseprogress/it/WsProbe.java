package io.github.sseprogress.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.sseprogress.Manager;
import io.github.sseprogress.SubscriberConnecting;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * IT-only, in the WebSocket IT's WAR: a {@link SubscriberConnecting} observer that refuses the topics
 * {@code it/ws-rejected*} (403) and records, per topic, the {@code X-It-Tag} header and principal of the
 * connection that asked for it; and the library's topic count ({@code Manager.topics()}).
 */
@ApplicationScoped
@Path("ws-probe")
public class WsProbe {

    static final String REJECTED_PREFIX = "it/ws-rejected";

    @Inject
    Manager topics;

    private final Map<String, String> tags = new ConcurrentHashMap<>();

    void connecting(@Observes SubscriberConnecting c) {
        String tag = c.header("X-It-Tag");
        tags.put(c.topic(), tag == null ? "(none)" : tag);
        if (c.topic().startsWith(REJECTED_PREFIX)) {
            c.reject(Response.Status.FORBIDDEN, "not for you");
        }
    }

    @GET
    @Path("topics")
    @Produces(MediaType.APPLICATION_JSON)
    public String topicCount() {
        return "{\"topics\":" + topics.topics().size() + "}";
    }

    /** The X-It-Tag of the connection that subscribed to {@code it/<topic>}, or "" when none did. */
    @GET
    @Path("tag/{topic}")
    @Produces(MediaType.TEXT_PLAIN)
    public String tag(@PathParam("topic") String topic) {
        return tags.getOrDefault(TopicResource.PREFIX + topic, "");
    }
}
