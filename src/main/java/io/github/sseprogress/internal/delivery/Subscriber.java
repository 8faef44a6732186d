package io.github.sseprogress.internal.delivery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * One client connection: the container's {@link SseEventSink}, a bounded {@link Mailbox} and a single
 * writer. It is itself an {@code SseEventSink} so it can be registered with a JAX-RS
 * {@code SseBroadcaster}: {@link #send} never blocks (it only enqueues and returns a completed stage)
 * and throws {@link IllegalStateException} once the subscriber is closed, which makes both Jersey's
 * and RESTEasy's broadcasters drop it.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Publishers (any thread, or the broadcaster's thread, several at once) call {@link #offer}:
 *       lock-free enqueue, then {@link #scheduleDrain()}; only a drop ({@code DROP} on a full queue)
 *       takes {@code lossLock} for a moment.</li>
 *   <li>At most one writer task at a time runs {@link #drain()} on the writer executor; ownership is
 *       the {@code draining} flag (CAS false→true). Only the owner calls {@code sink.send} or
 *       {@code sink.close}: on both Open Liberty and Payara {@code send} is synchronous and blocks
 *       while the client's TCP window is full (up to the server's write timeout), and two threads
 *       writing one sink either queue without bound (Payara) or wait on each other (Liberty).</li>
 *   <li>The delivery scheduler calls {@link #heartbeat()} and {@link #sendInFlightSince()} (watchdog).
 *       A send in flight longer than the write timeout gets the subscriber closed
 *       ({@link DisconnectReason#EVICTED}): its mailbox is freed and it is unregistered at once; the
 *       pinned writer thread closes the sink when the container returns from the blocked send.</li>
 * </ul>
 * One lock, {@code lossLock}, a leaf: it guards the loss markers ({@link Loss}) and nothing is called
 * out under it (only the lock-free queue's add); the successful offer never takes it. See below.
 *
 * <h2>The loss signal ({@code DROP})</h2>
 * Each gap in the stream gets a marker in the queue, which the writer turns into {@code missed} with the
 * number of events it stands for. The rule: a publisher's dropped event is counted by a marker queued
 * after that publisher's previous queued event and before its next one. So:
 * <ul>
 *   <li>a drop, under {@code lossLock}, joins the <em>open</em> marker ({@code openLoss}) or opens a new
 *       one: it publishes it as open first, then queues it, both before it lets go of the lock. A later
 *       dropper therefore only ever joins a marker that is already queued, so its own next event lands
 *       behind it;</li>
 *   <li>an offer that queued its event closes the open marker (lock-free compare-and-set), so the next
 *       drop opens a marker after that event. A marker opened while an offer queued its event either
 *       lands behind the event or is closed by that offer: a publisher never joins a marker queued
 *       before its own previous event;</li>
 *   <li>the writer, taking a marker, takes under {@code lossLock} the oldest marker's count and closes
 *       it if it is still open: a drop counted before is in the signal, a drop after opens a new marker
 *       behind it.</li>
 * </ul>
 *
 * <h2>The close listener</h2>
 * Whoever closes a subscriber may be a publisher holding a topic's publish lock, or a thread inside
 * the topic registry's {@code compute}. So the listener (the topic's or job's {@code leave}, then the
 * application's {@code SubscriberDisconnected} observers) never runs on the closing thread: it is
 * handed to the callbacks executor, once, and only after the owner {@linkplain #arm() armed} the
 * subscriber (when it is registered and no lock is held); a subscriber closed before that is told
 * when it is armed. Only if the executor refuses (the application is stopping) does it run inline.
 *
 * <h2>States</h2>
 * OPEN → CLOSING (drain what is queued, then close: terminal events, {@code REMOVE} policy)
 * → CLOSED (mailbox cleared, listener told once, sink closed by the writer).
 */
public final class Subscriber implements SseEventSink, Outlet {

    private static final Logger LOG = Logger.getLogger(Subscriber.class.getName());
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
    /** Stands in the queue where events were dropped; the writer turns it into the loss signal. */
    private static final PreparedEvent LOSS_MARKER = PreparedEvent.comment("loss");
    /** No bytes: makes a {@link FrameSink} flush what it kept back (all fields null, so wireBytes is empty). */
    private static final PreparedEvent FLUSH = PreparedEvent.comment(null);
    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    private final SseEventSink sink;
    /** The sink when it is one of the library's transports (servlet), else null. */
    private final FrameSink frames;
    /** Writer only: the last frame went to {@code frames} with "more", so it may still be held back. */
    private boolean unflushed;
    /** The writer is inside {@code frames.send}: a container whose non-blocking write still blocks (Liberty) pins it. */
    private volatile boolean inFrameSend;
    private final Sse sse;
    private final Mailbox mailbox;
    private final SlowSubscriberPolicy policy;
    private final Executor writer;
    private final Counters counters;
    private final PreparedEvent heartbeatFrame;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean sinkClosed = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private final Runnable untrack;
    /** Guards the markers' counts and their list; a leaf lock, see "The loss signal". */
    private final Object lossLock = new Object();
    /** The marker later drops join (no event queued after it yet, not taken). Set under lossLock. */
    private final AtomicReference<Loss> openLoss = new AtomicReference<>();
    /** Markers queued and not taken yet, oldest first (guarded by lossLock). */
    private Loss oldestLoss;
    private Loss newestLoss;
    /** On a full queue end the stream instead of dropping (replay topics: see {@link #resumeOnOverflow()}). */
    private volatile boolean resumeOnOverflow;
    private final CloseNotice<Subscriber> notice;
    private volatile DisconnectReason reason;
    /** Heartbeat frames still to write: 2 per heartbeat, see {@link #heartbeat()}. */
    private volatile int heartbeatFramesDue;
    private volatile long sendStartedNanos;

    Subscriber(SseEventSink sink, Sse sse, Mailbox mailbox, SlowSubscriberPolicy policy, Executor writer,
            Executor callbacks, Counters counters, PreparedEvent heartbeatFrame, Runnable untrack,
            BiConsumer<? super Subscriber, DisconnectReason> onClosed) {
        this.sink = sink;
        this.frames = sink instanceof FrameSink ? (FrameSink) sink : null;
        this.sse = sse;
        this.mailbox = mailbox;
        this.policy = policy;
        this.writer = writer;
        this.untrack = untrack;
        this.counters = counters;
        this.heartbeatFrame = heartbeatFrame;
        this.notice = new CloseNotice<>(this, onClosed, callbacks);
    }

    /**
     * Enqueues an event without blocking. When the mailbox is full the slow-subscriber policy
     * applies. Returns {@code false} when the subscriber is no longer open.
     */
    @Override
    public boolean offer(PreparedEvent event) {
        if (state.get() != OPEN) {
            return false;
        }
        if (mailbox.offer(event)) {
            Loss open = openLoss.get();
            if (open != null) {
                openLoss.compareAndSet(open, null); // drops after this event are a gap after it
            }
        } else {
            counters.slowAction(policy);
            switch (policy) {
                case DROP:
                    counters.dropped();
                    if (resumeOnOverflow) {
                        // A replay topic: end the stream after what is queued; the browser resumes
                        // with Last-Event-ID and the ring serves the rest (or says what it cannot).
                        closeAfterDrain(DisconnectReason.SLOW);
                        return false;
                    }
                    lose();
                    break;
                case REMOVE:
                    counters.dropped();
                    closeAfterDrain(DisconnectReason.SLOW);
                    return false;
                case CLOSE:
                default:
                    counters.dropped();
                    close(DisconnectReason.SLOW);
                    return false;
            }
        }
        scheduleDrain();
        return true;
    }

    /** Events dropped at one place of the stream: one {@code missed} signal. Fields guarded by lossLock. */
    private static final class Loss {
        long count = 1;
        /** The marker queued after this one. */
        Loss next;
    }

    /** Counts a dropped event in the open marker, or queues a new one: see "The loss signal". */
    private void lose() {
        synchronized (lossLock) {
            Loss open = openLoss.get();
            if (open != null) {
                open.count++;
                return;
            }
            Loss gap = new Loss();
            openLoss.set(gap); // open before queued: an offer queueing its event meanwhile closes it
            if (newestLoss == null) {
                oldestLoss = gap;
            } else {
                newestLoss.next = gap;
            }
            newestLoss = gap;
            mailbox.offerBeyondBound(LOSS_MARKER); // the gap's place in the stream
        }
    }

    /** Writer: the count of the oldest queued marker (the one just polled), which no later drop joins. */
    private long takeLoss() {
        synchronized (lossLock) {
            Loss gap = oldestLoss;
            if (gap == null) {
                return 0;
            }
            oldestLoss = gap.next;
            if (oldestLoss == null) {
                newestLoss = null;
            }
            openLoss.compareAndSet(gap, null);
            return gap.count;
        }
    }

    /**
     * For a replay topic under the {@code DROP} policy: a full queue ends the stream (after what is
     * queued) instead of dropping, so the client's reconnect with {@code Last-Event-ID} recovers the
     * events from the ring. Called by the owner before the subscriber joins.
     */
    @Override
    public void resumeOnOverflow() {
        resumeOnOverflow = true;
    }

    /**
     * Enqueues the frames that must precede the live tail (connect frame, replay, loss signal)
     * regardless of the queue bound. Called before any live event can reach this subscriber.
     */
    @Override
    public void offerFirst(Iterable<PreparedEvent> frames) {
        if (state.get() != OPEN) {
            return;
        }
        for (PreparedEvent e : frames) {
            mailbox.offerBeyondBound(e);
        }
        scheduleDrain();
    }

    /**
     * Asks for one heartbeat, written when nothing else is waiting, as two tiny comment frames sent
     * back to back: a client that vanished with a FIN is only found on the second write after it
     * (the first one provokes the peer's reset), so a single frame per interval would take two
     * intervals to notice it. Measured in {@code KilledClientsTest}.
     */
    public void heartbeat() {
        if (state.get() == OPEN) {
            heartbeatFramesDue = 2;
            scheduleDrain();
        }
    }

    /** How many events wait in its queue now (read by the heartbeat tick). */
    int queueDepth() {
        return mailbox.depth();
    }

    /**
     * Whether a write in flight holds a writer thread: always for the container's sinks (their
     * {@code send} blocks on a stalled client); for the library's servlet transport only while the
     * writer is still inside its {@code send} (Payara returns a pending write at once; Open Liberty's
     * non-blocking write can block in its own buffers), so the pool grows for it as for any pinned writer.
     */
    public boolean pinsWriter() {
        return frames == null || inFrameSend;
    }

    /** {@code System.nanoTime()} when the current send started, or 0 when no send is in flight. */
    @Override
    public long sendInFlightSince() {
        return sendStartedNanos;
    }

    /** Evicts a subscriber whose write is stuck: closes it and counts it. */
    public void evict() {
        if (close(DisconnectReason.EVICTED)) {
            counters.evicted();
        }
    }

    /**
     * Sends what is queued, then closes the stream. For {@link DisconnectReason#SLOW} (the
     * {@code REMOVE} policy) the listener is told at once, so the subscriber leaves its topic
     * immediately while its writer still delivers what was queued.
     */
    @Override
    public void closeAfterDrain(DisconnectReason why) {
        if (state.compareAndSet(OPEN, CLOSING)) {
            reason = why;
            if (why == DisconnectReason.SLOW) {
                notifyClosed(why);
            }
            scheduleDrain();
        }
    }

    /**
     * Ends the stream with {@code last} after what is queued (a token expired): the frame goes beyond
     * the bound, then the ordinary {@link #closeAfterDrain}. Only enqueues: safe on the scheduler.
     * Does nothing once the stream is closing.
     */
    public void endWith(PreparedEvent last, DisconnectReason why) {
        if (state.get() != OPEN) {
            return;
        }
        if (last != null) {
            mailbox.offerLast(last);
        }
        closeAfterDrain(why);
    }

    /**
     * Closes now: discards the queue, tells the listener, and has the writer close the sink.
     * Returns {@code false} when it was already closed.
     */
    @Override
    public boolean close(DisconnectReason why) {
        while (true) {
            int s = state.get();
            if (s == CLOSED) {
                return false;
            }
            if (state.compareAndSet(s, CLOSED)) {
                reason = why;
                mailbox.clear();
                notifyClosed(why);
                scheduleDrain();
                if (frames != null) {
                    frames.abort(); // a pending non-blocking write holds no thread that would close the sink
                }
                return true;
            }
        }
    }

    /** Why it closed, or {@code null} while open. */
    @Override
    public DisconnectReason reason() {
        return state.get() == CLOSED ? reason : null;
    }

    // ---- SseEventSink, as seen by a JAX-RS SseBroadcaster ----

    @Override
    public boolean isClosed() {
        return state.get() != OPEN;
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        if (state.get() != OPEN) {
            throw new IllegalStateException("SSE subscriber is closed");
        }
        if (event instanceof PreparedEvent) {
            offer((PreparedEvent) event);
        } else {
            throw new IllegalArgumentException("only library events are accepted: " + event);
        }
        return DONE;
    }

    /** Called by a broadcaster that is closing: the topic is gone, end the stream. */
    @Override
    public void close() {
        closeAfterDrain(DisconnectReason.SHUTDOWN);
    }

    // ---- the single writer ----

    /** Makes sure the writer runs (a connection's members enqueue themselves, then call this). */
    public void scheduleDrain() {
        if (draining.compareAndSet(false, true)) {
            try {
                writer.execute(drainTask);
            } catch (RejectedExecutionException e) {
                // The container's executor is shutting down: nothing can write any more. We own the
                // sink (the draining flag), so close it here.
                close(DisconnectReason.SHUTDOWN);
                closeSinkQuietly();
                draining.set(false);
            }
        }
    }

    private void drain() {
        while (true) {
            if (state.get() == CLOSED) {
                closeSinkQuietly();
                draining.set(false);
                return;
            }
            PreparedEvent next;
            try {
                next = mailbox.poll();
            } catch (RuntimeException e) {
                // A library defect in preparing a frame: end the stream (the client reconnects) rather
                // than leave the writer dead with the stream open and silent.
                LOG.log(Level.WARNING, "an SSE frame could not be prepared; the stream is closed", e);
                close(DisconnectReason.SHUTDOWN);
                continue;
            }
            if (next == null && heartbeatFramesDue > 0) {
                heartbeatFramesDue--;
                next = heartbeatFrame;
            }
            if (next == null && unflushed) {
                next = FLUSH;
            }
            if (next == null) {
                if (state.get() == CLOSING) {
                    if (state.compareAndSet(CLOSING, CLOSED)) {
                        notifyClosed(reason);
                    }
                    continue;
                }
                draining.set(false);
                // Re-check after releasing ownership so a concurrent offer is never stranded.
                if ((mailbox.isEmpty() && heartbeatFramesDue == 0 && state.get() == OPEN) || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            if (next == LOSS_MARKER) {
                long n = takeLoss();
                if (n == 0) {
                    continue; // no marker recorded: cannot happen, markers and counts are queued together
                }
                next = ControlFrames.overflow(n);
            }
            if (!write(next)) {
                return; // an asynchronous send is pending; its completion resumes draining
            }
        }
    }

    /** Writes one frame; {@code false} when the container's stage is still pending. */
    private boolean write(PreparedEvent frame) {
        sendStartedNanos = System.nanoTime();
        CompletionStage<?> stage;
        try {
            // No Sse: a WebSocket connection, whose sink takes the library's frames as they are.
            if (frames != null) {
                unflushed = !mailbox.isEmpty(); // more queued: the transport may write them with one flush
                inFrameSend = true;
                try {
                    stage = frames.send(frame, unflushed);
                } finally {
                    inFrameSend = false;
                }
            } else {
                stage = sink.send(sse == null ? frame : frame.nativeEvent(sse));
            }
        } catch (RuntimeException e) {
            sendStartedNanos = 0;
            failed(e);
            return true;
        }
        CompletableFuture<?> f;
        try {
            f = stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            f = null;
        }
        if (f != null && f.isDone()) {
            sendStartedNanos = 0;
            try {
                f.join();
                written(frame);
            } catch (RuntimeException e) {
                failed(e);
            }
            return true;
        }
        stage.whenComplete((ok, error) -> {
            sendStartedNanos = 0;
            if (error != null) {
                failed(error);
            } else {
                written(frame);
            }
            try {
                writer.execute(drainTask);
            } catch (RejectedExecutionException e) {
                draining.set(false);
                close(DisconnectReason.SHUTDOWN);
                closeSinkQuietly();
            }
        });
        return false;
    }

    private void written(PreparedEvent frame) {
        if (!frame.isControl()) {
            counters.delivered();
        }
    }

    private void failed(Throwable error) {
        if (LOG.isLoggable(Level.FINE)) {
            LOG.log(Level.FINE, "SSE write failed; subscriber removed", error);
        }
        close(DisconnectReason.CLIENT_GONE);
    }

    private void closeSinkQuietly() {
        if (sinkClosed.compareAndSet(false, true)) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "closing an SSE sink failed", e);
            }
        }
    }

    /**
     * Lets the close listener run: called by the owner once the subscriber is registered, with no
     * lock held. If it already closed, the listener is dispatched now.
     */
    @Override
    public void arm() {
        notice.arm();
    }

    private void notifyClosed(DisconnectReason why) {
        notice.closed(why, untrack); // untrack: lock-free bookkeeping, safe on any thread
    }
}
