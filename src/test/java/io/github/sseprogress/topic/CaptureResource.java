package io.github.sseprogress.topic;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.sseprogress.testing.InProcessServer;

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

    /** The container's {@code Sse} of a server started with this resource (one real request). */
    public static Sse capture(InProcessServer server) throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("capture-sse")).build(),
                HttpResponse.BodyHandlers.ofString());
        return captured;
    }

    @GET
    public String capture(@Context Sse sse) {
        captured = sse;
        return "ok";
    }
}
