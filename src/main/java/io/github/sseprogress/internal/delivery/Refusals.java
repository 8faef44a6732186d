package io.github.sseprogress.internal.delivery;

import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * Answers an event-stream request with a status instead of a stream (204, 429) without an error in
 * the server's log: normal client behaviour never logs above FINE.
 */
public final class Refusals {

    private static final Logger LOG = Logger.getLogger(Refusals.class.getName());

    private Refusals() {
    }

    /**
     * The exception that ends the request with {@code response}; the caller throws it. Throwing is the
     * one way both containers answer a status on an untouched sink: closing it, Jersey (Payara) commits
     * 200, and Open Liberty's RESTEasy sets its {@code dev.resteasy.sse.closed.response.code} to 200 too.
     * RESTEasy logs any thrown {@link WebApplicationException} as {@code RESTEASY002010} at ERROR except
     * its own {@code NoLogWebApplicationException}, so on RESTEasy that type is made, loaded through the
     * sink's class loader (applications cannot see RESTEasy's classes directly).
     */
    public static RuntimeException quietly(SseEventSink sink, Response response) {
        return quietly(sink, null, response);
    }

    /**
     * As {@link #quietly(SseEventSink, Response)}; the runtime is recognised by the container's sink or,
     * for the library's own transports (the servlet sink, not the runtime's class), by its {@code Sse}.
     */
    public static RuntimeException quietly(SseEventSink sink, Sse sse, Response response) {
        Object runtime = sink != null && sink.getClass().getName().startsWith("org.jboss.resteasy.") ? sink : sse;
        if (runtime != null && runtime.getClass().getName().startsWith("org.jboss.resteasy.")) {
            RuntimeException quiet = resteasyNoLog(runtime.getClass().getClassLoader(), response);
            if (quiet != null) {
                return quiet;
            }
        }
        return new WebApplicationException(response);
    }

    private static RuntimeException resteasyNoLog(ClassLoader loader, Response response) {
        try {
            Class<?> type = Class.forName("org.jboss.resteasy.spi.NoLogWebApplicationException", false, loader);
            return (RuntimeException) type.getConstructor(Response.class).newInstance(response);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException | SecurityException e) {
            LOG.log(Level.FINE, "RESTEasy's NoLogWebApplicationException is not reachable; plain WebApplicationException", e);
            return null;
        }
    }
}
