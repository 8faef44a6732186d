package io.github.sseprogress.internal.stream;

import io.github.sseprogress.DisconnectReason;

/** STUB of the lead's Streams core (branch main), replaced by the real class when "Streams core" is merged. */
public class Connection {

    public void subscribe(String key, String last) {
        throw new UnsupportedOperationException();
    }

    public void unsubscribe(String key) {
        throw new UnsupportedOperationException();
    }

    public void close(DisconnectReason why) {
        throw new UnsupportedOperationException();
    }

    public DisconnectReason reason() {
        return null;
    }
}
