package io.github.sseprogress.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import io.github.sseprogress.internal.delivery.LimitExceeded;
import io.github.sseprogress.internal.stream.StreamsBean;

import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;

/** A WebSocket connection over a stream limit is closed with 1013 (Try Again Later), naming the limit. */
class WebSocketLimitTest {

    @Test
    void aConnectionOverALimitIsClosedWith1013() throws Exception {
        StreamsBean streams = mock(StreamsBean.class);
        when(streams.openWebSocket(any(), any())).thenThrow(new LimitExceeded("per-address", "too many streams"));
        Session session = mock(Session.class);
        Map<String, Object> props = new HashMap<>();
        when(session.getUserProperties()).thenReturn(props);
        when(session.getBasicRemote()).thenReturn(mock(RemoteEndpoint.Basic.class));
        new StreamsEndpoint(streams).onOpen(session, mock(EndpointConfig.class));
        ArgumentCaptor<CloseReason> reason = ArgumentCaptor.forClass(CloseReason.class);
        verify(session).close(reason.capture());
        assertThat(reason.getValue().getCloseCode().getCode()).isEqualTo(1013);
        assertThat(reason.getValue().getReasonPhrase()).isEqualTo("limit: per-address");
    }
}
