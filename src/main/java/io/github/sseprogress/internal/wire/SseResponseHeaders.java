package io.github.sseprogress.internal.wire;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

/**
 * Adds the headers an event stream needs behind caches and proxies to every
 * {@code text/event-stream} response: {@code Cache-Control: no-cache} (unless the application set
 * one) and {@code X-Accel-Buffering: no} (nginx and compatible proxies stream instead of
 * buffering). Discovered by the JAX-RS runtime as a {@link Provider} in the library jar.
 */
@Provider
public class SseResponseHeaders implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MediaType type = response.getMediaType();
        if (type == null || !MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(type) || type.isWildcardType()) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        if (!headers.containsKey("Cache-Control")) {
            headers.putSingle("Cache-Control", "no-cache");
        }
        headers.putSingle("X-Accel-Buffering", "no");
    }
}
