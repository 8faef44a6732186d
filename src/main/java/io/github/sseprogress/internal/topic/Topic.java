package io.github.sseprogress.internal.topic;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;

/**
 * One topic: its subscribers, its JAX-RS {@link SseBroadcaster} (from the first subscriber's
 * {@code Sse}), its optional poller.
 *
 * <h2>Lifecycle: one owner, named states</h2>
 * The registry ({@code ManagerBean.topics}) owns every topic; a topic's {@link #state} and membership
 * change only inside the registry's per-key atomic {@code compute}:
 * <ul>
 *   <li>{@link State#ACTIVE}: has subscribers (created so by the first subscribe);</li>
 *   <li>{@link State#IDLE}: a replay topic whose last subscriber left; still records publishes for
 *       reconnecting clients, for {@code sse.replay.idle-retention}; a subscribe makes it ACTIVE;</li>
 *   <li>{@link State#RETIRED}: removed from the registry (last subscriber of a topic without replay,
 *       idle retention over, shutdown); final. A publish that fetched it before removal records
 *       nothing (the state is set under {@link #publishLock}) and reaches nobody.</li>
 * </ul>
 *
 * <h2>Lock order</h2>
 * Registry bin (inside {@code compute}) → {@link #publishLock}; never the reverse. Under either lock
 * the code only enqueues to subscribers and calls the {@code ReplayStore}; an enqueue that drops takes
 * the subscriber's (or multiplexed key's) loss lock, a leaf under which nothing is called. Subscriber
 * close notifications, application callbacks and socket writes always run elsewhere (see
 * {@link Subscriber}).
 *
 * <h2>What the broadcaster carries</h2>
 * Each subscriber is registered with the broadcaster through a {@link Seat}; when it leaves, the seat
 * is emptied at once and a sweep broadcast (every {@link #SWEEP_EVERY} departures) makes the
 * broadcaster drop empty seats; closing the topic closes the broadcaster and, through it, every
 * stream still open. Events themselves are fanned out by {@link #broadcast} straight into each
 * subscriber's bounded queue rather than through {@code SseBroadcaster.broadcast}: Jersey's broadcaster
 * (Payara) drops events for a healthy subscriber once its 256-event buffer fills under a burst and
 * throws "Unknown subscriber" into the publisher (jersey issue 4551), and RESTEasy's (Open Liberty)
 * chains sinks one after another (measured in {@code ManagerConcurrencyTest}).
 */
final class Topic {

    private static final Logger LOG = Logger.getLogger(Topic.class.getName());
    /** Departures between two sweeps: at most this many empty seats wait in a broadcaster. */
    static final int SWEEP_EVERY = 64;

    enum State { ACTIVE, IDLE, RETIRED }

    final String name;
    /**
     * The JAX-RS broadcaster, from the first SSE subscriber's {@code Sse}; {@code null} while only
     * WebSocket connections (which have no {@code Sse}) followed the topic. Set inside the registry's compute.
     */
    private volatile SseBroadcaster broadcaster;
    private volatile OutboundSseEvent sweep;
    final Counters counters;
    /** Events kept for Last-Event-ID replay; 0 when replay is off for this topic. */
    final int replayCapacity;
    /**
     * Serialises "append to the store + fan out" (publish on a replay topic, every polled publish)
     * against "read the store / the last polled payload + join the subscriber set" (subscribe), so a
     * joining subscriber gets every event exactly once, in order.
     */
    final Object publishLock = new Object();
    /** Subscribers and their seats in the broadcaster. */
    final ConcurrentHashMap<Outlet, Seat> members = new ConcurrentHashMap<>();
    final Set<Outlet> subscribers = members.keySet();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger departures = new AtomicInteger();
    private final AtomicInteger seats = new AtomicInteger();
    private final AtomicInteger seatCallsAfterDrop = new AtomicInteger();
    /** Written inside the registry's compute only (RETIRED also under publishLock). */
    volatile State state = State.ACTIVE;
    /** The running poller; taken (set to null) by the last leave, replaced by the next activation. */
    volatile Poller poller;
    /** The last payload the poller published, for subscribers that join later. Under publishLock. */
    PreparedEvent lastPolled;
    /** System.nanoTime() when the last subscriber left (replay topics stay idle for a while). */
    volatile long idleSince;

