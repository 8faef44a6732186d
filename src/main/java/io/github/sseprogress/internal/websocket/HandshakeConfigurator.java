package io.github.sseprogress.internal.websocket;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.sseprogress.internal.stream.StreamsBean;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Hands each handshake's principal and headers to the connection it opens, and makes each
 * connection's endpoint instance.
 *
 * <p>Jakarta WebSocket 2.1 (the specification's handshake-modification rules and
 * {@code Session#getUserProperties()}; jakartaee/websocket issue 235): the user properties
 * {@code modifyHandshake} sees are a per-connection shallow copy of the endpoint's, and they become that
 * connection's session user properties. So what is put here reaches exactly this
 * connection's {@code onOpen} through {@code session.getUserProperties()}, never another's, even
 * when handshakes run concurrently ({@code WebSocketIT} checks it on both servers).
 */
final class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    /** The session user property holding the {@link Handshake}. */
    static final String HANDSHAKE = HandshakeConfigurator.class.getName() + ".handshake";

    /**
     * What the endpoint needs of the handshake request: its user, its headers (names case-insensitive,
     * read-only) and its query parameters (for {@code sse.auth.query-token}; never logged).
     */
    record Handshake(Principal principal, Map<String, List<String>> headers, Map<String, List<String>> query) {
    }

    private final StreamsBean streams;

    HandshakeConfigurator(StreamsBean streams) {
        this.streams = streams;
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, List<String>> given = request.getHeaders();
        if (given != null) {
            given.forEach((name, values) -> {
                if (name != null && values != null) {
                    headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
                }
            });
        }
        headers.replaceAll((name, values) -> List.copyOf(values));
        Map<String, List<String>> query = new TreeMap<>();
        Map<String, List<String>> params = request.getParameterMap();
        if (params != null) {
            params.forEach((name, values) -> {
                if (name != null && values != null) {
                    query.put(name, List.copyOf(values));
                }
            });
        }
        sec.getUserProperties().put(HANDSHAKE, new Handshake(request.getUserPrincipal(),
                Collections.unmodifiableMap(headers), Collections.unmodifiableMap(query)));
    }

    /**
     * With {@code sse.cors.allowed-origins} set, a browser's handshake is accepted only from a listed
     * origin (exact match); the container answers any other with 403. A handshake without
     * {@code Origin} (not a browser) is accepted: the check protects browsers' users, and a
     * non-browser client could send any origin. Unset: the container's default check.
     */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        List<String> allowed = streams.config().corsAllowedOrigins();
        if (allowed.isEmpty()) {
            return super.checkOrigin(originHeaderValue);
        }
        return originHeaderValue == null || allowed.contains(originHeaderValue);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (endpointClass != StreamsEndpoint.class) {
            throw new InstantiationException("not this configurator's endpoint: " + endpointClass.getName());
        }
        return endpointClass.cast(new StreamsEndpoint(streams));
    }
}
