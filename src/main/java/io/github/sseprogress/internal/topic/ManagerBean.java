package io.github.sseprogress.internal.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The {@link Manager} bean: a registry of live topics.
 *
 * <h2>Registry algorithm</h2>
 * {@code topics} is a {@link ConcurrentHashMap}; every membership change runs inside its per-key
 * atomic {@code compute}: subscribe creates the {@link Topic} when absent and adds the subscriber,
 * the subscriber's close removes it and removes the topic when it was the last one. So a topic is
 * in the map iff it has at least one subscriber, and a concurrent publish or subscribe always sees
 * either the old or the new state, never a half-built or half-removed topic. Publish does a plain
 * {@code get} (no lock) and, when it finds a topic, formats once and broadcasts. A publish that
 * raced the removal broadcasts to a closed broadcaster, which is ignored: nobody was left.
 *
 * <h2>Threads and lock order</h2>
 * The only locks are the map's per-bin locks inside {@code compute}; code inside a compute touches
 * the topic's own concurrent set and broadcaster registration, never another map entry and never a
 * client socket. Slow work (stopping a poller, closing a broadcaster) runs after the compute, on the
 * managed executor, so an unsubscribing thread never waits for it.
 */
@ApplicationScoped
public class ManagerBean implements Manager {

    private static final Logger LOG = Logger.getLogger(ManagerBean.class.getName());

    @Inject
    Delivery delivery;

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final EventFormatter formatter = new EventFormatter();
    private volatile boolean shutDown;

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse) {
        subscribe(topic, sink, sse, SubscribeOptions.defaults());
    }

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse, SubscribeOptions options) {
        checkTopic(topic);
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(sse, "sse");
        SubscribeOptions opts = options == null ? SubscribeOptions.defaults() : options;
        if (shutDown) {
            throw new ServiceUnavailableException("SSE topics are shut down");
        }
        int queue = opts.queueSize() > 0 ? opts.queueSize() : delivery.config().queueSize();
        Subscriber[] opened = {null};
        boolean[] created = {false};
        Topic t = topics.compute(topic, (name, current) -> {
            Topic target = current;
            if (target == null) {
                Poller poller = opts.polling() == null ? null
                        : new Poller(opts.polling(), delivery.config().pollingInterval(), delivery.scheduling().executor());
                target = new Topic(name, sse, poller, new Counters(delivery.total()));
                created[0] = true;
            }
            // Opening never calls back synchronously: a close from another thread waits for this bin.
            Subscriber s = delivery.open(sink, sse, Mailbox.bounded(queue), opts.slowSubscriberPolicy(),
                    new Counters(target.counters), (closed, why) -> leave(name, closed));
            target.subscribers.add(s);
            target.broadcaster.register(s);
            opened[0] = s;
            return target;
        });
        Subscriber subscriber = opened[0];
        if (subscriber.isClosed()) {
            leave(topic, subscriber); // closed while it was being registered
            return;
        }
        if (created[0] && t.poller != null) {
            t.poller.start(payload -> publishPolled(t, payload));
        } else if (t.lastPolled != null) {
            subscriber.offer(t.lastPolled);
        }
        if (shutDown || delivery.isStopped()) {
            subscriber.close(DisconnectReason.SHUTDOWN);
        }
    }

    @Override
    public void publish(String topic, Object data) {
        if (data instanceof SseEvent) {
            publish(topic, (SseEvent) data);
            return;
        }
        checkTopicNotNull(topic);
        Topic t = topics.get(topic);
        if (t == null) {
            return;
        }
        t.broadcast(formatter.prepare(SseEvent.of(data), t.nextSequence(), null));
    }

    @Override
    public void publish(String topic, SseEvent event) {
        checkTopicNotNull(topic);
        Objects.requireNonNull(event, "event");
        Topic t = topics.get(topic);
        if (t == null) {
            return;
        }
        t.broadcast(formatter.prepare(event, t.nextSequence(), null));
    }

    private void publishPolled(Topic t, Object payload) {
        String text = formatter.text(payload);
        PreparedEvent last = t.lastPolled;
        if (last != null && text.equals(last.dataText())) {
            return; // identical to what every current subscriber already has
        }
        PreparedEvent e = formatter.prepare(SseEvent.of(text), t.nextSequence(), null);
        t.lastPolled = e;
        t.broadcast(e);
    }

    @Override
    public int subscriberCount(String topic) {
        Topic t = topic == null ? null : topics.get(topic);
        return t == null ? 0 : t.subscribers.size();
    }

    @Override
    public Set<String> topics() {
        return Set.copyOf(topics.keySet());
    }

    @Override
    public DeliveryStats stats(String topic) {
        Topic t = topic == null ? null : topics.get(topic);
        if (t == null) {
            return new DeliveryStats(0, 0, 0, 0);
        }
        return new DeliveryStats(t.subscribers.size(), t.counters.deliveredCount(), t.counters.droppedCount(),
                t.counters.evictedCount());
    }

    @Override
    public DeliveryStats stats() {
        Counters c = delivery.total();
        return new DeliveryStats(delivery.liveCount(), c.deliveredCount(), c.droppedCount(), c.evictedCount());
    }

    @Override
    @PreDestroy
    public void shutdown() {
        shutDown = true;
        List<Topic> all = new ArrayList<>(topics.values());
        for (Topic t : all) {
            topics.remove(t.name, t);
            if (t.poller != null) {
                t.poller.stop();
            }
            for (Subscriber s : List.copyOf(t.subscribers)) {
                s.close(DisconnectReason.SHUTDOWN);
            }
            closeQuietly(t);
        }
    }

    /** Removes a closed subscriber; removes the topic when it was the last. */
    private void leave(String name, Subscriber subscriber) {
        Topic[] emptied = {null};
        topics.computeIfPresent(name, (k, current) -> {
            if (!current.subscribers.remove(subscriber) || !current.subscribers.isEmpty()) {
                return current;
            }
            emptied[0] = current;
            return null;
        });
        Topic t = emptied[0];
        if (t != null) {
            try {
                delivery.scheduling().executor().execute(() -> retire(t));
            } catch (RejectedExecutionException e) {
                retire(t);
            }
        }
    }

    private static void retire(Topic t) {
        if (t.poller != null) {
            t.poller.stop();
        }
        closeQuietly(t);
    }

    private static void closeQuietly(Topic t) {
        try {
            t.broadcaster.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing a topic broadcaster failed", e);
        }
    }

    static void checkTopic(String topic) {
        checkTopicNotNull(topic);
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        for (int i = 0; i < topic.length(); i++) {
            if (Character.isISOControl(topic.charAt(i))) {
                throw new IllegalArgumentException("topic must not contain control characters: " + topic.replaceAll("\\p{Cntrl}", "?"));
            }
        }
    }

    private static void checkTopicNotNull(String topic) {
        if (topic == null) {
            throw new IllegalArgumentException("topic must not be null");
        }
    }
}
