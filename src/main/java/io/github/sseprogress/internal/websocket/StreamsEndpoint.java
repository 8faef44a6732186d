package io.github.sseprogress.internal.websocket;

import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.ApiAccess;
import io.github.sseprogress.internal.delivery.LimitExceeded;
import io.github.sseprogress.internal.stream.Connection;
import io.github.sseprogress.internal.stream.StreamsBean;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.ws.rs.WebApplicationException;

/**
 * The WebSocket endpoint of multiplexed streams (docs/STREAMS.md, WebSocket): one instance per
 * connection, registered programmatically by {@link WebSocketRegistration} at
 * {@code sse.streams.websocket.path}. Not API.
 *
 * <p>Client messages are parsed strictly ({@link ClientMessage}) and turned into the connection's
 * {@code subscribe}/{@code unsubscribe}; whatever the server cannot take (bad JSON, unknown
 * operation, a message over 4096 characters, an invalid key, too many keys, a key already followed
 * or not followed) is answered with an {@code error} message and changes nothing. A message is
 * received in parts, of which at most {@link ClientMessage#MAX_CHARS} characters are kept, so a huge
 * message costs no memory and does not close the connection.
 *
 * <p>{@code error} answers go through the connection's own writer ({@code Connection.reply}), in order
 * with its frames: the session's remote endpoint has exactly one writer, and a client that does not read
 * holds no container thread of ours by sending bad messages.
 *
 * <p>Public because Tyrus (Payara) calls {@code onOpen}/{@code onClose} reflectively through the
 * endpoint's own class, which fails for a package-private class; the instance is made by
 * {@link HandshakeConfigurator}, so the constructor stays package-private.
 *
 * <p>Threads: the container calls {@code onOpen}, the message handler, {@code onClose} and
 * {@code onError}, one at a time per session. No lock is held while the core is called.
 */
public final class StreamsEndpoint extends Endpoint {

    private static final Logger LOG = Logger.getLogger(StreamsEndpoint.class.getName());

    private final StreamsBean streams;
    private volatile Connection connection;

    StreamsEndpoint(StreamsBean streams) {
        this.streams = streams;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        Object stored = session.getUserProperties().get(HandshakeConfigurator.HANDSHAKE);
        HandshakeConfigurator.Handshake handshake = stored instanceof HandshakeConfigurator.Handshake h ? h
                : new HandshakeConfigurator.Handshake(null, Map.of(), Map.of());
        Principal principal = handshake.principal() != null ? handshake.principal() : session.getUserPrincipal();
        SubscribeOptions options = ApiAccess.get().ofRequest(principal, handshake.headers(), handshake.query());
        WebSocketTransport t = new WebSocketTransport(session);
        Connection c;
        try {
            c = streams.openWebSocket(t, options);
        } catch (LimitExceeded e) {
            // 1013 Try Again Later: the WebSocket form of 429 (the handshake has already succeeded)
            closeQuietly(session, new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "limit: " + e.limit()));
            return;
        } catch (WebApplicationException e) {
            // e.g. 503 while the library shuts down: the same answer as SSE, as a close
            int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
            closeQuietly(session, status == 503
                    ? new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "server stopping")
                    : new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "cannot open: " + status));
            return;
        }
        connection = c;
        t.reasonFrom(c::reason);
        session.addMessageHandler(String.class, new Messages(c));
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) (part, last) -> {
            if (last) {
                c.reply(ClientMessage.error(400, "binary messages are not part of the protocol: send JSON text"));
            }
        });
    }

    /** Collects a text message's parts (keeping at most MAX_CHARS + 1 characters) and handles it whole. */
    private static final class Messages implements MessageHandler.Partial<String> {
        private final Connection connection;
        private final StringBuilder buffer = new StringBuilder();
        private boolean tooLarge;

        Messages(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void onMessage(String part, boolean last) {
            if (!tooLarge) {
                if (buffer.length() + part.length() > ClientMessage.MAX_CHARS) {
                    tooLarge = true;
                    buffer.setLength(0);
                    buffer.trimToSize();
                } else {
                    buffer.append(part);
                }
            }
            if (!last) {
                return;
            }
            String text = buffer.toString();
            boolean overflow = tooLarge;
            buffer.setLength(0);
            tooLarge = false;
            String error = overflow ? ClientMessage.error(400, ClientMessage.tooLarge().getMessage()) : handle(text);
            if (error != null) {
                connection.reply(error); // through the connection's writer, in order with its frames
            }
        }

        /** Applies the message; the {@code error} answer when it cannot be taken, else null. */
        private String handle(String text) {
            ClientMessage m;
            try {
                m = ClientMessage.parse(text);
            } catch (ClientMessage.BadMessage e) {
                return ClientMessage.error(400, e.getMessage());
            }
            try {
                if (m.op() == ClientMessage.Op.SUBSCRIBE) {
                    connection.subscribe(m.key(), m.last());
                } else {
                    connection.unsubscribe(m.key());
                }
                return null;
            } catch (IllegalArgumentException e) {
                return ClientMessage.error(400, e.getMessage() == null ? "refused" : e.getMessage());
            } catch (WebApplicationException e) {
                // e.g. 503 while the library shuts down, as an SSE subscribe would answer
                int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
                return ClientMessage.error(status, status == 503 ? "unavailable: the server is stopping" : "refused");
            } catch (IllegalStateException e) {
                return null; // the connection closed meanwhile: its close tells the client
            }
        }
    }

    @Override
    public void onClose(Session session, CloseReason closeReason) {
        Connection c = connection;
        if (c != null) {
            c.close(DisconnectReason.CLIENT_GONE);
        }
    }

    @Override
    public void onError(Session session, Throwable thr) {
        // a client that vanishes mid-frame, a reset, a read timeout: normal client behaviour, never above FINE
        LOG.log(Level.FINE, "WebSocket connection failed", thr);
        Connection c = connection;
        if (c != null) {
            c.close(DisconnectReason.CLIENT_GONE);
        }
    }

    private static void closeQuietly(Session session, CloseReason reason) {
        try {
            session.close(reason);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing a WebSocket connection", e);
        }
    }
}
