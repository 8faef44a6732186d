package io.github.sseprogress.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.ArgumentCaptor;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SseEvent;
import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

/** The adapter between the core's single writer and a WebSocket session (docs/STREAMS.md, WebSocket). */
class WebSocketTransportTest {

    private final Session session = mock(Session.class);
    private final RemoteEndpoint.Basic remote = mock(RemoteEndpoint.Basic.class);

    WebSocketTransportTest() {
        when(session.getBasicRemote()).thenReturn(remote);
        when(session.isOpen()).thenReturn(true);
    }

    @Test
    void aCommentFrameIsAPingTheRetryFrameNothingAndDataTheTextMessage() throws Exception {
        WebSocketTransport t = new WebSocketTransport(session);
        assertThat(t.send(PreparedEvent.comment("")).toCompletableFuture()).isCompleted();
        verify(remote).sendPing(any(ByteBuffer.class));
        assertThat(t.send(ControlFrames.retry(Duration.ofSeconds(1))).toCompletableFuture()).isCompleted();
        String json = "{\"key\":\"job:42\",\"id\":\"k3x9-17\",\"data\":\"{\\\"progress\\\":40}\"}";
        assertThat(t.send(event(json)).toCompletableFuture()).isCompletedWithValue(null);
        verify(remote).sendText(json);
        verify(remote, never()).sendText("");
    }

    @Test
    void aFailedSendThrowsUncheckedSoTheCoreTreatsTheClientAsGone() throws Exception {
        WebSocketTransport t = new WebSocketTransport(session);
        doThrow(new IOException("reset")).when(remote).sendText("{}");
        assertThatThrownBy(() -> t.send(event("{}"))).isInstanceOf(UncheckedIOException.class).hasRootCauseMessage("reset");
        doThrow(new IOException("reset")).when(remote).sendPing(any());
        assertThatThrownBy(() -> t.send(PreparedEvent.comment(""))).isInstanceOf(UncheckedIOException.class);
    }

    @ParameterizedTest
    @CsvSource({"SHUTDOWN,1001", "SLOW,4000", "EVICTED,4001", "EXPIRED,4002", "TERMINAL,1000"})
    void closeSendsTheCodeOfWhyTheConnectionEnded(DisconnectReason why, int code) throws Exception {
        WebSocketTransport t = new WebSocketTransport(session);
        t.reasonFrom(() -> why);
        t.close();
        t.close();
        ArgumentCaptor<CloseReason> reason = ArgumentCaptor.forClass(CloseReason.class);
        verify(session).close(reason.capture()); // once
        assertThat(reason.getValue().getCloseCode().getCode()).isEqualTo(code);
        assertThat(reason.getValue().getReasonPhrase().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(123);
        assertThat(t.isClosed()).isTrue();
        assertThatThrownBy(() -> t.send(event("{}"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aClientThatIsGoneGetsAPlainCloseAndAFailingCloseIsQuiet() throws Exception {
        WebSocketTransport t = new WebSocketTransport(session);
        t.reasonFrom(() -> DisconnectReason.CLIENT_GONE);
        doThrow(new IOException("broken pipe")).when(session).close();
        t.close();
        verify(session).close();
        verify(session, never()).close(any());
    }

    @Test
    void beforeTheConnectionIsKnownCloseIsNormal() throws Exception {
        WebSocketTransport t = new WebSocketTransport(session);
        t.close();
        ArgumentCaptor<CloseReason> reason = ArgumentCaptor.forClass(CloseReason.class);
        verify(session).close(reason.capture());
        assertThat(reason.getValue().getCloseCode()).isEqualTo(CloseReason.CloseCodes.NORMAL_CLOSURE);
    }

    @Test
    void closeDoesNotWaitForASendInFlight() throws Exception {
        CountDownLatch inSend = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        org.mockito.Mockito.doAnswer(inv -> {
            inSend.countDown();
            release.await(10, TimeUnit.SECONDS);
            return null;
        }).when(remote).sendText("slow");
        WebSocketTransport t = new WebSocketTransport(session);
        t.reasonFrom(() -> DisconnectReason.EVICTED);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                t.send(event("slow"));
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        });
        writer.start();
        assertThat(inSend.await(10, TimeUnit.SECONDS)).isTrue();
        t.close(); // the watchdog's eviction, while the write is blocked
        ArgumentCaptor<CloseReason> reason = ArgumentCaptor.forClass(CloseReason.class);
        verify(session).close(reason.capture());
        assertThat(reason.getValue().getCloseCode().getCode()).isEqualTo(4001);
        release.countDown();
        writer.join(10_000);
        assertThat(writerFailure.get()).isNull();
        assertThatThrownBy(() -> t.send(event("after"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nothingIsSentForAFrameOfEmptyData() throws Exception {
        WebSocketTransport t = new WebSocketTransport(session);
        t.send(event(""));
        verify(session, never()).close();
        verifyNoInteractions(remote);
    }

    /** A frame as the core formats it for a WebSocket connection: the data is the whole JSON message. */
    private static PreparedEvent event(String json) {
        return new EventFormatter().prepare(SseEvent.builder().data(json).build(), 1, null);
    }
}
