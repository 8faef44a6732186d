package io.github.sseprogress.internal.stream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.delivery.Admission;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.wire.JsonText;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.Sse;

/**
 * One multiplexed connection (an SSE stream or a WebSocket session): one {@link Subscriber} (one
 * bounded {@link StreamMailbox}, one writer, heartbeats and the write watchdog as for any stream) and
 * one {@link Member} per key, which topics and jobs deliver to.
 *
 * <h2>Threads</h2>
 * Publishers enqueue through members (lock-free; a drop takes its member's loss lock for a moment, see
 * {@link Member}). The writer alone frames entries ({@link #frame}, called from the mailbox's
 * {@code poll}) and so alone reads and writes the members' positions: an SSE frame's id is every key's
 * position at the moment it is written. Keys are added on the request thread (SSE: all of them, before
 * any is attached, so the composite id always has every key) or on the WebSocket's message thread;
 * {@link #members} is guarded by {@code this}, a leaf lock under which nothing calls out (it and a
 * member's loss lock are never held together). The close listener of the connection runs on the
 * callbacks executor and tells every member's listener (leave the topic, detach from the job), also on
 * the callbacks executor.
 */
public final class Connection {

    /** The position of a key the client was told has ended. */
    static final String ENDED = "!";

    private final StreamsBean owner;
    private final boolean websocket;
    private final Sse sse;
    private final SubscribeOptions request;
    private final SlowSubscriberPolicy policy;
    private final Counters counters;
    private final StreamMailbox mailbox;
    private final Executor callbacks;
    /** SSE: every key in request order (fixed). */
    private final List<Member> ordered = new ArrayList<>();
    /** WebSocket: the keys followed now. Guarded by {@code this}. */
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** SSE: keys not ended yet; the stream closes when none is left. */
    private final AtomicInteger live = new AtomicInteger();
    /** Keys followed now (SSE: every key of the request), for the queue's bound. */
    private volatile int keys;
    private volatile Subscriber subscriber;
    /** SSE: every key has ended (set by the writer); the stream closes after what is queued. */
    private volatile boolean allEnded;
    /** The connection's counts under {@code sse.limits.*} and its expiry timer; given back when its writer ends. */
    private final Admission admission;
    /** The earliest expiry an observer set for one of its keys, or null (guarded by this). */
    private Instant expiresAt;

    Connection(StreamsBean owner, boolean websocket, Sse sse, SubscribeOptions request, SlowSubscriberPolicy policy,
            int queueSize, Counters counters, Executor callbacks, Admission admission) {
        this(owner, websocket, sse, request, policy, queueSize, counters, callbacks, admission, StreamMailbox::new);
    }

    /** As above, with the connection's queue made by {@code queue} (a test holds a marker on its way in). */
    Connection(StreamsBean owner, boolean websocket, Sse sse, SubscribeOptions request, SlowSubscriberPolicy policy,
            int queueSize, Counters counters, Executor callbacks, Admission admission,
            BiFunction<Integer, Connection, StreamMailbox> queue) {
        this.owner = owner;
        this.admission = admission;
        this.websocket = websocket;
        this.sse = sse;
        this.request = request;
        this.policy = policy;
        this.counters = counters;
        this.callbacks = callbacks;
        this.mailbox = queue.apply(queueSize, this);
    }

    StreamMailbox mailbox() {
        return mailbox;
    }

    /**
     * Starts the writer. An SSE connection attaches its keys first and starts its writer only then:
     * Jersey holds a write made before the resource method returns until it returns (the watchdog would
     * take a slow attach for a stalled client), and a failure found while attaching (503) can still be
     * answered as an HTTP status. What keys queued meanwhile is written first.
     */
    void writer(Subscriber s) {
        this.subscriber = s;
        if (allEnded) {
            s.closeAfterDrain(DisconnectReason.TERMINAL);
        }
        armExpiry();
        s.scheduleDrain();
    }

    Admission admission() {
        return admission;
    }

    /**
     * An observer set when a key's authorisation ends ({@code SubscriberConnecting#expiresAt}): the
     * token is the connection's, so the earliest instant ends the whole connection with
     * {@code expired} (SSE) or close code 4002 after an {@code expired} message (WebSocket).
     */
    void expireAt(Instant at) {
        if (at == null) {
            return;
        }
        synchronized (this) {
            if (expiresAt != null && !at.isBefore(expiresAt)) {
                return;
            }
            expiresAt = at;
        }
        armExpiry();
    }

