package io.github.sseprogress.internal.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.ReplayStore;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Hooks;
import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.ControlFrames;
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
 * the subscriber's close removes it and removes the topic when it was the last one (a replay topic
 * instead stays, idle, for {@code sse.replay.idle-retention}, still recording publishes, then is
 * removed by an identity- and idleness-checked task). So a concurrent publish or subscribe always
 * sees either the old or the new state, never a half-built or half-removed topic. Publish does a
 * plain {@code get} (no lock) and, when it finds a topic, formats once and enqueues to each
 * subscriber. A publish that raced the removal finds no subscriber left: nothing is sent.
 *
 * <h2>Replay</h2>
 * For a replay topic, publish holds the topic's {@code publishLock} while the store appends (and
 * assigns the id) and the event is fanned out; subscribe holds it while it reads the store after the
 * client's {@code Last-Event-ID}, queues those events (or the {@code missed} signal) and joins the
 * subscriber set. Every event is therefore either in the replay or in the live tail, never both.
 *
 * <h2>Threads and lock order</h2>
 * Registry bin lock (inside {@code compute}) → topic {@code publishLock}; never the reverse: publish
 * takes only {@code publishLock}, and nothing under {@code publishLock} touches the registry. Code
 * under either lock never writes to a client socket (it only enqueues). Slow work (stopping a poller,
 * closing a broadcaster) runs afterwards on the managed executor, so an unsubscribing thread never
 * waits for it.
 */
@ApplicationScoped
public class ManagerBean implements Manager {

    private static final Logger LOG = Logger.getLogger(ManagerBean.class.getName());

    @Inject
    Delivery delivery;

    @Inject
    ReplayStore replayStore;

