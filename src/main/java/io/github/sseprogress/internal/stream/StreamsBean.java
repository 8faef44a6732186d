package io.github.sseprogress.internal.stream;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.NoSuchTopicException;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.StreamKeys;
import io.github.sseprogress.Streams;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.ApiAccess;
import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.delivery.Admission;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Hooks;
import io.github.sseprogress.internal.delivery.LimitExceeded;
import io.github.sseprogress.internal.delivery.Limits;
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.delivery.Refusals;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.progress.TrackerBean;
import io.github.sseprogress.internal.topic.ManagerBean;
import io.github.sseprogress.internal.wire.JsonText;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The {@link Streams} bean: opens multiplexed {@link Connection}s (SSE here, WebSocket through
 * {@link #openWebSocket}) and attaches each key to its Manager topic or Tracker job through the same
 * paths a stream of its own takes ({@link ManagerBean#join}, {@link TrackerBean#join}), so every
 * guarantee of those (replay, catch-up across nodes, latest-wins, terminal) holds per key.
 *
 * <p>Per key, on the subscribing thread: resolve ({@link StreamKeys}), the {@code SubscriberConnecting}
 * hooks (a rejection ends that key only), then join. A key that names nothing, is refused, or whose
 * job the client has seen finish gets its {@code end} frame; the others go on.
 */
@ApplicationScoped
public class StreamsBean implements Streams {

    private static final Logger LOG = Logger.getLogger(StreamsBean.class.getName());
    static final int MAX_KEY_LENGTH = 200;

    @Inject
    Delivery delivery;

    @Inject
    Hooks hooks;

    @Inject
    Limits limits;

    @Inject
    ManagerBean manager;

    @Inject
    TrackerBean tracker;

    @Inject
    Instance<StreamKeys> keys;

    @Override
    public void subscribe(List<String> keyList, SseEventSink sink, Sse sse, SubscribeOptions options) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(sse, "sse");
        SubscribeOptions opts = options == null ? SubscribeOptions.defaults() : options;
        checkKeys(keyList);
        if (delivery.isStopped()) {
            throw new ServiceUnavailableException("SSE streams are shut down");
        }
        List<String> positions = Connection.positions(opts.lastEventId(), keyList.size());
        if (positions != null && positions.stream().allMatch(Connection.ENDED::equals)) {
            TrackerBean.answerNoContent(sink, sse); // the client has seen every key end: stop EventSource
            return;
        }
        Admission admission;
        try {
            admission = limits.admitStream(null, opts);
        } catch (LimitExceeded e) {
            throw Refusals.quietly(sink, sse, e.response(delivery.config().retryAfter()));
        }
        Connection c = connection(sse, opts, false, admission);
        List<Member> members = c.declare(keyList, positions);
        try {
            for (Member m : members) {
                if (!m.ended) {
                    attach(c, m);
                }
            }
        } catch (ServiceUnavailableException e) {
            c.abandon(DisconnectReason.SHUTDOWN); // nothing written yet: the client gets the 503
            admission.release();
            throw e;
        } catch (RuntimeException | Error e) {
            admission.release();
            throw e;
        }
        start(c, sink, sse);
        if (delivery.isStopped()) {
            c.close(DisconnectReason.SHUTDOWN);
        }
    }

    /**
     * A WebSocket connection: {@code transport} takes the library's frames as they are (each frame's
     * data is one JSON message; a comment frame is a heartbeat: a ping). Keys are added with
     * {@link Connection#subscribe}.
     *
     * @param request the handshake's user and headers (for the hooks), and the connection's queue size and policy
     * @throws LimitExceeded when a {@code sse.limits.*} stream limit is reached
     */
    public Connection openWebSocket(SseEventSink transport, SubscribeOptions request) {
        if (delivery.isStopped()) {
            throw new ServiceUnavailableException("SSE streams are shut down");
        }
        SubscribeOptions opts = request == null ? SubscribeOptions.defaults() : request;
        Connection c = connection(null, opts, true, limits.admitStream(null, opts));
        start(c, transport, null);
        return c;
    }

    private Connection connection(Sse sse, SubscribeOptions opts, boolean websocket, Admission admission) {
        SlowSubscriberPolicy policy = opts.slowSubscriberPolicy().orElse(delivery.config().slowSubscriberPolicy());
        int queue = opts.queueSize().orElse(delivery.config().queueSize());
        return new Connection(this, websocket, sse, opts, policy, queue, delivery.total(),
                delivery.scheduling().callbacks(), admission);
    }

    private void start(Connection c, SseEventSink sink, Sse sse) {
        Subscriber s;
        try {
            s = delivery.open(sink, sse, c.mailbox(), c.policy(), delivery.total(), c.admission(),
                    (closed, why) -> c.closed(why));
        } catch (RuntimeException | Error e) {
            c.admission().release();
            throw e;
        }
        c.writer(s);
        s.arm();
    }

    /** The library's settings (the WebSocket handshake reads the allowed origins). */
    public SseConfig config() {
        return delivery.config();
    }

    int maxKeys() {
        return delivery.config().streamsMaxKeys();
    }

    /** Resolves, asks the hooks and joins one key; a key that cannot follow gets its end frame. */
    void attach(Connection c, Member m) {
        String position = m.position.isEmpty() ? null : m.position;
        StreamKeys.Target target;
        try {
            target = resolve(m.key);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "StreamKeys.resolve failed for a key", e);
            m.endWith(error("error", 500, "the key could not be resolved"));
            return;
        }
        if (target == null) {
            m.endWith(error("not-found", 404, "no such topic or job: " + m.key));
            return;
        }
        String topic = target.topicName();
        Instant expiresAt;
        try {
            Hooks.checkTopic(topic);
            expiresAt = hooks.connecting(topic, ApiAccess.get().withLastEventId(c.request(), position));
        } catch (IllegalArgumentException e) {
            m.endWith(error("invalid", 400, e.getMessage()));
            return;
        } catch (WebApplicationException e) {
            m.endWith(rejected(e.getResponse()));
            return;
        }
        c.expireAt(expiresAt); // the token is the connection's: its earliest expiry ends the whole connection
        m.job = target.isJob();
        Admission key;
        try {
            key = limits.admitKey(target.isJob() ? Limits.jobKey(topic) : Limits.topicKey(topic));
        } catch (LimitExceeded e) {
            m.endWith(limited(e));
            return;
        }
        // The key's count goes back when its member leaves (first, then the topic's or job's listener).
        Function<BiConsumer<Outlet, DisconnectReason>, Outlet> open = listener -> m.listener((o, why) -> {
            key.release();
            listener.accept(o, why);
        });
        try {
            if (target.isJob()) {
                if (!tracker.join(topic, position, open)) {
                    key.release();
                    m.endWith("{\"reason\":\"finished\"}"); // the client has the terminal
                }
            } else {
                SubscribeOptions settings = ApiAccess.get().withLastEventId(target.settings(), position);
                manager.join(topic, c.sse(), settings, c.policy(), open);
            }
        } catch (LimitExceeded e) {
            key.release();
            m.endWith(limited(e)); // sse.limits.max-topics: the topic would be new
        } catch (NoSuchTopicException e) {
            key.release();
            m.endWith(error("not-found", 404, "no such job: " + m.key));
        } catch (ServiceUnavailableException e) {
            key.release();
            if (!c.isWebSocket()) {
                throw e; // SSE: nothing is written yet, the request answers 503
            }
            // Shutting down, or the cluster cannot answer: end the connection; the client reconnects later.
            c.close(DisconnectReason.SHUTDOWN);
        }
    }

    private StreamKeys.Target resolve(String key) {
        if (keys.isResolvable()) {
            return keys.get().resolve(key);
        }
        if (key.startsWith("topic:") && key.length() > 6) {
            return StreamKeys.Target.topic(key.substring(6));
        }
        if (key.startsWith("job:") && key.length() > 4) {
            return StreamKeys.Target.job(key.substring(4));
        }
        return null;
    }

    private static String error(String reason, int status, String message) {
        return "{\"reason\":\"" + reason + "\",\"status\":" + status + ",\"message\":" + JsonText.quote(message) + "}";
    }

    /** A key refused by a limit: {@code {"reason":"limited","status":429,"message":...,"limit":...}}. */
    private static String limited(LimitExceeded e) {
        return "{\"reason\":\"limited\"," + e.json().substring(1);
    }

    /** The hook's JSON body ({@code {"status":N,"message":...}}) with the reason first. */
    private static String rejected(Response r) {
        Object body = r.getEntity();
        if (body instanceof String && ((String) body).startsWith("{\"status\"")) {
            return "{\"reason\":\"rejected\"," + ((String) body).substring(1);
        }
        return error("rejected", r.getStatus(), "refused");
    }

    /** Validates a request's keys: 400 with a JSON body when invalid. */
    void checkKeys(List<String> keyList) {
        String problem = null;
        if (keyList == null || keyList.isEmpty()) {
            problem = "no key: name at least one topic or job";
        } else if (keyList.size() > maxKeys()) {
            problem = "too many keys: " + keyList.size() + " (sse.streams.max-keys=" + maxKeys() + ")";
        } else {
            Set<String> seen = new HashSet<>();
            for (String k : keyList) {
                try {
                    checkKey(k);
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                    break;
                }
                if (!seen.add(k)) {
                    problem = "key given twice: " + k;
                    break;
                }
            }
        }
        if (problem != null) {
            throw new BadRequestException(Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                    .entity("{\"status\":400,\"message\":" + JsonText.quote(problem) + "}").build());
        }
    }

    /** A key: 1 to 200 characters, no control characters. */
    static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("a key must have at most " + MAX_KEY_LENGTH + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new IllegalArgumentException("a key must not contain control characters");
            }
        }
    }
}
