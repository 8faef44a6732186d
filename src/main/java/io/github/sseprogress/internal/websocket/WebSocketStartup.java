package io.github.sseprogress.internal.websocket;

import java.util.function.Supplier;

import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.stream.StreamsBean;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Registers the WebSocket endpoint of multiplexed streams when the application starts, if
 * {@code sse.streams.websocket.path} is set (docs/STREAMS.md). Not API.
 *
 * <p>This class references no {@code jakarta.websocket} type, in its signatures or its code: with the
 * key unset it loads, runs and returns on a server that has no WebSocket support at all (Open Liberty
 * without {@code websocket-2.1}); only a set key loads {@link WebSocketRegistration}.
 * {@code WebSocketStartupTest} runs it with {@code jakarta.websocket} hidden.
 */
@WebListener
public class WebSocketStartup implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        CDI<Object> cdi = CDI.current();
        start(event.getServletContext(), cdi.select(SseConfig.class).get().websocketPath(),
                () -> cdi.select(StreamsBean.class).get());
    }

    /** Registers the endpoint at {@code path} (null: off, nothing is loaded); fails the deployment when it cannot. */
    static void start(ServletContext context, String path, Supplier<StreamsBean> streams) {
        if (path == null) {
            return;
        }
        try {
            WebSocketRegistration.register(context, path, streams.get());
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("sse.streams.websocket.path is set to " + path
                    + " but this application cannot see the Jakarta WebSocket API (Open Liberty: add the websocket-2.1"
                    + " feature)", e);
        }
    }
}
