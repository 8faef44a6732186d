package io.github.sseprogress.topic;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * An in-memory {@link SseEventSink} that records data frames, fails every send once {@link #gone()}
 * was called (like a container after the client left), and detects two threads writing at once.
 */
public final class RecordingSink implements SseEventSink {

    public final List<String> data = new CopyOnWriteArrayList<>();
    private final AtomicInteger writers = new AtomicInteger();
    public volatile boolean concurrentWrite;
    private volatile boolean gone;
    private volatile boolean closed;

    public void gone() {
        gone = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        if (writers.incrementAndGet() > 1) {
            concurrentWrite = true;
        }
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (gone) {
                return CompletableFuture.failedFuture(new IOException("Broken pipe"));
            }
            if (event.getData() != null) {
                data.add((String) event.getData());
            }
            return CompletableFuture.completedFuture(null);
        } finally {
            writers.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
