package io.github.sseprogress.it;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * A WebSocket client of the multiplexed streams endpoint, on the JDK's {@code java.net.http.WebSocket}:
 * collects whole text messages, counts pings (the JDK answers them with pongs), records the close.
 * {@link #stall()} stops asking for more messages: the JDK then stops reading the socket, so the
 * server's writes fill the TCP buffers and block, as with a client that stopped reading.
 */
final class WsClient implements AutoCloseable {

    /** One server message: {@code {"key":..,"id":..,"event":..,"data":..}}, absent members null. */
    record Msg(String key, String id, String event, String data, String raw) {
        JsonObject dataJson() {
            return Json.createReader(new StringReader(data)).readObject();
        }
    }

    /** The close the server sent (or 1006 when the connection broke without one). */
    record Close(int code, String reason) {
    }

    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final AtomicInteger pings = new AtomicInteger();
    final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final AtomicBoolean stalled = new AtomicBoolean();
    private volatile WebSocket ws;

    private WsClient() {
    }

    static URI uri(URL base) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + base.getPath()
                + ItDeployment.WS_PATH.substring(1));
    }

    static WsClient open(URL base) {
        return open(base, Map.of());
    }

    static WsClient open(URL base, Map<String, String> headers) {
        WsClient c = new WsClient();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        c.ws = b.buildAsync(uri(base), c.listener()).orTimeout(30, TimeUnit.SECONDS).join();
        return c;
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder parts = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                parts.append(data);
                if (last) {
                    messages.add(parts.toString());
                    parts.setLength(0);
                }
                if (!stalled.get()) {
                    webSocket.request(1);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
                pings.incrementAndGet();
                if (!stalled.get()) {
                    webSocket.request(1);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(new Close(statusCode, reason));
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(new Close(1006, String.valueOf(error)));
            }
        };
    }

    void send(String text) {
        ws.sendText(text, true).orTimeout(30, TimeUnit.SECONDS).join();
    }

    void sendBinary(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(30, TimeUnit.SECONDS).join();
    }

    void subscribe(String key) {
        send("{\"subscribe\":" + quote(key) + "}");
    }

    void subscribe(String key, String last) {
        send("{\"subscribe\":" + quote(key) + ",\"last\":" + quote(last) + "}");
    }

    void unsubscribe(String key) {
        send("{\"unsubscribe\":" + quote(key) + "}");
    }

    static String quote(String s) {
        return Json.createValue(s).toString();
    }

    /** The next message; fails after {@code timeout}. */
    Msg expect(Duration timeout) throws InterruptedException {
        String raw = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (raw == null) {
            throw new AssertionError("no WebSocket message within " + timeout + (closed.isDone() ? "; closed: " + closed.join() : ""));
        }
        JsonObject o = Json.createReader(new StringReader(raw)).readObject();
        return new Msg(str(o, "key"), str(o, "id"), str(o, "event"), str(o, "data"), raw);
    }

    /** Whether a message is waiting (without taking it). */
    boolean hasMessage() {
        return !messages.isEmpty();
    }

    List<String> drainRaw() {
        List<String> all = new java.util.ArrayList<>();
        messages.drainTo(all);
        return all;
    }

    private static String str(JsonObject o, String name) {
        return o.containsKey(name) && !o.isNull(name) ? o.getString(name) : null;
    }

    /** Stops asking for messages (the JDK stops reading the socket). */
    void stall() {
        stalled.set(true);
    }

    /** Reads again. */
    void resume() {
        stalled.set(false);
        ws.request(Long.MAX_VALUE);
    }

    @Override
    public void close() {
        WebSocket w = ws;
        if (w != null && !w.isOutputClosed()) {
            try {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).join();
            } catch (RuntimeException e) {
                // already broken
            }
        }
        if (w != null) {
            w.abort();
        }
    }
}
