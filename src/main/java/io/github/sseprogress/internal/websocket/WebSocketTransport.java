package io.github.sseprogress.internal.websocket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Threads: the core calls {@link #send} from one writer at a time; the endpoint calls
 * {@link #sendDirect} for its {@code error} answers on the container's read thread. Both take
 * {@link #writeLock}, because a WebSocket remote endpoint takes one message at a time. An
 * {@code error} answer that finds the writer blocked on a stalled client therefore waits for it: that
 * is the client's own read thread held by the client's own unread data, bounded by the server's write
 * timeout. {@link #close()} never takes the lock, so eviction is not held up by the blocked write.
 * Nothing but container calls runs under the lock.
 */
final class WebSocketTransport implements SseEventSink {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    /** 4000: the client fell behind (docs/STREAMS.md). */
    static final int FELL_BEHIND = 4000;
    /** 4001: a write stalled for {@code sse.write-timeout}. */
    static final int EVICTED = 4001;

    private final Session session;
    private final RemoteEndpoint.Basic remote;
    private final ReentrantLock writeLock = new ReentrantLock();
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
        if (event.getComment() != null) {
            writeLock.lock();
            try {
                remote.sendPing(EMPTY.duplicate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writeLock.unlock();
            }
            return DONE;
        }
        Object data = event.getData();
        if (data == null || data.toString().isEmpty()) {
            return DONE; // the SSE opening (retry) frame: nothing on a WebSocket
        }
        sendDirect(data.toString());
        return DONE;
    }

    /** Sends one text message now (the core's frames and the endpoint's {@code error} answers). */
    void sendDirect(String text) {
        writeLock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("WebSocket connection closed");
            }
            remote.sendText(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writeLock.unlock();
        }
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
            default:
                return new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "");
        }
    }
}
