package io.github.sseprogress.delivery;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

/** A sink whose writes block until {@link #release()}, like a client that stopped reading. */
public final class StalledSink implements SseEventSink {

    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean gone;
    private volatile boolean closed;

    public void release() {
        released.countDown();
    }

    /** Every later send fails, as after the client left. */
    public void gone() {
        gone = true;
        released.countDown();
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        try {
            released.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return gone ? CompletableFuture.failedFuture(new IOException("Broken pipe"))
                : CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        closed = true;
    }
}
