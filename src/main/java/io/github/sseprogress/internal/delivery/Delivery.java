package io.github.sseprogress.internal.delivery;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.config.Scheduling;
import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * What stands between a topic (or job) and its clients, shared by the Manager and the Tracker:
 * opens {@link Subscriber}s, keeps the set of live ones, and runs ONE periodic task on the managed
 * scheduler that sends heartbeats and evicts subscribers whose write is stuck. There is no thread per
 * subscriber, topic or job.
 *
 * <p>Threads: {@link #open} runs on the request thread; {@link #tick()} on a scheduler thread; the
 * live set is a concurrent set, so neither waits for the other.
 */
@ApplicationScoped
public class Delivery {

    private static final Logger LOG = Logger.getLogger(Delivery.class.getName());
    private static final long MIN_TICK_MILLIS = 20;
    /**
     * The tick also finds pinned writers, and the pool grows only then: many clients stalling at once pin
     * every writer until it runs, so it must come within a fraction of a second (PinnedWritersTest; the bench's
     * 32 stalled clients raised the others' p50 from 43 to 651 ms with a 1 s tick). A tick reads a few
     * volatile fields per live subscriber: about 0.2 ms for 10,000, ten times a second.
     */
    private static final long MAX_TICK_MILLIS = 100;
    /**
     * Evictions keep their own, coarser cadence (as before the fast tick): at most once a second and at
     * least four times per write timeout, so a stalled write ends at the write timeout plus up to a quarter
     * of it. Evicting within 100 ms of the timeout made the library's close race the container's own write
     * timeout more often (Payara's Tyrus then logs a WARNING for the write it cancels: WebSocketIT).
     */
    private static final long MAX_EVICTION_TICK_MILLIS = 1000;

    @Inject
    SseConfig config;

    @Inject
    Scheduling scheduling;

    private final Set<Subscriber> live = ConcurrentHashMap.newKeySet();
    /** Evicted subscribers whose blocked write has not returned yet: their writer is still pinned. */
    private final Set<Subscriber> stuck = ConcurrentHashMap.newKeySet();
    private volatile int pinned;
    /** The deepest subscriber queue seen at any tick since start (written by the tick only). */
    private volatile int queueHighWater;
    /** {@code System.nanoTime()} at the end of the last tick: readiness checks that the timers run. */
    private volatile long lastTickNanos = System.nanoTime();
    private long pinAfterNanos;
    private long evictEveryNanos;
    /** When the tick next checks for writes stuck beyond the write timeout (tick thread only). */
    private long nextEvictionNanos;
    private final Counters total = new Counters(null);
    private final PreparedEvent heartbeat = PreparedEvent.comment("");
    private PreparedEvent opening;
    private volatile ScheduledFuture<?> ticker;
    private volatile long nextHeartbeatNanos;
    private volatile boolean stopped;

    @PostConstruct
    void start() {
        opening = config.retry() != null ? ControlFrames.retry(config.retry()) : PreparedEvent.comment("");
        long tick = Math.max(MIN_TICK_MILLIS, tickMillis(MAX_TICK_MILLIS));
        pinAfterNanos = TimeUnit.MILLISECONDS.toNanos(tick);
        evictEveryNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(tick, tickMillis(MAX_EVICTION_TICK_MILLIS)));
        nextEvictionNanos = System.nanoTime() + evictEveryNanos;
        nextHeartbeatNanos = System.nanoTime() + config.heartbeatInterval().toNanos();
        ticker = scheduling.executor().scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** At most {@code max} ms, a quarter of the write timeout, and the heartbeat interval. */
    private long tickMillis(long max) {
        long wt = Math.min(max, config.writeTimeout().toMillis() / 4);
        return config.heartbeatEnabled() ? Math.min(config.heartbeatInterval().toMillis(), wt) : wt;
    }

    /**
     * Opens a subscriber on {@code sink} and queues its opening frame ({@code retry:} when
     * {@code sse.retry} is set, else an empty comment). {@code onClosed} is told once, on the
     * callbacks executor, and only after the caller {@linkplain Subscriber#arm() arms} the subscriber
     * (once it is registered, outside any lock). Callers check {@link #isStopped()} afterwards.
     */
    public Subscriber open(SseEventSink sink, Sse sse, Mailbox mailbox, SlowSubscriberPolicy policy, Counters counters,
            BiConsumer<Subscriber, DisconnectReason> onClosed) {
        return open(sink, sse, mailbox, policy, counters, null, onClosed);
    }

    /**
     * As {@link #open(SseEventSink, Sse, Mailbox, SlowSubscriberPolicy, Counters, BiConsumer)}, giving
     * {@code admission} back the moment the stream ends (its end bookkeeping, before the listener).
     */
    public Subscriber open(SseEventSink sink, Sse sse, Mailbox mailbox, SlowSubscriberPolicy policy, Counters counters,
            Admission admission, BiConsumer<Subscriber, DisconnectReason> onClosed) {
        if (sink instanceof FrameSink) {
            ((FrameSink) sink).open(sse); // the stream starts here: every refusal (404, 204, 429, 503) came before
            sse = null; // it writes the library's frames as they are
        }
        Subscriber[] self = {null};
        Subscriber s = new Subscriber(sink, sse, mailbox, policy == null ? config.slowSubscriberPolicy() : policy,
                scheduling.writers(), scheduling.callbacks(), counters, heartbeat, () -> {
                    live.remove(self[0]);
                    if (admission != null) {
                        admission.release();
                    }
                }, onClosed);
        self[0] = s;
        live.add(s);
        // The opening frame commits the response: Open Liberty holds the headers back until the first
        // write, so without it a client would see nothing until the first event or heartbeat.
        s.offerFirst(java.util.List.of(opening));
        return s;
    }

    /** Whether {@link #shutdown()} ran: subscribers opened afterwards must be closed by the caller. */
    public boolean isStopped() {
        return stopped;
    }

    /** Counters over every subscriber of the library. */
    public Counters total() {
        return total;
    }

    /** The number of open subscribers, all topics and jobs together. */
    public int liveCount() {
        return live.size();
    }

    public SseConfig config() {
        return config;
    }

    public Scheduling scheduling() {
        return scheduling;
    }

    /**
     * Whether a write has been in flight for more than one tick at {@code now}: the client's TCP
     * window is full and the writer thread is pinned until the write returns. Never for the
     * non-blocking servlet transport, whose pending write holds no thread.
     */
    public boolean isPinned(Outlet s, long now) {
        if (s instanceof Subscriber && !((Subscriber) s).pinsWriter()) {
            return false; // a non-blocking write in flight holds no thread
        }
        long since = s.sendInFlightSince();
        return since != 0 && now - since > pinAfterNanos;
    }

    /** Writer threads pinned at the last tick. */
    public int pinnedCount() {
        return pinned;
    }

    /** The deepest subscriber queue seen since start, sampled once per tick (at most a second apart). */
    public int queueHighWater() {
        return queueHighWater;
    }

    /**
     * Whether the periodic task (heartbeats, eviction) has run within {@code slack} ticks: the managed
     * scheduler is usable. False after {@link #shutdown()}.
     */
    public boolean ticking(int slack) {
        ScheduledFuture<?> t = ticker;
        return !stopped && t != null && !t.isDone()
                && System.nanoTime() - lastTickNanos <= slack * Math.max(pinAfterNanos, TimeUnit.SECONDS.toNanos(1));
    }

    void tick() {
        try {
            long now = System.nanoTime();
            long timeout = config.writeTimeout().toNanos();
            boolean beat = config.heartbeatEnabled() && now - nextHeartbeatNanos >= 0;
            if (beat) {
                nextHeartbeatNanos = now + config.heartbeatInterval().toNanos();
            }
            boolean evictNow = now - nextEvictionNanos >= 0;
            if (evictNow) {
                nextEvictionNanos = now + evictEveryNanos;
            }
            int pinnedNow = 0;
            int deepest = queueHighWater;
            for (Subscriber s : live) {
                deepest = Math.max(deepest, s.queueDepth());
                long since = s.sendInFlightSince();
                if (evictNow && since != 0 && now - since > timeout) {
                    LOG.log(Level.FINE, "evicting an SSE subscriber whose write has been blocked for more than {0}",
                            config.writeTimeout());
                    stuck.add(s);
                    s.evict();
                } else if (isPinned(s, now)) {
                    pinnedNow++;
                } else if (beat) {
                    s.heartbeat();
                }
            }
            for (Subscriber s : stuck) {
                if (s.sendInFlightSince() == 0) {
                    stuck.remove(s); // the server's write timeout released its thread
                } else {
                    pinnedNow++;
                }
            }
            pinned = pinnedNow;
            queueHighWater = deepest;
            fitWriters(pinnedNow);
            lastTickNanos = System.nanoTime();
        } catch (RejectedExecutionException e) {
            // container shutting down
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SSE heartbeat task failed", e);
        }
    }

    /**
     * Keeps {@code sse.writer-threads} writers free for healthy clients: the pool grows by one thread
     * per pinned writer, up to {@code sse.writer-threads.max}, and shrinks back (idle threads end
     * after 30 s) once the pinned writes return.
     */
    private void fitWriters(int pinnedNow) {
        if (!(scheduling.writers() instanceof ThreadPoolExecutor)) {
            return;
        }
        ThreadPoolExecutor pool = (ThreadPoolExecutor) scheduling.writers();
        int want = Math.min(config.writerThreadsMax(), config.writerThreads() + pinnedNow);
        int have = pool.getCorePoolSize();
        if (want > have) {
            pool.setMaximumPoolSize(Math.max(want, pool.getMaximumPoolSize()));
            pool.setCorePoolSize(want); // starts threads for queued writer tasks at once
        } else if (want < have) {
            pool.setCorePoolSize(want);
            pool.setMaximumPoolSize(want);
        }
    }

    /** Closes every stream; later {@link #open} calls get a closed subscriber. */
    @PreDestroy
    public void shutdown() {
        stopped = true;
        ScheduledFuture<?> t = ticker;
        if (t != null) {
            t.cancel(false);
        }
        for (Subscriber s : List.copyOf(live)) {
            s.close(DisconnectReason.SHUTDOWN);
        }
    }
}
