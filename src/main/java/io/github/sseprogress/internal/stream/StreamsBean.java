package io.github.sseprogress.internal.stream;

import io.github.sseprogress.SubscribeOptions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.SseEventSink;

/** STUB of the lead's Streams core (branch main), replaced by the real class when "Streams core" is merged. */
@ApplicationScoped
public class StreamsBean {

    /** Opens a multiplexed connection whose frames go to {@code transport}. */
    public Connection openWebSocket(SseEventSink transport, SubscribeOptions request) {
        return new Connection();
    }
}