    @Inject
    Hooks hooks;

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final EventFormatter formatter = new EventFormatter();
    private volatile boolean shutDown;

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse) {
        subscribe(topic, sink, sse, SubscribeOptions.defaults());
    }

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse, SubscribeOptions options) {
        Hooks.checkTopic(topic);
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(sse, "sse");
        SubscribeOptions opts = options == null ? SubscribeOptions.defaults() : options;
        if (shutDown) {
            throw new ServiceUnavailableException("SSE topics are shut down");
        }
        hooks.connecting(topic, opts);
        int queue = opts.queueSize().orElse(delivery.config().queueSize());
        int replay = opts.replay().orElse(delivery.config().replaySize());
        List<PreparedEvent> first = new ArrayList<>(2);
        Subscriber[] opened = {null};
        boolean[] activated = {false};
        Poller[] superseded = {null};
        Topic t = topics.compute(topic, (name, current) -> {
            Topic target = current != null ? current : new Topic(name, sse, new Counters(delivery.total()), replay);
            if (target.subscribers.isEmpty()) {
                activated[0] = true;
                superseded[0] = target.poller; // normally null: the last leave took it; never left running
                target.poller = opts.polling() == null ? null
                        : new Poller(opts.polling(), delivery.config().pollingInterval(), delivery.scheduling().executor());
                target.lastPolled = null;
            }
            // Opening never calls back synchronously: a close from another thread waits for this bin.
            Subscriber s = delivery.open(sink, sse, Mailbox.bounded(queue), opts.slowSubscriberPolicy().orElse(null),
                    target.counters, (closed, why) -> leave(name, closed, why));
            if (target.replays()) {
                synchronized (target.publishLock) {
                    if (opts.lastEventId() != null) {
                        first.addAll(replayAfter(name, opts.lastEventId()));
                    }
                    s.offerFirst(first);
                    target.subscribers.add(s);
                }
            } else {
                s.offerFirst(first);
                target.subscribers.add(s);
            }
            target.broadcaster.register(s);
            opened[0] = s;
            return target;
        });
        if (superseded[0] != null) {
            superseded[0].stop(); // outside the bin lock: stop runs the user's callbacks
        }
        Subscriber subscriber = opened[0];
        if (subscriber.isClosed()) {
            leave(topic, subscriber, null); // closed while it was being registered; its listener already fired
            return;
        }
        Poller poller = t.poller;
        if (activated[0] && poller != null) {
            poller.start(payload -> publishPolled(t, payload));
        } else if (t.lastPolled != null) {
            subscriber.offer(t.lastPolled);
        }
        if (shutDown || delivery.isStopped()) {
            subscriber.close(DisconnectReason.SHUTDOWN);
        }
    }

    /** The stored events after {@code lastEventId}, or the loss signal when they cannot be served. */
    private List<PreparedEvent> replayAfter(String topic, String lastEventId) {
        Optional<List<ReplayStore.Entry>> missed;
        try {
            missed = replayStore.since(topic, lastEventId);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "replay store failed for topic " + topic, e);
            missed = Optional.empty();
        }
        if (missed.isEmpty()) {
            return List.of(ControlFrames.missed("last-event-id-unknown", replayStore.lastId(topic).orElse("")));
        }
        return missed.get().stream()
                .map(e -> formatter.prepare(SseEvent.builder().name(e.name()).data(e.data()).build(), 0, e.id()))
                .collect(Collectors.toList());
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
        send(t, SseEvent.of(data));
    }

    @Override
    public void publish(String topic, SseEvent event) {
        checkTopicNotNull(topic);
        Objects.requireNonNull(event, "event");
        Topic t = topics.get(topic);
        if (t == null) {
            return;
        }
        send(t, event);
    }

    /** Formats once (outside any lock), records it when the topic replays, fans it out; returns it. */
    private PreparedEvent send(Topic t, SseEvent event) {
        String text = event.hasData() ? formatter.text(event.data()) : null;
        if (!t.replays() || text == null) { // comment-only frames are not recorded
            SseEvent e = t.replays() && event.id() != null ? event.toBuilder().id(null).build() : event;
            PreparedEvent prepared = formatter.prepare(e, text, t.nextSequence(), null); // replay ids come from the store
            t.broadcast(prepared);
            return prepared;
        }
        synchronized (t.publishLock) {
            ReplayStore.Entry stored = replayStore.append(t.name, t.replayCapacity, event.name(), text);
            PreparedEvent prepared = formatter.prepare(event, text, t.nextSequence(), stored.id());
            t.broadcast(prepared);
            return prepared;
        }
    }

    private void publishPolled(Topic t, Object payload) {
        String text = formatter.text(payload);
        PreparedEvent last = t.lastPolled;
        if (last != null && text.equals(last.dataText())) {
            return; // identical to what every current subscriber already has
        }
        t.lastPolled = send(t, SseEvent.of(text));
    }

    @Override
    public int subscriberCount(String topic) {
        Topic t = topic == null ? null : topics.get(topic);
        return t == null ? 0 : t.subscribers.size();
    }

    @Override
    public Set<String> topics() {
        return topics.values().stream().filter(t -> !t.subscribers.isEmpty()).map(t -> t.name)
                .collect(Collectors.toUnmodifiableSet());
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
        for (Topic t : new ArrayList<>(topics.values())) {
            topics.remove(t.name, t);
            Poller p = t.poller;
            if (p != null) {
                p.stop();
            }
            for (Subscriber s : List.copyOf(t.subscribers)) {
                s.close(DisconnectReason.SHUTDOWN);
            }
            if (t.replays()) {
                replayStore.remove(t.name);
            }
            closeQuietly(t);
        }
    }

    /** Removes a closed subscriber; retires the topic (or lets a replay topic go idle) when it was the last. */
    private void leave(String name, Subscriber subscriber, DisconnectReason why) {
        Topic[] emptied = {null};
        Poller[] toStop = {null};
        topics.computeIfPresent(name, (k, current) -> {
            if (!current.subscribers.remove(subscriber) || !current.subscribers.isEmpty()) {
                return current;
            }
            emptied[0] = current;
            // The poller that ran for these subscribers is taken now, in the bin: a subscriber that
            // reactivates the topic before the deferred stop runs starts its own and can't lose it.
            toStop[0] = current.poller;
            current.poller = null;
            if (current.replays() && !shutDown) {
                current.idleSince = System.nanoTime();
                return current; // idle: keeps recording for reconnecting clients
            }
            return null;
        });
        if (why != null) {
            hooks.disconnected(name, why);
        }
        Topic t = emptied[0];
        if (t == null) {
            return;
        }
        Poller p = toStop[0];
        runLater(() -> {
            if (p != null) {
                p.stop();
            }
            if (t.replays() && !shutDown) {
                scheduleExpiry(t);
            } else {
                closeQuietly(t);
            }
        });
    }

    private void scheduleExpiry(Topic t) {
        long retention = delivery.config().replayIdleRetention().toNanos();
        long left = retention - (System.nanoTime() - t.idleSince);
        try {
            delivery.scheduling().executor().schedule(() -> expire(t), Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            expire(t);
        }
    }

    private void expire(Topic t) {
        long retention = delivery.config().replayIdleRetention().toNanos();
        boolean[] removed = {false};
        boolean[] stillIdle = {false};
        topics.computeIfPresent(t.name, (k, current) -> {
            if (current != t || !current.subscribers.isEmpty()) {
                return current; // replaced, or active again
            }
            if (System.nanoTime() - current.idleSince < retention) {
                stillIdle[0] = true; // went active and idle again since this task was scheduled
                return current;
            }
            removed[0] = true;
            return null;
        });
        if (removed[0]) {
            replayStore.remove(t.name);
            closeQuietly(t);
        } else if (stillIdle[0]) {
            scheduleExpiry(t);
        }
    }

    private void runLater(Runnable r) {
        try {
            delivery.scheduling().executor().execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private static void closeQuietly(Topic t) {
        try {
            t.broadcaster.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing a topic broadcaster failed", e);
        }
    }

    private static void checkTopicNotNull(String topic) {
        if (topic == null) {
            throw new IllegalArgumentException("topic must not be null");
        }
    }
}
