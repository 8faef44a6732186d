package io.github.sseprogress.internal.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import io.github.sseprogress.internal.stream.StreamsBean;

import jakarta.servlet.ServletContext;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * The library's {@code @WebListener}: with {@code sse.streams.websocket.path} unset it must deploy on
 * a server without any WebSocket support (Open Liberty without {@code websocket-2.1}), so it may not
 * touch {@code jakarta.websocket}; set, it registers the endpoint or fails the deployment clearly.
 */
class WebSocketStartupTest {

    @Test
    void theListenerIsAWebListenerWhoseClassFileNamesNoWebSocketType() throws IOException {
        assertThat(WebSocketStartup.class.getAnnotation(WebListener.class)).isNotNull();
        try (InputStream in = WebSocketStartup.class.getResourceAsStream("WebSocketStartup.class")) {
            String constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(constants).contains("WebSocketRegistration").doesNotContain("jakarta/websocket");
        }
    }

    @Test
    void withThePathUnsetItRunsWhereJakartaWebSocketDoesNotExist() throws Exception {
        try (URLClassLoader noWebSocket = withoutJakartaWebSocket()) {
            Method start = startIn(noWebSocket);
            start.invoke(null, mock(ServletContext.class), null, null); // loads, links, runs: nothing to do
            InvocationTargetException set = org.junit.jupiter.api.Assertions.assertThrows(InvocationTargetException.class,
                    () -> start.invoke(null, mock(ServletContext.class), "/ws", (Supplier<?>) () -> null));
            assertThat(set.getCause()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sse.streams.websocket.path is set to /ws")
                    .hasMessageContaining("websocket-2.1");
        }
    }

    @Test
    void withThePathSetItAddsTheEndpointWithTheHandshakeConfigurator() throws Exception {
        ServletContext context = mock(ServletContext.class);
        ServerContainer container = mock(ServerContainer.class);
        when(context.getAttribute(ServerContainer.class.getName())).thenReturn(container);
        StreamsBean streams = new StreamsBean();
        WebSocketStartup.start(context, "/api/ws", () -> streams);
        ArgumentCaptor<ServerEndpointConfig> config = ArgumentCaptor.forClass(ServerEndpointConfig.class);
        verify(container).addEndpoint(config.capture());
        assertThat(config.getValue().getPath()).isEqualTo("/api/ws");
        assertThat(config.getValue().getEndpointClass()).isEqualTo(StreamsEndpoint.class);
        assertThat(config.getValue().getConfigurator()).isInstanceOf(HandshakeConfigurator.class);
        assertThat(config.getValue().getConfigurator().getEndpointInstance(StreamsEndpoint.class))
                .isInstanceOf(StreamsEndpoint.class);
    }

    @Test
    void withThePathSetButNoWebSocketContainerTheDeploymentFailsNamingTheKey() {
        ServletContext context = mock(ServletContext.class);
        assertThatThrownBy(() -> WebSocketStartup.start(context, "/ws", StreamsBean::new))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sse.streams.websocket.path").hasMessageContaining("websocket-2.1");
        verify(context).getAttribute(any());
    }

    /** The library's classes loaded again, child-first, by a loader to which jakarta.websocket does not exist. */
    private static URLClassLoader withoutJakartaWebSocket() throws IOException {
        URL classes = Path.of("target/classes").toUri().toURL();
        return new URLClassLoader(new URL[] {classes}, WebSocketStartupTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("jakarta.websocket.")) {
                    throw new ClassNotFoundException(name + " (hidden: a server without WebSocket)");
                }
                if (name.startsWith("io.github.sseprogress.")) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> c = findLoadedClass(name);
                        if (c == null) {
                            c = findClass(name);
                        }
                        return c;
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
    }

    private static Method startIn(ClassLoader loader) throws Exception {
        Class<?> listener = Class.forName(WebSocketStartup.class.getName(), true, loader);
        assertThat(listener.getClassLoader()).isSameAs(loader);
        Class<?> streams = Class.forName(StreamsBean.class.getName(), false, loader);
        assertThat(streams).isNotSameAs(StreamsBean.class);
        Method start = listener.getDeclaredMethod("start", ServletContext.class, String.class, Supplier.class);
        start.setAccessible(true);
        return start;
    }
}
