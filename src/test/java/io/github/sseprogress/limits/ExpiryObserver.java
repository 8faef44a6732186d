package io.github.sseprogress.limits;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.sseprogress.SubscriberConnecting;
import io.github.sseprogress.SubscriberDisconnected;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Sets a stream's expiry from {@code X-Expires-Ms} (milliseconds from now), as an application would
 * from its token's {@code exp}; records the query tokens it was handed and the disconnects.
 */
@ApplicationScoped
public class ExpiryObserver {

    public static final List<String> TOKENS = new CopyOnWriteArrayList<>();
    public static final List<SubscriberDisconnected> DISCONNECTS = new CopyOnWriteArrayList<>();

    void onConnect(@Observes SubscriberConnecting c) {
        TOKENS.add(String.valueOf(c.queryToken()));
        String ms = c.header("X-Expires-Ms");
        if (ms != null) {
            c.expiresAt(Instant.now().plusMillis(Long.parseLong(ms)));
        }
    }

    void onDisconnect(@Observes SubscriberDisconnected d) {
        DISCONNECTS.add(d);
    }
}