    /** Schedules the earliest expiry once the writer exists (Admission keeps the earliest of repeated calls). */
    private void armExpiry() {
        Subscriber s = subscriber;
        Instant at;
        synchronized (this) {
            at = expiresAt;
        }
        if (s == null || at == null) {
            return;
        }
        PreparedEvent last = websocket
                ? PreparedEvent.frame(0, null, null, "{\"event\":\"expired\",\"data\":\"{\\\"reason\\\":\\\"token-expired\\\"}\"}", true)
                : ControlFrames.expired();
        admission.expireAt(at, () -> s.endWith(last, DisconnectReason.EXPIRED));
    }

    Executor callbacks() {
        return callbacks;
    }

    SlowSubscriberPolicy policy() {
        return policy;
    }

    Sse sse() {
        return sse;
    }

    SubscribeOptions request() {
        return request;
    }

    boolean isWebSocket() {
        return websocket;
    }

    // ---- keys ----

    /** SSE: the connection's keys with the client's positions, in order; before any is attached. */
    List<Member> declare(List<String> keys, List<String> positions) {
        for (int i = 0; i < keys.size(); i++) {
            String position = positions == null ? "" : positions.get(i);
            Member m = new Member(this, keys.get(i), false, position);
            if (ENDED.equals(position)) {
                m.ended = true;
            } else {
                live.incrementAndGet();
            }
            ordered.add(m);
        }
        this.keys = ordered.size();
        return ordered;
    }

    /**
     * WebSocket: follows {@code key} from {@code last} (may be null).
     *
     * @throws IllegalArgumentException for an invalid key, one already followed, or too many keys
     */
    public void subscribe(String key, String last) {
        StreamsBean.checkKey(key);
        Member m;
        synchronized (this) {
            if (members.containsKey(key)) {
                throw new IllegalArgumentException("already subscribed: " + key);
            }
            if (members.size() >= owner.maxKeys()) {
                throw new IllegalArgumentException("too many keys on one connection (sse.streams.max-keys="
                        + owner.maxKeys() + ")");
            }
            m = new Member(this, key, false, last);
            members.put(key, m);
            keys = members.size();
        }
        owner.attach(this, m);
    }

    /**
     * WebSocket: stops following {@code key}; the client gets its {@code end} frame.
     *
     * @throws IllegalArgumentException when the key is not followed
     */
    public void unsubscribe(String key) {
        Member m;
        synchronized (this) {
            m = members.get(key);
        }
        if (m == null || m.isClosed()) {
            throw new IllegalArgumentException("not subscribed: " + key);
        }
        m.close(DisconnectReason.UNSUBSCRIBED);
    }

    /** The keys followed now (WebSocket; SSE: every key of the request). */
    public int keyCount() {
        return keys;
    }

    int keys() {
        return keys;
    }

    /** WebSocket: a message to the client outside any key (an {@code error} answer), in order with the rest. */
    public void reply(String message) {
        Subscriber s = subscriber;
        if (s != null && !s.isClosed()) {
            mailbox.offer(PreparedEvent.frame(0, null, null, message, true));
            s.scheduleDrain();
        }
    }

    /** Ends the connection now (the client went away): every key leaves its topic or job. */
    public void close(DisconnectReason why) {
        Subscriber s = subscriber;
        if (s != null) {
            s.close(why);
        }
    }

    /** Why the connection ended, or {@code null} while open. */
    public DisconnectReason reason() {
        Subscriber s = subscriber;
        return s == null ? null : s.reason();
    }

    /** Attaching failed before the writer started: every key attached so far leaves. */
    void abandon(DisconnectReason why) {
        for (Member m : ordered) {
            m.leave(why);
            m.arm();
        }
    }

    /** The connection's writer ended (callbacks executor): every key leaves quietly (no end frames). */
    void closed(DisconnectReason why) {
        List<Member> all;
        synchronized (this) {
            all = new ArrayList<>(websocket ? members.values() : ordered);
            members.clear();
            keys = 0;
        }
        for (Member m : all) {
            m.leave(why);
        }
    }

    // ---- what members call (any thread, lock-free) ----

    boolean queue(Member m, PreparedEvent event) {
        Subscriber s = subscriber;
        if (s == null) {
            mailbox.mark(m, event); // attaching: bounded by what the keys' replay holds
            return true;
        }
        if (s.isClosed()) {
            return true; // the connection is ending: its close reaches the member
        }
        if (!mailbox.offer(m, event)) {
            return false;
        }
        s.scheduleDrain();
        return true;
    }

    void mark(Member m, Object item) {
        if (enqueue(m, item)) {
            wake();
        }
    }

