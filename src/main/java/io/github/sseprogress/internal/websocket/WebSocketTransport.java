package io.github.sseprogress.internal.websocket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The library's single writer of one multiplexed connection writes through this adapter to a
 * WebSocket session (docs/STREAMS.md, WebSocket). Frames are the library's own prepared events:
 * <ul>
 * <li>a comment (heartbeat, and the opening frame when {@code sse.retry} is unset) → a WebSocket ping;</li>
 * <li>no or empty data (the SSE {@code retry:} opening frame) → nothing;</li>
 * <li>otherwise the data is the complete JSON text message, already formatted by the core.</li>
 * </ul>
 *
 * <p>Sends are blocking basic-remote sends, as the SSE sinks of both servers are: the call returns a
 * completed stage once the container took the message, or throws {@link UncheckedIOException} when
 * it failed (the core then treats the client as gone) and {@link IllegalStateException} once closed.
 * A client that stops reading blocks the send; the core's watchdog evicts it after
 * {@code sse.write-timeout} and calls {@link #close()} from another thread.
 *
 * <p>Threads: the core calls {@link #send} from one writer at a time (the endpoint's {@code error}
 * answers go through that writer too), which is what a WebSocket remote endpoint needs: one message at
 * a time. {@link #close()} comes from another thread (the watchdog's eviction, shutdown) and never
 * waits for a send in flight.
 */
final class WebSocketTransport implements SseEventSink {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    /** 4000: the client fell behind (docs/STREAMS.md). */
    static final int FELL_BEHIND = 4000;
    /** 4001: a write stalled for {@code sse.write-timeout}. */
    static final int EVICTED = 4001;
    /** 4002: the time an observer set with {@code SubscriberConnecting#expiresAt} came: reconnect to be authorised again. */
    static final int EXPIRED = 4002;

    private final Session session;
    private final RemoteEndpoint.Basic remote;
    /** Why the connection closed, read when the core closes this transport; set once the connection exists. */
    private volatile Supplier<DisconnectReason> reason = () -> null;
    private volatile boolean closed;

    WebSocketTransport(Session session) {
        this.session = session;
        this.remote = session.getBasicRemote();
    }

    /** Where {@link #close()} reads why the connection ended (the connection's {@code reason()}). */
    void reasonFrom(Supplier<DisconnectReason> reason) {
        this.reason = reason;
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        if (closed) {
            throw new IllegalStateException("WebSocket connection closed");
        }
        Object data = event.getData();
        try {
            if (event.getComment() != null) {
                remote.sendPing(EMPTY.duplicate());
            } else if (data != null && !data.toString().isEmpty()) {
                remote.sendText(data.toString());
            } // else the SSE opening (retry) frame: nothing on a WebSocket
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return DONE;
    }

    @Override
    public boolean isClosed() {
        return closed || !session.isOpen();
    }

    /**
     * Closes the WebSocket with the code for why the connection ended: {@code SHUTDOWN} → 1001,
     * {@code SLOW} → 4000, {@code EVICTED} → 4001, {@code CLIENT_GONE} → a plain close (the client is
     * gone: nothing to tell it), anything else 1000. Once; never throws.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DisconnectReason why = reason.get();
        try {
            if (!session.isOpen()) {
                return;
            }
            if (why == DisconnectReason.CLIENT_GONE) {
                session.close();
            } else {
                session.close(closeReason(why));
            }
        } catch (IOException | RuntimeException e) {
            // the client went away first: nothing to report
            LOG.log(Level.FINE, "closing a WebSocket connection that was already failing", e);
        }
    }

    static CloseReason closeReason(DisconnectReason why) {
        if (why == null) {
            return new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "");
        }
        switch (why) {
            case SHUTDOWN:
                return new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server stopping");
            case SLOW:
                return new CloseReason(CloseReason.CloseCodes.getCloseCode(FELL_BEHIND),
                        "fell behind: reconnect and subscribe with last");
            case EVICTED:
                return new CloseReason(CloseReason.CloseCodes.getCloseCode(EVICTED), "evicted: a write stalled");
            case EXPIRED:
                return new CloseReason(CloseReason.CloseCodes.getCloseCode(EXPIRED), "token expired: reconnect");
            default:
                return new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "");
        }
    }
}
