package io.github.sseprogress.delivery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.sseprogress.SubscriberConnecting;
import io.github.sseprogress.SubscriberDisconnected;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

/** An application's hook observers, as the README shows them. */
@ApplicationScoped
public class HookObserver {

    public static final List<SubscriberConnecting> CONNECTS = new CopyOnWriteArrayList<>();
    public static final List<SubscriberDisconnected> DISCONNECTS = new CopyOnWriteArrayList<>();

    void onConnect(@Observes SubscriberConnecting c) {
        CONNECTS.add(c);
        if (c.topic().contains("secret") && !"let-me-in".equals(c.header("X-Token"))) {
            c.reject(Response.Status.UNAUTHORIZED, "token \"required\"");
        } else if (c.topic().startsWith("forbidden")) {
            c.reject(Response.Status.FORBIDDEN, null);
        } else if (c.topic().startsWith("busy")) {
            c.reject(Response.Status.TOO_MANY_REQUESTS, "slow down");
        }
    }

    void onDisconnect(@Observes SubscriberDisconnected d) {
        DISCONNECTS.add(d);
    }
}
