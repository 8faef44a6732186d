package io.github.sseprogress.it;

import io.github.sseprogress.internal.delivery.Delivery;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * IT-only, in {@link WebSocketShutdownIT}'s own WAR: stops the library's delivery as the container does
 * when the application stops ({@code Delivery}'s {@code @PreDestroy}), so the test can watch what
 * open WebSocket connections get. The library stays stopped for the rest of that WAR's life.
 */
@Path("ws-stop")
@RequestScoped
public class WsStopResource {

    @Inject
    Delivery delivery;

    @POST
    public Response stop() {
        delivery.shutdown();
        return Response.noContent().build();
    }
}
