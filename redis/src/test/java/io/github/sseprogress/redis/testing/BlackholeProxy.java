package io.github.sseprogress.redis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of Redis that can make the subscriptions open now go silent while their
 * connections stay up: the "looks alive but receives nothing" failure (centrifugo#1189). Connections
 * opened later pass through.
 */
public final class BlackholeProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int target;
    private final List<Link> links = new CopyOnWriteArrayList<>();

    private static final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean subscription;
        volatile boolean silent;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }
    }

    public BlackholeProxy(int redisPort) throws IOException {
        this.target = redisPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "blackhole-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public String uri() {
        return "redis://127.0.0.1:" + server.getLocalPort();
    }

    /** Every subscription connection open now stops receiving (its bytes from Redis are discarded). */
    public int silenceSubscriptions() {
        int n = 0;
        for (Link l : links) {
            if (l.subscription && !l.client.isClosed()) {
                l.silent = true;
                n++;
            }
        }
        return n;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket c = server.accept();
                Socket u = new Socket(InetAddress.getLoopbackAddress(), target);
                Link link = new Link(c, u);
                links.add(link);
                pump(link, c.getInputStream(), u.getOutputStream(), true);
                pump(link, u.getInputStream(), c.getOutputStream(), false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Link link, InputStream in, OutputStream out, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (fromClient && new String(buf, 0, n, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT)
                            .contains("SUBSCRIBE")) {
                        link.subscription = true;
                    }
                    if (!fromClient && link.silent) {
                        continue;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the other side closed
            } finally {
                closeQuietly(link.client);
                closeQuietly(link.upstream);
            }
        }, "blackhole-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Link l : links) {
            closeQuietly(l.client);
            closeQuietly(l.upstream);
        }
    }
}
