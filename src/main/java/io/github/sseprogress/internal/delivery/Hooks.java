package io.github.sseprogress.internal.delivery;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.SubscriberConnecting;
import io.github.sseprogress.SubscriberDisconnected;
import io.github.sseprogress.internal.ApiAccess;
import io.github.sseprogress.internal.config.SseConfig;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * Fires the application's connect and disconnect hooks (CDI events) for the Manager and the Tracker
 * alike. Connect runs on the request thread; disconnect on whichever thread noticed the end.
 */
@ApplicationScoped
public class Hooks {

    private static final Logger LOG = Logger.getLogger(Hooks.class.getName());

    @Inject
    Event<SubscriberConnecting> connecting;

    @Inject
    SseConfig config;

    @Inject
    Event<SubscriberDisconnected> disconnected;

    /**
     * Asks the observers whether {@code topic} may be streamed to this request (handing them the query
     * token when {@code sse.auth.query-token} is on).
     *
     * @return when the stream must end ({@link SubscriberConnecting#expiresAt(Instant)}), or {@code null}
     * @throws WebApplicationException with the observer's status and JSON body when rejected
     */
    public Instant connecting(String topic, SubscribeOptions options) {
        SubscriberConnecting hook = ApiAccess.get().connecting(topic, options,
                config.queryToken() ? config.queryTokenName() : null);
        connecting.fire(hook);
        Response rejected = ApiAccess.get().rejection(hook);
        if (rejected != null) {
            throw new WebApplicationException(rejected);
        }
        return hook.expiresAt();
    }

    /** Tells the observers a stream ended; an observer's failure is logged, never thrown. */
    public void disconnected(String topic, DisconnectReason why) {
        try {
            disconnected.fire(new SubscriberDisconnected(topic, why));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a SubscriberDisconnected observer failed", e);
        }
    }

    /**
     * Validates a topic name: not null, not empty, no control characters.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkTopic(String topic) {
        if (topic == null) {
            throw new IllegalArgumentException("topic must not be null");
        }
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        for (int i = 0; i < topic.length(); i++) {
            if (Character.isISOControl(topic.charAt(i))) {
                throw new IllegalArgumentException("topic must not contain control characters: "
                        + topic.replaceAll("\\p{Cntrl}", "?"));
            }
        }
    }
}
