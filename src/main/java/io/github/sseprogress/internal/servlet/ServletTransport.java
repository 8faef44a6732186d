package io.github.sseprogress.internal.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.internal.delivery.FrameSink;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * An event stream written with Servlet non-blocking I/O ({@link WriteListener}): no thread of the library
 * waits for a client that stops reading (Open Liberty 26.0.0.3 is the exception: its non-blocking
 * {@code write} flushes full buffers synchronously, so there the writer waits until the eviction). The library's single writer hands it prepared frames; their bytes (built
 * once per event, shared by every subscriber) are gathered while more frames are queued, up to
 * {@link #BATCH_BYTES}, then written and flushed at once.
 *
 * <h2>States</h2>
 * NEW → OPEN ({@link #open(Sse)}: {@code startAsync}, no container timeout, 200 and the event-stream
 * headers committed) → CLOSED ({@link #close()}: the async context completes). GONE (the container
 * reported an error or completion) fails the pending write and every later send.
 *
 * <h2>Threads</h2>
 * {@link #send} comes from the subscriber's one writer and never while its previous stage is pending;
 * {@link #onWritePossible()} from a container thread (possibly inside our own {@code isReady()} call, on
 * Grizzly). Both run {@link #pump()}, a work loop entered by one thread at a time ({@code wip}); a
 * call that finds it busy only asks the running one to go round again. A write stage completes once the
 * container took the bytes and {@code isReady()} says it can take more, so the container holds at most
 * what {@code isReady()} allows plus one batch. {@link #abort()} and {@link #close()} may come from any
 * thread and never block. No lock is held anywhere; completing a stage runs the subscriber's
 * continuation, which only schedules its writer.
 */
public final class ServletTransport implements SseEventSink, FrameSink, WriteListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(ServletTransport.class.getName());
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
    /** A run of queued frames is written with one flush up to this many bytes. */
    static final int BATCH_BYTES = 32 * 1024;

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    /** Writer only: frames kept back while more are queued. */
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream(1024);
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile AsyncContext async;
    private volatile ServletOutputStream out;
    /** Bytes handed over by the writer, not yet given to the container; null when none. */
    private volatile byte[] data;
    private volatile boolean flushDue;
    /** The writer's pending stage, or null. */
    private volatile CompletableFuture<Void> stage;
    private volatile boolean closed;
    private volatile Throwable gone;

    public ServletTransport(HttpServletRequest request, HttpServletResponse response) {
        if (request == null || response == null) {
            throw new IllegalArgumentException("the servlet request and response are required");
        }
        this.request = request;
        this.response = response;
    }

    @Override
    public void open(Sse sse) {
        if (async != null) {
            throw new IllegalStateException("this servlet event stream is already open");
        }
        if (response.isCommitted()) {
            throw new IllegalStateException("the response is already committed: the event stream cannot start");
        }
        RestEasy.handOver(sse); // RESTEasy would answer 204 over the stream when the method returns
        AsyncContext a = request.isAsyncStarted() ? request.getAsyncContext() : request.startAsync(request, response);
        a.setTimeout(0);
        a.addListener(this);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        if (response.getHeader("Cache-Control") == null) {
            response.setHeader("Cache-Control", "no-cache");
        }
        response.setHeader("X-Accel-Buffering", "no");
        try {
            ServletOutputStream o = response.getOutputStream();
            // Commit now, on the request thread, before the resource method returns: the JAX-RS runtime
            // then cannot answer 204 over the stream. A fresh connection takes the headers at once.
            response.flushBuffer();
            async = a;
            out = o;
            o.setWriteListener(this);
        } catch (IOException e) {
            gone = e;
            async = a;
            throw new IllegalStateException("the client went away before the event stream started", e);
        }
    }

    @Override
    public CompletionStage<?> send(PreparedEvent frame, boolean more) {
        if (closed || gone != null) {
            throw new IllegalStateException("servlet event stream closed");
        }
        byte[] bytes = frame.wireBytes();
        batch.write(bytes, 0, bytes.length);
        if (more && batch.size() < BATCH_BYTES) {
            return DONE;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        data = batch.size() == 0 ? null : batch.toByteArray();
        batch.reset();
        flushDue = true;
        stage = f;
        pump();
        return f;
    }

    /** The work loop: gives pending bytes to the container, flushes, completes the stage; one thread at a time. */
    private void pump() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            step();
        } while (wip.decrementAndGet() != 0);
    }

    private void step() {
        CompletableFuture<Void> f = stage;
        if (f == null) {
            return;
        }
        Throwable error = gone;
        if (closed || error != null) {
            stage = null;
            f.completeExceptionally(error != null ? error : new IllegalStateException("servlet event stream closed"));
            return;
        }
        ServletOutputStream o = out;
        try {
            byte[] d = data;
            if (d != null) {
                if (!o.isReady()) {
                    return; // onWritePossible resumes
                }
                data = null;
                o.write(d);
            }
            if (flushDue) {
                if (!o.isReady()) {
                    return;
                }
                flushDue = false;
                o.flush();
            }
            if (!o.isReady()) {
                return; // the container still holds bytes: the stage completes when it can take more
            }
        } catch (IOException | RuntimeException e) {
            gone = e;
            stage = null;
            f.completeExceptionally(e);
            return;
        }
        stage = null;
        f.complete(null);
    }

    @Override
    public void onWritePossible() {
        pump();
    }

    @Override
    public void onError(Throwable t) {
        clientGone(t);
    }

    @Override
    public void abort() {
        closed = true;
        pump();
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        if (event instanceof PreparedEvent) {
            return send((PreparedEvent) event, false);
        }
        throw new IllegalArgumentException("only library events are accepted: " + event);
    }

    @Override
    public boolean isClosed() {
        return closed || gone != null;
    }

    /** Ends the stream: fails a pending write and completes the async context. Once; never blocks, never throws. */
    @Override
    public void close() {
        closed = true;
        pump();
        AsyncContext a = async;
        if (a != null && completed.compareAndSet(false, true)) {
            try {
                a.complete();
            } catch (RuntimeException e) {
                // already completed by the container (the client went away first): nothing to report
                LOG.log(Level.FINE, "completing a servlet event stream", e);
            }
        }
    }

    // ---- AsyncListener: the container ends the request (client gone, server stopping) ----

    @Override
    public void onComplete(AsyncEvent event) {
        completed.set(true);
        clientGone(new IOException("servlet event stream completed"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone(new IOException("servlet event stream timed out"));
    }

    @Override
    public void onError(AsyncEvent event) {
        clientGone(event.getThrowable() != null ? event.getThrowable() : new IOException("servlet event stream failed"));
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not re-started
    }

    private void clientGone(Throwable t) {
        if (gone == null) {
            gone = t;
        }
        if (LOG.isLoggable(Level.FINE)) {
            LOG.log(Level.FINE, "servlet event stream ended by the container", t);
        }
        pump();
    }
}
