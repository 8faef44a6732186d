package io.github.sseprogress.it;

import java.time.Instant;

import io.github.sseprogress.SubscriberConnecting;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

/**
 * IT-only ({@link ProductionLimitsIT}'s WAR): an application's connect hook that sets a stream's expiry from
 * {@code X-Expires-Ms} (as it would from its token's {@code exp}) and refuses a query token {@code bad}.
 */
@ApplicationScoped
public class ExpiryProbe {

    void onConnect(@Observes SubscriberConnecting c) {
        if ("bad".equals(c.queryToken())) {
            c.reject(Response.Status.UNAUTHORIZED, "token refused");
            return;
        }
        String ms = c.header("X-Expires-Ms");
        if (ms != null) {
            c.expiresAt(Instant.now().plusMillis(Long.parseLong(ms)));
        }
    }
}
