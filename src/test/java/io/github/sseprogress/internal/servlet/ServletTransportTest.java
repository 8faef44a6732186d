package io.github.sseprogress.internal.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The servlet transport's state machine against a fake non-blocking output stream whose
 * {@code isReady()} the test controls: what is written and flushed, when a write stage completes, and
 * how a close from another thread or a container error ends a pending write.
 */
class ServletTransportTest {

    /** A non-blocking output: {@code ready} is what isReady() answers; {@code fillAfterWrite} turns it false after a write. */
    static class FakeOutput extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        volatile boolean ready = true;
        volatile boolean fillAfterWrite;
        /** Grizzly-like: a false isReady() that becomes writable at once calls onWritePossible inside isReady(). */
        volatile boolean callbackInsideIsReady;
        int writes;
        int flushes;
        WriteListener listener;

        @Override
        public boolean isReady() {
            if (!ready && callbackInsideIsReady) {
                ready = true;
                try {
                    listener.onWritePossible();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return false;
            }
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener l) {
            listener = l;
        }

        @Override
        public void write(int b) {
            throw new AssertionError("single-byte writes are not expected");
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (!ready) {
                throw new IllegalStateException("write while not ready");
            }
            written.write(b, off, len);
            writes++;
            if (fillAfterWrite) {
                ready = false;
            }
        }

        @Override
        public void flush() {
            if (!ready) {
                throw new IllegalStateException("flush while not ready");
            }
            flushes++;
        }

        String text() {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    private final HttpServletRequest request = mock(HttpServletRequest.class);
    private final HttpServletResponse response = mock(HttpServletResponse.class);
    private final AsyncContext async = mock(AsyncContext.class);
    private final FakeOutput out = new FakeOutput();

    private ServletTransport opened() throws IOException {
        when(request.startAsync(any(), any())).thenReturn(async);
        when(response.getOutputStream()).thenReturn(out);
        ServletTransport t = new ServletTransport(request, response);
        t.open(null);
        return t;
    }

    private static PreparedEvent event(String id, String data) {
        return PreparedEvent.frame(1, id, null, data, false);
    }

    @Test
    void openStartsAsyncWithoutTimeoutAndCommitsTheEventStreamHeaders() throws IOException {
        ServletTransport t = opened();
        verify(async).setTimeout(0);
        verify(async).addListener(t);
        verify(response).setStatus(200);
        verify(response).setContentType("text/event-stream");
        verify(response).setHeader("Cache-Control", "no-cache");
        verify(response).setHeader("X-Accel-Buffering", "no");
        verify(response).flushBuffer();
        assertThat(out.listener).isSameAs(t);
        assertThatThrownBy(() -> t.open(null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCommittedResponseCannotStartAStream() {
        when(response.isCommitted()).thenReturn(true);
        assertThatThrownBy(() -> new ServletTransport(request, response).open(null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
    }

    @Test
    void nullArgumentsAreRefused() {
        assertThatThrownBy(() -> new ServletTransport(null, response)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ServletTransport(request, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReadyStreamTakesTheFrameAndTheStageCompletesAtOnce() throws IOException {
        ServletTransport t = opened();
        CompletionStage<?> s = t.send(event("7", "a\nb"), false);
        assertThat(s.toCompletableFuture()).isCompleted();
        assertThat(out.text()).isEqualTo("id: 7\ndata: a\ndata: b\n\n");
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void framesWithMoreQueuedGoOutInOneWriteAndOneFlush() throws IOException {
        ServletTransport t = opened();
        assertThat(t.send(event("1", "a"), true).toCompletableFuture()).isCompleted();
        assertThat(t.send(event("2", "b"), true).toCompletableFuture()).isCompleted();
        assertThat(out.writes).isZero();
        assertThat(t.send(event("3", "c"), false).toCompletableFuture()).isCompleted();
        assertThat(out.writes).isEqualTo(1);
        assertThat(out.flushes).isEqualTo(1);
        assertThat(out.text()).isEqualTo("id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n");
    }

    @Test
    void aBatchIsWrittenOnceItReachesTheBatchSizeEvenWithMoreQueued() throws IOException {
        ServletTransport t = opened();
        String big = "x".repeat(ServletTransport.BATCH_BYTES / 4);
        int n = 0;
        while (out.writes == 0) {
            t.send(event(Integer.toString(n++), big), true);
        }
        assertThat(n).isEqualTo(4);
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void notReadyLeavesTheStagePendingUntilOnWritePossible() throws IOException {
        ServletTransport t = opened();
        out.ready = false;
        CompletableFuture<?> s = t.send(event("1", "a"), false).toCompletableFuture();
        assertThat(s).isNotDone();
        assertThat(out.writes).isZero();
        out.ready = true;
        out.listener.onWritePossible();
        assertThat(s).isCompleted();
        assertThat(out.text()).isEqualTo("id: 1\ndata: a\n\n");
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void aContainerThatStillHoldsBytesKeepsTheStagePendingUntilItCanTakeMore() throws IOException {
        ServletTransport t = opened();
        out.fillAfterWrite = true;
        CompletableFuture<?> s = t.send(event("1", "a"), false).toCompletableFuture();
        assertThat(s).isNotDone();
        assertThat(out.writes).isEqualTo(1);
        assertThat(out.flushes).isZero();
        out.fillAfterWrite = false;
        out.ready = true;
        out.listener.onWritePossible();
        assertThat(out.flushes).isEqualTo(1);
        assertThat(s).isCompleted();
    }

    @Test
    void onWritePossibleInsideIsReadyIsHandledOnceWithoutRecursion() throws IOException {
        ServletTransport t = opened();
        out.ready = false;
        out.callbackInsideIsReady = true;
        CompletableFuture<?> s = t.send(event("1", "a"), false).toCompletableFuture();
        assertThat(s).isCompleted();
        assertThat(out.writes).isEqualTo(1);
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void anAbortFromAnotherThreadFailsThePendingWriteAndCloseCompletesTheRequestOnce() throws Exception {
        ServletTransport t = opened();
        out.ready = false;
        CompletableFuture<?> s = t.send(event("1", "a"), false).toCompletableFuture();
        CompletableFuture<Void> other = CompletableFuture.runAsync(t::abort);
        other.get(5, TimeUnit.SECONDS);
        assertThat(s).isCompletedExceptionally();
        assertThat(t.isClosed()).isTrue();
        t.close();
        t.close();
        verify(async, times(1)).complete();
        assertThatThrownBy(() -> t.send(event("2", "b"), false)).isInstanceOf(IllegalStateException.class);
        out.ready = true;
        out.listener.onWritePossible(); // late: nothing to write
        assertThat(out.writes).isZero();
    }

    @Test
    void aContainerErrorFailsThePendingWriteAndEveryLaterSend() throws IOException {
        ServletTransport t = opened();
        out.ready = false;
        CompletableFuture<?> s = t.send(event("1", "a"), false).toCompletableFuture();
        t.onError(new IOException("connection reset"));
        assertThat(s).isCompletedExceptionally();
        assertThat(t.isClosed()).isTrue();
        assertThatThrownBy(() -> t.send(event("2", "b"), false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theRequestCompletedByTheContainerEndsTheStreamAndCloseDoesNotCompleteItAgain() throws IOException {
        ServletTransport t = opened();
        t.onComplete(new AsyncEvent(async));
        assertThat(t.isClosed()).isTrue();
        t.close();
        verify(async, times(0)).complete();
    }

    @Test
    void aWriteFailureFailsTheStage() throws IOException {
        ServletOutputStream broken = new FakeOutput() {
            @Override
            public void write(byte[] b, int off, int len) {
                throw new IllegalStateException("broken pipe");
            }
        };
        when(request.startAsync(any(), any())).thenReturn(async);
        when(response.getOutputStream()).thenReturn(broken);
        ServletTransport t = new ServletTransport(request, response);
        t.open(null);
        assertThat(t.send(event("1", "a"), false).toCompletableFuture()).isCompletedExceptionally();
        assertThat(t.isClosed()).isTrue();
    }

    @Test
    void wireBytesFollowTheEventStreamFormat() {
        assertThat(text(event("1", "one"))).isEqualTo("id: 1\ndata: one\n\n");
        assertThat(text(event(null, "\na\n\nb\n"))).isEqualTo("data: \ndata: a\ndata: \ndata: b\ndata: \n\n");
        assertThat(text(PreparedEvent.frame(0, "k~1", "end", "{}", true))).isEqualTo("event: end\nid: k~1\ndata: {}\n\n");
        assertThat(text(PreparedEvent.comment(""))).isEqualTo(":\n\n");
        assertThat(text(ControlFrames.retry(Duration.ofMillis(1500)))).isEqualTo("retry: 1500\n\n");
        assertThat(text(ControlFrames.missed("gap", null))).isEqualTo("event: missed\nid: \ndata: {\"reason\":\"gap\"}\n\n");
        assertThat(text(PreparedEvent.comment(null))).isEmpty();
        PreparedEvent e = event("2", "ü");
        assertThat(e.wireBytes()).isSameAs(e.wireBytes()).hasSize("id: 2\ndata: ü\n\n".getBytes(StandardCharsets.UTF_8).length);
    }

    private static String text(PreparedEvent e) {
        return new String(e.wireBytes(), StandardCharsets.UTF_8);
    }
}
