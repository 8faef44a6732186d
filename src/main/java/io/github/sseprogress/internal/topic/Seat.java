package io.github.sseprogress.internal.topic;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.delivery.Subscriber;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * What a topic's {@link SseBroadcaster} holds for one subscriber: a few bytes that point at the
 * {@link Subscriber} until it leaves. JAX-RS has no {@code unregister}, and a broadcaster drops a sink
 * only when a broadcast reaches it and {@code send} throws; so when the subscriber leaves the link is
 * cut at once (the subscriber, the container's sink and its request context become garbage), and the
 * next sweep broadcast makes the broadcaster drop the empty seat ({@link IllegalStateException}, which
 * Jersey and RESTEasy both treat as a closed sink).
 */
final class Seat implements SseEventSink {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final Topic topic;
    private volatile Outlet subscriber;
    private volatile boolean dropped;
    /**
     * Clustered topics: live events up to this seq are skipped (the subscriber got them on joining);
     * {@link #PENDING} until the engine answered the join. Written and read on the engine's delivery
     * thread only (set to PENDING before the seat is published).
     */
    volatile long floor;

    /** Floor of a seat whose join the cluster engine has not answered yet: nothing live reaches it. */
    static final long PENDING = Long.MAX_VALUE;

    Seat(Topic topic, Outlet subscriber) {
        this.topic = topic;
        this.subscriber = subscriber;
    }

    /** The subscriber, or null once it left. */
    Outlet subscriber() {
        return subscriber;
    }

    /** A seat no broadcaster holds (the topic had no broadcaster yet): never counted as dropped. */
    void unregistered() {
        dropped = true;
    }

    /** Cuts the link: the broadcaster keeps only this empty seat until the next sweep. */
    void vacate() {
        subscriber = null;
    }

    @Override
    public boolean isClosed() {
        Outlet s = subscriber;
        return s == null || s.isClosed();
    }

    /** A sweep: nothing to write for a present subscriber; an empty seat asks to be dropped. */
    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        if (subscriber == null) {
            if (dropped) {
                topic.seatCalledAfterDrop();
            } else {
                dropped = true;
                topic.seatDropped();
            }
            throw new IllegalStateException("the subscriber left the topic");
        }
        return DONE;
    }

    /** The broadcaster is closing (the topic is removed): the stream ends after what is queued. */
    @Override
    public void close() {
        Outlet s = subscriber;
        if (s != null) {
            s.closeAfterDrain(DisconnectReason.SHUTDOWN);
        }
    }
}
