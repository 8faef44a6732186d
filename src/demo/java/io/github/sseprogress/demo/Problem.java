package io.github.sseprogress.demo;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** A client error with a small JSON body {@code {"status":400,"error":"…"}}; nothing was done. */
final class Problem {

    private Problem() {
    }

    static WebApplicationException badRequest(String message) {
        return of(Response.Status.BAD_REQUEST, message);
    }

    static WebApplicationException payloadTooLarge(String message) {
        return of(Response.Status.REQUEST_ENTITY_TOO_LARGE, message);
    }

    static WebApplicationException conflict(String message) {
        return of(Response.Status.CONFLICT, message);
    }

    static WebApplicationException notFound(String message) {
        return of(Response.Status.NOT_FOUND, message);
    }

    private static WebApplicationException of(Response.Status status, String message) {
        String json = "{\"status\":" + status.getStatusCode() + ",\"error\":" + quote(message) + "}";
        return new WebApplicationException(message,
                Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(json).build());
    }

    /** A JSON string literal. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