    /**
     * Queues a marker without waking the writer (a member holding its loss lock wakes it with
     * {@link #wake} after letting go); {@code false} when the connection is ending.
     */
    boolean enqueue(Member m, Object item) {
        Subscriber s = subscriber;
        if (s != null && s.isClosed()) {
            return false;
        }
        mailbox.mark(m, item);
        return true;
    }

    /** Makes sure the writer runs (once it exists). */
    void wake() {
        Subscriber s = subscriber;
        if (s != null) {
            s.scheduleDrain();
        }
    }

    void dropped() {
        counters.countDropped();
        counters.countSlowAction(policy()); // one action per overflow, as on a single-topic stream
    }

    /** A key's queue overflowed and the policy ends the connection (replay topics resume after it). */
    void overflowed(SlowSubscriberPolicy p) {
        Subscriber s = subscriber;
        if (p == SlowSubscriberPolicy.CLOSE) {
            s.close(DisconnectReason.SLOW);
        } else {
            s.closeAfterDrain(DisconnectReason.SLOW);
        }
    }

    long sendInFlightSince() {
        Subscriber s = subscriber;
        return s == null ? 0 : s.sendInFlightSince();
    }

    // ---- the writer ----

    /** Turns a member's entry into the frame to write, or {@code null} to skip it. Writer only. */
    PreparedEvent frame(Member m, Object item) {
        if (item == StreamMailbox.END) {
            if (m.ended) {
                return null;
            }
            m.ended = true;
            m.position = ENDED;
            PreparedEvent end = format(m, PreparedEvent.frame(0, null, "end", m.endPayload(), true));
            ended(m);
            return end;
        }
        if (m.ended || m.skipsQueued()) {
            return null;
        }
        PreparedEvent event;
        if (item == StreamMailbox.TOKEN) {
            event = m.takeLatest();
        } else if (item instanceof Member.Loss loss) {
            long n = m.takeLost(loss);
            event = n <= 0 ? null : ControlFrames.overflow(n);
        } else {
            event = (PreparedEvent) item;
        }
        if (event == null || event.dataText() == null) {
            return null; // nothing new, or a comment-only frame (it has no key to carry)
        }
        if (event.getId() != null) {
            m.position = event.getId();
        }
        return format(m, event);
    }

    private void ended(Member m) {
        if (websocket) {
            synchronized (this) {
                members.remove(m.key, m);
                keys = members.size();
            }
        } else if (live.decrementAndGet() == 0) {
            // Every key ended. The writer may run before writer(s) stored the subscriber (its opening
            // frame schedules it): both sides check the other's volatile write, so one of them closes.
            allEnded = true;
            Subscriber s = subscriber;
            if (s != null) {
                s.closeAfterDrain(DisconnectReason.TERMINAL);
            }
        }
    }

    private PreparedEvent format(Member m, PreparedEvent e) {
        if (websocket) {
            StringBuilder b = new StringBuilder(e.dataText().length() + m.key.length() + 48);
            b.append("{\"key\":").append(JsonText.quote(m.key));
            if (e.getId() != null && !e.isControl()) {
                b.append(",\"id\":").append(JsonText.quote(e.getId()));
            }
            if (e.name() != null) {
                b.append(",\"event\":").append(JsonText.quote(e.name()));
            }
            b.append(",\"data\":").append(JsonText.quote(e.dataText())).append('}');
            return PreparedEvent.frame(e.sequence(), null, null, b.toString(), e.isControl());
        }
        return PreparedEvent.frame(e.sequence(), compositeId(), e.name(), m.key + "\n" + e.dataText(), e.isControl());
    }

    /** Every key's position in request order, joined by {@code ~} ({@code %} and {@code ~} escaped). */
    private String compositeId() {
        StringBuilder b = new StringBuilder(ordered.size() * 12);
        for (int i = 0; i < ordered.size(); i++) {
            if (i > 0) {
                b.append('~');
            }
            String p = ordered.get(i).position;
            if (p.indexOf('%') < 0 && p.indexOf('~') < 0) {
                b.append(p);
            } else {
                b.append(p.replace("%", "%25").replace("~", "%7E"));
            }
        }
        return b.toString();
    }

    /** The positions of a composite id, or {@code null} when it does not have {@code n} of them. */
    static List<String> positions(String compositeId, int n) {
        if (compositeId == null) {
            return null;
        }
        String[] parts = compositeId.split("~", -1);
        if (parts.length != n) {
            return null;
        }
        List<String> out = new ArrayList<>(n);
        for (String p : parts) {
            out.add(p.indexOf('%') < 0 ? p : p.replace("%7E", "~").replace("%7e", "~").replace("%25", "%"));
        }
        return out;
    }
}
