package io.github.sseprogress.internal.websocket;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.internal.stream.StreamsBean;

import jakarta.servlet.ServletContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Adds the endpoint to the web application's WebSocket container. Only {@link WebSocketStartup}
 * calls it, and only when {@code sse.streams.websocket.path} is set: this is the first class that
 * touches {@code jakarta.websocket}, so a server without WebSocket support (Open Liberty without
 * {@code websocket-2.1}) never loads it when the key is unset.
 */
final class WebSocketRegistration {

    private static final Logger LOG = Logger.getLogger(WebSocketRegistration.class.getName());

    private WebSocketRegistration() {
    }

    static void register(ServletContext context, String path, StreamsBean streams) {
        Object attribute = context.getAttribute(ServerContainer.class.getName());
        if (!(attribute instanceof ServerContainer)) {
            throw new IllegalStateException("sse.streams.websocket.path is set to " + path
                    + " but the server offers no Jakarta WebSocket container to this application"
                    + " (Open Liberty: add the websocket-2.1 feature)");
        }
        ServerEndpointConfig config = ServerEndpointConfig.Builder.create(StreamsEndpoint.class, path)
                .configurator(new HandshakeConfigurator(streams)).build();
        try {
            ((ServerContainer) attribute).addEndpoint(config);
        } catch (DeploymentException e) {
            throw new IllegalStateException("could not register the WebSocket endpoint of sse.streams.websocket.path at "
                    + path + ": " + e.getMessage(), e);
        }
        LOG.log(Level.FINE, "WebSocket endpoint of multiplexed streams at {0}{1}", new Object[] {context.getContextPath(), path});
    }
}
