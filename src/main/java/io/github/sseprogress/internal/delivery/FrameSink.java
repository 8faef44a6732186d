package io.github.sseprogress.internal.delivery;

import java.util.concurrent.CompletionStage;

import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.Sse;

/**
 * A transport of the library's own that takes prepared frames as they are (their
 * {@linkplain PreparedEvent#wireBytes() bytes}) instead of the container's {@code SseEventSink}: the
 * servlet transport. A {@link Subscriber} on such a sink tells it whether more frames are queued, so it
 * can write a run of frames with one flush, and aborts a pending write when it closes, since a
 * non-blocking write pins no thread that could close the sink later.
 *
 * <p>Threads: {@link #open(Sse)} on the request thread, once, when the library opens the stream (refusals
 * such as 404 or 429 come before it); {@link #send} from the subscriber's single writer, never while a
 * stage it returned is pending; {@link #abort()} from any thread (watchdog, publisher, shutdown), and it
 * never blocks.
 */
public interface FrameSink {

    /**
     * Starts the stream: asynchronous mode, 200 and the event-stream headers, committed.
     *
     * @param sse the JAX-RS runtime's {@code Sse} of the request (tells which runtime it is), or null
     */
    void open(Sse sse);

    /**
     * Writes {@code frame}; with {@code more} it may keep the bytes to write with what follows. The
     * stage completes once the container took the bytes and can take more, or fails when the client
     * is gone.
     *
     * @throws IllegalStateException once closed
     */
    CompletionStage<?> send(PreparedEvent frame, boolean more);

    /** The stream is over: fails a pending write now, so the writer can close the sink. */
    void abort();
}
