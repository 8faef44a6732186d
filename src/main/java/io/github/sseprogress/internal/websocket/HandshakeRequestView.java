package io.github.sseprogress.internal.websocket;

import java.security.Principal;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The WebSocket handshake seen through the JAX-RS types {@code SubscribeOptions.Builder.request(headers,
 * uriInfo, security)} takes, so the handshake's principal and headers reach the connection's
 * {@code SubscriberConnecting} observers without any new public API. Only what {@code request} reads
 * is answered: the headers ({@link #getRequestHeaders()}, {@link #getHeaderString}) and the principal.
 * {@code Last-Event-ID} is not passed on: on a WebSocket each key resumes from its own {@code last}.
 */
final class HandshakeRequestView {

    private HandshakeRequestView() {
    }

    static HttpHeaders headers(Map<String, List<String>> handshakeHeaders) {
        MultivaluedMap<String, String> map = new MultivaluedHashMap<>();
        handshakeHeaders.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Last-Event-ID")) {
                map.put(name, List.copyOf(values));
            }
        });
        return new Headers(map, handshakeHeaders);
    }

    static SecurityContext security(Principal principal) {
        return new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }

            @Override
            public boolean isSecure() {
                return false;
            }

            @Override
            public String getAuthenticationScheme() {
                return null;
            }
        };
    }

    private record Headers(MultivaluedMap<String, String> map, Map<String, List<String>> caseInsensitive)
            implements HttpHeaders {

        @Override
        public List<String> getRequestHeader(String name) {
            return name.equalsIgnoreCase("Last-Event-ID") ? null : caseInsensitive.get(name);
        }

        @Override
        public String getHeaderString(String name) {
            List<String> values = getRequestHeader(name);
            return values == null ? null : String.join(",", values);
        }

        @Override
        public MultivaluedMap<String, String> getRequestHeaders() {
            return map;
        }

        @Override
        public List<MediaType> getAcceptableMediaTypes() {
            return List.of(MediaType.WILDCARD_TYPE);
        }

        @Override
        public List<Locale> getAcceptableLanguages() {
            return List.of();
        }

        @Override
        public MediaType getMediaType() {
            return null;
        }

        @Override
        public Locale getLanguage() {
            return null;
        }

        @Override
        public Map<String, Cookie> getCookies() {
            return Map.of();
        }

        @Override
        public Date getDate() {
            return null;
        }

        @Override
        public int getLength() {
            return -1;
        }
    }
}
