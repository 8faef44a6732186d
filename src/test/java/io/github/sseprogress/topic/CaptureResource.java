package io.github.sseprogress.topic;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.sse.Sse;

/** Hands the container's own {@link Sse} to tests that drive the Manager with in-memory sinks. */
@ApplicationScoped
@Path("capture-sse")
public class CaptureResource {

    public static volatile Sse captured;

    @GET
    public String capture(@Context Sse sse) {
        captured = sse;
        return "ok";
    }
}
