package io.github.sseprogress.internal.topic;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.Manager;
import io.github.sseprogress.ReplayStore;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.cluster.ClusterBridge;
import io.github.sseprogress.internal.delivery.Admission;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Hooks;
import io.github.sseprogress.internal.delivery.LimitExceeded;
import io.github.sseprogress.internal.delivery.Limits;
import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.delivery.Refusals;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.internal.wire.PreparedEvent;
import io.github.sseprogress.spi.ClusterEngine;
import io.github.sseprogress.spi.ClusterNode;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The {@link Manager} bean: a registry of topics, the one owner of their lifecycle (states in
 * {@link Topic}).
 *
 * <h2>Registry algorithm</h2>
 * {@code topics} is a {@link ConcurrentHashMap}; every membership or state change runs inside its
 * per-key atomic {@code compute}: subscribe creates the {@link Topic} when absent (or reactivates an
 * idle one) and joins the subscriber; leave removes it and, for the last one, retires the topic (or
 * lets a replay topic go idle for {@code sse.replay.idle-retention}, still recording publishes, after
 * which an identity- and state-checked task retires it). A concurrent publish or subscribe sees either
 * the old or the new state. Publish does a plain {@code get} (no lock) and, when it finds a topic,
 * formats once and enqueues to each subscriber; a publish that raced the retirement reaches nobody and
 * records nothing.
 *
 * <h2>Replay and polled state</h2>
 * Under the topic's {@code publishLock}: publish appends to the store (which assigns the id) and fans
 * out; a poll's payload is compared with the last one, fanned out and remembered; subscribe reads
 * the store after the client's {@code Last-Event-ID} (or takes the last polled payload), queues it
 * and joins. Every event is therefore either in what the subscriber got on joining or in its live
 * tail, never both, never out of order.
 *
 * <h2>Threads and lock order</h2>
 * Registry bin (inside {@code compute}) → topic {@code publishLock}; never the reverse: nothing under
 * {@code publishLock} touches the registry. Under either lock the code only enqueues (a drop takes the
 * subscriber's or key's loss lock, a leaf) and calls the {@code ReplayStore}. A subscriber's close, whoever causes it (a publisher overflowing it, the
 * watchdog, a failed write), reaches {@link #leave} and the application's observers on the callbacks
 * executor, never on the closing thread (see {@link Subscriber}); polling sources, their callbacks and
 * expiry run there too, the scheduler only triggers them.
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

    @Inject
    Limits limits;

    @Inject
    ClusterBridge clusterBridge;

    /** The cluster engine, or null on a single node. */
    private ClusterEngine cluster;

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    /** Entries of {@code topics}, changed only inside its compute (or with a successful remove). */
    private final AtomicInteger topicCount = new AtomicInteger();
    private final EventFormatter formatter = new EventFormatter();
    private volatile boolean shutDown;

    @PostConstruct
    void init() {
        cluster = clusterBridge.engine();
        if (cluster != null) {
            clusterBridge.topics(new ClusterSide());
        }
    }

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
        Instant expiresAt = hooks.connecting(topic, opts);
        int queue = opts.queueSize().orElse(delivery.config().queueSize());
        SlowSubscriberPolicy policy = opts.slowSubscriberPolicy().orElse(delivery.config().slowSubscriberPolicy());
        Admission admission;
        try {
            admission = limits.admitStream(Limits.topicKey(topic), opts);
        } catch (LimitExceeded e) {
            throw Refusals.quietly(sink, sse, e.response(delivery.config().retryAfter()));
        }
        Outlet s;
        try {
            s = attach(topic, sse, opts, policy, (counters, listener) -> delivery.open(sink, sse,
                    Mailbox.bounded(queue), policy, counters, admission, listener::accept));
        } catch (LimitExceeded e) {
            admission.release(); // sse.limits.max-topics: nothing was opened
            throw Refusals.quietly(sink, sse, e.response(delivery.config().retryAfter()));
        } catch (RuntimeException | Error e) {
            admission.release();
            throw e;
        }
        if (expiresAt != null && s instanceof Subscriber) {
            Subscriber sub = (Subscriber) s;
            admission.expireAt(expiresAt, () -> sub.endWith(ControlFrames.expired(), DisconnectReason.EXPIRED));
        }
    }

    /**
     * Joins one key of a multiplexed connection to {@code topic}: the outlet {@code open} makes (given
     * the close listener) gets what a stream of its own would. The caller ran the hooks and checked
     * the topic; {@code sse} may be null (WebSocket). Request thread.
     *
     * @throws ServiceUnavailableException after shutdown
     * @throws LimitExceeded when the topic would be new and {@code sse.limits.max-topics} are held
     */
    public void join(String topic, Sse sse, SubscribeOptions opts, SlowSubscriberPolicy policy,
            Function<BiConsumer<Outlet, DisconnectReason>, Outlet> open) {
        if (shutDown) {
            throw new ServiceUnavailableException("SSE topics are shut down");
        }
        attach(topic, sse, opts, policy, (counters, listener) -> open.apply(listener));
    }

    /**
     * Creates or reactivates the topic, opens the outlet inside the registry's compute (replay or the
     * polled state first) and joins it; then arms it and starts what the activation needs. Returns the
     * outlet. A new topic beyond {@code sse.limits.max-topics} is refused before anything is opened
     * ({@link LimitExceeded}); live topics are never evicted for it.
     */
    private Outlet attach(String topic, Sse sse, SubscribeOptions opts, SlowSubscriberPolicy policy,
            BiFunction<Counters, BiConsumer<Outlet, DisconnectReason>, Outlet> open) {
        int replay = opts.replay().orElse(delivery.config().replaySize());
        List<PreparedEvent> first = new ArrayList<>(2);
        Outlet[] opened = {null};
        boolean[] activated = {false};
        Poller[] superseded = {null};
        Seat[] seated = {null};
        boolean[] created = {false};
        Topic t;
        try {
            t = topics.compute(topic, (name, current) -> {
                Topic target = current;
                if (target == null) {
                    reserveTopic();
                    created[0] = true;
                    target = new Topic(name, sse, new Counters(delivery.total()), replay, cluster != null);
                }
                if (target.subscribers.isEmpty()) {
                    activated[0] = true;
                    target.state = Topic.State.ACTIVE;
                    superseded[0] = target.poller; // normally null: the last leave took it; never left running
                    target.poller = opts.polling() == null ? null
                            : new Poller(opts.polling(), delivery.config().pollingInterval(), delivery.scheduling(),
                                    delivery.total());
                }
                target.useSse(sse);
                // Not armed yet: a close now (e.g. the writer pool refusing work) only records itself and
                // reaches leave after the compute, never re-entering this bin.
                Outlet s = open.apply(target.counters, (closed, why) -> leave(name, closed, why));
                if (target.replays() && policy == SlowSubscriberPolicy.DROP) {
                    s.resumeOnOverflow();
                }
                synchronized (target.publishLock) {
                    if (activated[0]) {
                        target.lastPolled = null; // a new poller starts from scratch
                    }
                    boolean replayed = false;
                    if (target.replays() && !target.clustered && opts.lastEventId() != null) {
                        first.addAll(replayAfter(name, opts.lastEventId()));
                        replayed = first.isEmpty() || !first.get(0).isControl();
                    }
                    if (!replayed && target.lastPolled != null) {
                        first.add(target.lastPolled); // the current polled state, never an older one
                    }
                    s.offerFirst(first);
                    seated[0] = target.join(s);
                }
                opened[0] = s;
                return target;
            });
        } catch (RuntimeException | Error e) {
            if (created[0]) {
                topicCount.decrementAndGet(); // the compute threw: the new topic was never stored
            }
            throw e;
        }
        if (superseded[0] != null) {
            runLater(superseded[0]::stop); // stop runs the application's callbacks
        }
        Outlet subscriber = opened[0];
        subscriber.arm(); // registered, no lock held: from now on its close reaches leave (on the callbacks executor)
        if (subscriber.isClosed()) {
            return subscriber; // closed while it was being registered: leave is on its way
        }
        if (t.clustered) {
            // The engine answers on its delivery thread, in order with the topic's events: the
            // missed events (or the loss signal), then this seat's floor; live events wait till then.
            cluster.catchUp(topic, t.replays() ? opts.lastEventId() : null, seated[0]);
        }
        Poller poller = t.poller;
        if (activated[0] && poller != null) {
            poller.start(payload -> publishPolled(t, poller, payload));
        }
        if (shutDown || delivery.isStopped()) {
            subscriber.close(DisconnectReason.SHUTDOWN);
        }
        return subscriber;
    }

    /** Counts a new topic, or refuses it when {@code sse.limits.max-topics} are held. In the registry's compute. */
    private void reserveTopic() {
        int max = delivery.config().maxTopics();
        while (true) {
            int n = topicCount.get();
            if (max > 0 && n >= max) {
                limits.refused("topics");
                throw new LimitExceeded("topics", "too many topics on this server (sse.limits.max-topics=" + max + ")");
            }
            if (topicCount.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    /** Topics held now (active and idle replay topics), as {@code sse.limits.max-topics} counts them. */
    public int topicCount() {
        return topicCount.get();
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
        publish(topic, SseEvent.of(data));
    }

    @Override
    public void publish(String topic, SseEvent event) {
        checkTopicNotNull(topic);
        Objects.requireNonNull(event, "event");
        if (cluster != null && event.hasData()) {
            Hooks.checkTopic(topic); // other nodes would drop it as malformed: say so here
            if (!shutDown) {
                // Every node, this one included, gets it back from the engine with its cluster id.
                cluster.publish(topic, event.name(), formatter.text(event.data()));
            }
            return;
        }
        Topic t = topics.get(topic);
        if (t == null) {
            return;
        }
        send(t, event);
    }

    /**
     * Formats once (outside any lock), records it when the topic replays, fans it out; returns it,
     * or {@code null} when a replay topic was retired meanwhile (nothing recorded, nobody to reach).
     */
    private PreparedEvent send(Topic t, SseEvent event) {
        String text = event.hasData() ? formatter.text(event.data()) : null;
        if (!t.replays() || text == null || t.clustered) { // a clustered topic records in the cluster // comment-only frames are not recorded
            SseEvent e = t.replays() && event.id() != null ? event.toBuilder().id(null).build() : event;
            PreparedEvent prepared = formatter.prepare(e, text, t.nextSequence(), null); // replay ids come from the store
            t.broadcast(prepared);
            return prepared;
        }
        synchronized (t.publishLock) {
            if (t.state == Topic.State.RETIRED) {
                return null; // its ring is gone (or going): recording now would re-create it
            }
            ReplayStore.Entry stored = replayStore.append(t.name, t.replayCapacity, event.name(), text);
            PreparedEvent prepared = formatter.prepare(event, text, t.nextSequence(), stored.id());
            t.broadcast(prepared);
            return prepared;
        }
    }

    /**
     * Publishes a poll's payload unless it equals the last one. Under the publish lock, so the
     * comparison, the fan-out and {@code lastPolled} move together: a subscriber joining meanwhile
     * gets either the old payload and then the new one, or only the new one.
     */
    private void publishPolled(Topic t, Poller from, Object payload) {
        String text = formatter.text(payload);
        synchronized (t.publishLock) {
            if (t.poller != from) {
                return; // a poller stopped meanwhile publishes nothing
            }
            PreparedEvent last = t.lastPolled;
            if (last != null && text.equals(last.dataText())) {
                return; // identical to what every current subscriber already has
            }
            PreparedEvent sent = send(t, SseEvent.of(text));
            if (sent != null) {
                t.lastPolled = sent;
            }
        }
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
            return new DeliveryStats(0, 0, 0, 0, 0);
        }
        long now = System.nanoTime();
        int pinned = (int) t.subscribers.stream().filter(s -> delivery.isPinned(s, now)).count();
        return new DeliveryStats(t.subscribers.size(), t.counters.deliveredCount(), t.counters.droppedCount(),
                t.counters.evictedCount(), pinned);
    }

    @Override
    public DeliveryStats stats() {
        Counters c = delivery.total();
        return new DeliveryStats(delivery.liveCount(), c.deliveredCount(), c.droppedCount(), c.evictedCount(),
                delivery.pinnedCount());
    }

    @Override
    @PreDestroy
    public void shutdown() {
        shutDown = true;
        for (Topic t : new ArrayList<>(topics.values())) {
            if (!topics.remove(t.name, t)) {
                continue;
            }
            topicCount.decrementAndGet();
            Poller p = t.poller;
            if (p != null) {
                p.stop();
            }
            for (Outlet s : List.copyOf(t.subscribers)) {
                s.close(DisconnectReason.SHUTDOWN);
            }
            retire(t);
            closeQuietly(t);
        }
    }

    /**
     * Seats the topic's broadcaster still holds: its subscribers plus departed ones not swept yet
     * (fewer than {@value Topic#SWEEP_EVERY}). For diagnostics and tests; 0 for an unknown topic.
     */
    public int registrations(String topic) {
        Topic t = topic == null ? null : topics.get(topic);
        return t == null ? 0 : t.registrations();
    }

    /** How often the topic's broadcaster called a seat after being told to drop it (0 when it drops them). */
    public int seatCallsAfterDrop(String topic) {
        Topic t = topic == null ? null : topics.get(topic);
        return t == null ? 0 : t.seatCallsAfterDrop();
    }

    /** Sweeps departed subscribers' seats out of the topic's broadcaster now. */
    public void sweep(String topic) {
        Topic t = topic == null ? null : topics.get(topic);
        if (t != null) {
            t.sweep();
        }
    }

    /**
     * Removes a closed subscriber; retires the topic (or lets a replay topic go idle) when it was the
     * last. Runs on the callbacks executor, never under a lock (see {@link Subscriber}).
     */
    private void leave(String name, Outlet subscriber, DisconnectReason why) {
        Topic[] left = {null};
        Topic[] emptied = {null};
        Poller[] toStop = {null};
        topics.computeIfPresent(name, (k, current) -> {
            if (!current.part(subscriber)) {
                return current;
            }
            left[0] = current;
            if (!current.subscribers.isEmpty()) {
                return current;
            }
            emptied[0] = current;
            // The poller that ran for these subscribers is taken now, in the bin: a subscriber that
            // reactivates the topic before the deferred stop runs starts its own and can't lose it.
            toStop[0] = current.poller;
            current.poller = null;
            if (current.replays() && !current.clustered && !shutDown) {
                current.state = Topic.State.IDLE;
                current.idleSince = System.nanoTime();
                return current; // idle: keeps recording for reconnecting clients
            }
            retire(current);
            topicCount.decrementAndGet();
            return null;
        });
        if (why != null) {
            hooks.disconnected(name, why);
        }
        if (left[0] != null) {
            left[0].departed();
        }
        Topic t = emptied[0];
        if (t == null) {
            return;
        }
        Poller p = toStop[0];
        if (p != null) {
            p.stop();
        }
        if (t.replays() && !t.clustered && !shutDown) {
            scheduleExpiry(t);
        } else {
            closeQuietly(t);
        }
    }

    private void scheduleExpiry(Topic t) {
        long retention = delivery.config().replayIdleRetention().toNanos();
        long left = retention - (System.nanoTime() - t.idleSince);
        try {
            // The scheduler only triggers: the replay store may be the application's own.
            delivery.scheduling().executor().schedule(() -> runLater(() -> expire(t)), Math.max(0, left),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            expire(t);
        }
    }

    private void expire(Topic t) {
        long retention = delivery.config().replayIdleRetention().toNanos();
        boolean[] removed = {false};
        boolean[] stillIdle = {false};
        topics.computeIfPresent(t.name, (k, current) -> {
            if (current != t || current.state != Topic.State.IDLE) {
                return current; // replaced, or active again
            }
            if (System.nanoTime() - current.idleSince < retention) {
                stillIdle[0] = true; // went active and idle again since this task was scheduled
                return current;
            }
            removed[0] = true;
            // In the bin: a new topic of the same name waits, so its ring is never the one removed.
            retire(current);
            topicCount.decrementAndGet();
            return null;
        });
        if (removed[0]) {
            closeQuietly(t);
        } else if (stillIdle[0]) {
            scheduleExpiry(t);
        }
    }

    /**
     * Marks the topic retired and drops its replay ring, under its publish lock, so no publish that
     * fetched it earlier records into a ring after it is gone. Inside the registry's compute (or
     * after the topic left the registry at shutdown).
     */
    private void retire(Topic t) {
        synchronized (t.publishLock) {
            t.state = Topic.State.RETIRED;
            if (t.replays() && !t.clustered) {
                try {
                    replayStore.remove(t.name);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "replay store failed to remove topic " + t.name, e);
                }
            }
        }
    }

    /** Runs {@code r} on the callbacks executor: it may call application code (onStop, a ReplayStore). */
    private void runLater(Runnable r) {
        try {
            delivery.scheduling().callbacks().execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    /**
     * What the cluster engine delivers, on its one delivery thread: events in cluster order, joins'
     * answers in order with them. Only enqueues (a subscriber's close goes to the callbacks executor).
     */
    private final class ClusterSide implements ClusterBridge.TopicSide {

        @Override
        public void topicEvent(String topic, long seq, String id, String name, String data) {
            Topic t = topics.get(topic);
            if (t == null || !t.clustered) {
                return;
            }
            SseEvent event = SseEvent.builder().name(name).data(data).build();
            t.deliver(formatter.prepare(event, data, seq, id));
        }

        @Override
        public void topicLost(String topic, String reason, String lastId, boolean reset) {
            Topic t = topics.get(topic);
            if (t == null || !t.clustered) {
                return;
            }
            PreparedEvent missed = reason == null ? null : ControlFrames.missed(reason, lastId);
            for (Seat seat : t.members.values()) {
                Outlet s = seat.subscriber();
                if (s == null || seat.floor == Seat.PENDING) {
                    continue; // its join's answer is still to come, from the new position
                }
                if (missed != null) {
                    s.offer(missed);
                }
                if (reset) {
                    seat.floor = 0;
                }
            }
        }

        @Override
        public void caughtUp(String topic, Object ticket, ClusterNode.CatchUp answer) {
            Seat seat = (Seat) ticket;
            Outlet s = seat.subscriber();
            if (s == null) {
                return; // left meanwhile
            }
            if (answer.events() == null) {
                s.offer(ControlFrames.missed(answer.reason(), answer.lastId()));
            } else {
                for (ClusterNode.Entry e : answer.events()) {
                    if (e.lost()) {
                        s.offer(ControlFrames.missed("publish-dropped", e.id()));
                        continue;
                    }
                    SseEvent event = SseEvent.builder().name(e.name()).data(e.data()).build();
                    s.offer(formatter.prepare(event, e.data(), e.seq(), e.id()));
                }
            }
            seat.floor = answer.position();
        }

        @Override
        public void topicGap(String topic, long seq, String id, String reason) {
            Topic t = topics.get(topic);
            if (t == null || !t.clustered) {
                return;
            }
            PreparedEvent missed = ControlFrames.missed(reason, id);
            for (Seat seat : t.members.values()) {
                Outlet s = seat.subscriber();
                if (s != null && seat.floor < seq) {
                    s.offer(missed);
                }
            }
        }

        @Override
        public boolean follows(String topic) {
            Topic t = topics.get(topic);
            return t != null && t.clustered;
        }
    }

    private static void closeQuietly(Topic t) {
        try {
            t.closeBroadcaster();
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