    /**
     * Whether the topic's events come from the cluster engine (every node delivers the same events with
     * the same ids); its history lives in the cluster, so it never goes IDLE here.
     */
    final boolean clustered;

    Topic(String name, Sse sse, Counters counters, int replayCapacity) {
        this(name, sse, counters, replayCapacity, false);
    }

    Topic(String name, Sse sse, Counters counters, int replayCapacity, boolean clustered) {
        this.clustered = clustered;
        this.name = name;
        this.counters = counters;
        this.replayCapacity = replayCapacity;
        useSse(sse);
    }

    /** Creates the broadcaster from the first {@code Sse} seen. Inside the registry's compute. */
    void useSse(Sse sse) {
        if (broadcaster == null && sse != null) {
            sweep = sse.newEventBuilder().comment("sweep").build();
            broadcaster = sse.newBroadcaster();
        }
    }

    /** Closes the broadcaster (and through it every seat still registered). */
    void closeBroadcaster() {
        SseBroadcaster b = broadcaster;
        if (b != null) {
            b.close();
        }
    }

    boolean replays() {
        return replayCapacity > 0;
    }

    long nextSequence() {
        return sequence.incrementAndGet();
    }

    /**
     * Adds a subscriber and registers its seat with the broadcaster (when there is one yet). Inside
     * the registry's compute.
     */
    Seat join(Outlet s) {
        Seat seat = new Seat(this, s);
        seat.floor = clustered ? Seat.PENDING : 0;
        members.put(s, seat);
        SseBroadcaster b = broadcaster;
        if (b != null) {
            seats.incrementAndGet();
            b.register(seat);
        } else {
            seat.unregistered(); // nothing will sweep it: it never counts as a registration
        }
        return seat;
    }

    /** Removes a subscriber and empties its seat. Inside the registry's compute; false when absent. */
    boolean part(Outlet s) {
        Seat seat = members.remove(s);
        if (seat == null) {
            return false;
        }
        seat.vacate();
        return true;
    }

    /** Counts a departure; every {@link #SWEEP_EVERY}th sweeps empty seats out. Outside any lock. */
    void departed() {
        if (departures.incrementAndGet() % SWEEP_EVERY == 0) {
            sweep();
        }
    }

    /** Broadcasts the sweep marker: present subscribers ignore it, empty seats get dropped. */
    void sweep() {
        SseBroadcaster b = broadcaster;
        if (b == null) {
            return;
        }
        try {
            b.broadcast(sweep);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "sweeping topic " + name + " failed", e);
        }
    }

    void seatDropped() {
        seats.decrementAndGet();
    }

    void seatCalledAfterDrop() {
        seatCallsAfterDrop.incrementAndGet();
    }

    /** Seats the broadcaster still holds (present subscribers plus empty seats not yet swept). */
    int registrations() {
        return seats.get();
    }

    /** How often a broadcaster called a seat it had been told to drop (0 when it drops them). */
    int seatCallsAfterDrop() {
        return seatCallsAfterDrop.get();
    }

    /**
     * Clustered: enqueues to every subscriber whose floor is below the event's seq (one that joined
     * with a later position already has it). On the engine's delivery thread; never blocks.
     */
    void deliver(PreparedEvent event) {
        long seq = event.sequence();
        for (Seat seat : members.values()) {
            if (seat.floor < seq) {
                Outlet s = seat.subscriber();
                if (s != null) {
                    s.offer(event);
                }
            }
        }
    }

    /** Enqueues to every current subscriber; never blocks. A retired topic has none left. */
    void broadcast(PreparedEvent event) {
        for (Outlet s : subscribers) {
            s.offer(event);
        }
    }
}
