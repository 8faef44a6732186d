package io.github.sseprogress.internal.wire;

import java.util.List;

import io.github.sseprogress.internal.config.ConfigProducer;
import io.github.sseprogress.internal.config.SseConfig;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/**
 * Cross-origin event streams, opt-in with {@code sse.cors.allowed-origins} (off when empty, the
 * default). Discovered by the JAX-RS runtime as a {@link Provider} in the library jar, like
 * {@link SseResponseHeaders}; an application that lists its classes in {@code Application#getClasses}
 * lists this one too.
 *
 * <ul>
 * <li>Event-stream answers (a {@code text/event-stream} response, or any answer to a request that
 *     accepts {@code text/event-stream}: the 204, 401, 429 of a refused stream too) get
 *     {@code Vary: Origin} and, for a listed {@code Origin}, that origin echoed exactly in
 *     {@code Access-Control-Allow-Origin} (never {@code *}), plus
 *     {@code Access-Control-Allow-Credentials: true} with {@code sse.cors.allow-credentials}. Another
 *     origin gets no CORS header: the browser keeps the stream from the page.</li>
 * <li>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method: GET})
 *     from a listed origin is answered {@code 204} here, whatever the path (the library does not
 *     know the application's stream paths), allowing {@code GET} and the requested headers, cached
 *     {@value #MAX_AGE_SECONDS} s. Other preflights pass through to the application.</li>
 * </ul>
 * The WebSocket handshake checks the same list ({@code HandshakeConfigurator#checkOrigin}).
 *
 * <p>Stateless apart from the settings, read once; thread-safe.
 */
@Provider
@PreMatching
public class CrossOriginStreams implements ContainerRequestFilter, ContainerResponseFilter {

    static final int MAX_AGE_SECONDS = 600;

    private volatile SseConfig config;

    private SseConfig config() {
        SseConfig c = config;
        if (c == null) {
            c = ConfigProducer.read();
            config = c;
        }
        return c;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        List<String> allowed = config().corsAllowedOrigins();
        if (allowed.isEmpty() || !HttpMethod.OPTIONS.equals(request.getMethod())) {
            return;
        }
        String origin = request.getHeaderString("Origin");
        String method = request.getHeaderString("Access-Control-Request-Method");
        if (origin == null || method == null || !allowed.contains(origin)
                || !(HttpMethod.GET.equals(method.trim()) || HttpMethod.HEAD.equals(method.trim()))) {
            return;
        }
        Response.ResponseBuilder answer = Response.noContent()
                .header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Methods", "GET")
                .header("Access-Control-Max-Age", Integer.toString(MAX_AGE_SECONDS))
                .header("Vary", "Origin");
        String headers = request.getHeaderString("Access-Control-Request-Headers");
        if (headers != null && !headers.isBlank()) {
            answer.header("Access-Control-Allow-Headers", headers.trim());
        }
        if (config().corsAllowCredentials()) {
            answer.header("Access-Control-Allow-Credentials", "true");
        }
        request.abortWith(answer.build());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        List<String> allowed = config().corsAllowedOrigins();
        if (allowed.isEmpty() || HttpMethod.OPTIONS.equals(request.getMethod()) || !isEventStream(request, response)) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.add("Vary", "Origin");
        String origin = request.getHeaderString("Origin");
        if (origin == null || !allowed.contains(origin)) {
            return;
        }
        headers.putSingle("Access-Control-Allow-Origin", origin);
        if (config().corsAllowCredentials()) {
            headers.putSingle("Access-Control-Allow-Credentials", "true");
        }
    }

    private static boolean isEventStream(ContainerRequestContext request, ContainerResponseContext response) {
        MediaType type = response.getMediaType();
        if (type != null && !type.isWildcardType() && MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(type)) {
            return true;
        }
        for (MediaType accepted : request.getAcceptableMediaTypes()) {
            if (!accepted.isWildcardType() && MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(accepted)) {
                return true;
            }
        }
        return false;
    }
}
