package io.github.sseprogress.internal.stream;

import io.github.sseprogress.DisconnectReason;

/** STUB of the lead's Streams core (branch main), replaced by the real class when "Streams core" is merged. */
public class Connection {

    public void subscribe(String key, String last) {
        throw new IllegalArgumentException("stub: Streams core not merged yet");
    }

    public void unsubscribe(String key) {
        throw new IllegalArgumentException("stub: Streams core not merged yet");
    }

    public void close(DisconnectReason why) {
    }

    public DisconnectReason reason() {
        return null;
    }
}
