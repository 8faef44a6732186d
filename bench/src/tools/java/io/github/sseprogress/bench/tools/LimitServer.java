package io.github.sseprogress.bench.tools;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The LIMIT baseline: what the hardware allows. One thread, JDK NIO, no framework: each publish
 * formats ONE {@code data: ...\n\n} frame and writes the same bytes to every socket of the topic
 * with non-blocking writes. A socket that cannot take a frame keeps it pending (OP_WRITE); behind
 * that, up to 64 frames are queued and later ones dropped (fan-out), or only the newest is kept
 * (latest-wins, {@code /limit/jobs/sse}). The burst ({@code /limit/burst}, issue 15) writes
 * {@code publishers × count} frames as fast as the sockets take them, one round (one frame per publisher)
 * per selector pass, with a per-socket queue of {@code queue} frames (the library's default queue size is
 * passed) behind which frames are dropped and counted ({@code /limit/stats}; no signal to the client).
 * Same control API as the bench WAR:
 * {@code /limit/sse?topic}, {@code /limit/count?topic}, {@code /limit/publish?topic&rate&seconds&bytes},
 * {@code /limit/published?topic}, {@code /limit/jobs/...}, {@code /limit/ops?gc}, {@code /limit/ops/cpu}. Loopback only.
 */
public final class LimitServer {

    static final int QUEUE = 64;
    static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            + "Connection: keep-alive\r\n\r\n:\n\n").getBytes(StandardCharsets.US_ASCII);

    static final class Client {
        final SocketChannel ch;
        final SelectionKey key;
        final boolean latestWins;
        String topic;
        ByteBuffer pending;
        final ArrayDeque<byte[]> queue = new ArrayDeque<>(0);
        StringBuilder request = new StringBuilder();

        Client(SocketChannel ch, SelectionKey key, boolean latestWins) {
            this.ch = ch;
            this.key = key;
            this.latestWins = latestWins;
        }
    }

    /** Publish number i goes to topics[i % topics.length] at start + i * period; t = intended time. */
    static final class Publisher {
        final String key;
        final String[] topics;
        final long period;
        final long total;
        final int bytes;
        final long start;
        final long deadline;
        long i;

        Publisher(String key, String[] topics, double ratePerSecond, long total, int bytes) {
            this.key = key;
            this.topics = topics;
            this.period = (long) (1e9 / ratePerSecond);
            this.total = total;
            this.bytes = bytes;
            this.start = System.nanoTime() + 1_000_000;
            this.deadline = start + total * period + 5_000_000_000L;
        }
    }

    /** A burst: round k writes event k of every publisher p ({@code "s": p * count + k}). */
    static final class Burst {
        final String topic;
        final int publishers;
        final int count;
        final int bytes;
        final int queue;
        final long released = System.nanoTime();
        long finished;
        int k;

        Burst(String topic, int publishers, int count, int bytes, int queue) {
            this.topic = topic;
            this.publishers = publishers;
            this.count = count;
            this.bytes = bytes;
            this.queue = queue;
        }
    }

    private final Map<String, Burst> bursts = new HashMap<>();
    private long delivered;
    private long dropped;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Map<String, List<Client>> topics = new HashMap<>();
    private final Map<String, Long> published = new HashMap<>();
    private final List<Publisher> publishers = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(8192);

    LimitServer(int port) throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        LimitServer s = new LimitServer(port);
        System.out.println("limit server on 127.0.0.1:" + port);
        s.loop();
    }

    void loop() throws IOException {
        while (true) {
            long now = System.nanoTime();
            long wait = 100;
            for (Burst b : bursts.values()) {
                if (b.k < b.count) {
                    wait = 0;
                }
            }
            for (Publisher p : publishers) {
                long due = p.start + p.i * p.period - now;
                wait = Math.min(wait, Math.max(0, due / 1_000_000));
            }
            if (wait <= 0) {
                selector.selectNow();
            } else {
                selector.select(wait);
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey k = it.next();
                it.remove();
                try {
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Client c = (Client) k.attachment();
                    if (k.isReadable()) {
                        read(c);
                    }
                    if (k.isValid() && k.isWritable()) {
                        flush(c);
                    }
                } catch (IOException | RuntimeException e) {
                    drop((Client) k.attachment());
                }
            }
            publish();
            burst();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true); // as servlet containers do
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            key.attach(new Client(ch, key, false));
        }
    }

    private void read(Client c) throws IOException {
        readBuffer.clear();
        int n = c.ch.read(readBuffer);
        if (n < 0) {
            drop(c);
            return;
        }
        if (c.request == null) {
            return; // an SSE client sends nothing after its request
        }
        c.request.append(new String(readBuffer.array(), 0, n, StandardCharsets.US_ASCII));
        int end = c.request.indexOf("\r\n\r\n");
        if (end < 0) {
            return;
        }
        String line = c.request.substring(0, c.request.indexOf("\r\n"));
        c.request = null;
        String target = line.split(" ")[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> params = query(q < 0 ? "" : target.substring(q + 1));
        route(c, path, params);
    }

    private void route(Client c, String path, Map<String, String> p) throws IOException {
        switch (path) {
            case "/limit/sse", "/limit/jobs/sse", "/limit/stalled" -> {
                Client s = new Client(c.ch, c.key, path.equals("/limit/jobs/sse"));
                s.request = null;
                s.topic = p.get("topic");
                c.key.attach(s);
                topics.computeIfAbsent(s.topic, t -> new ArrayList<>()).add(s);
                send(s, HEAD);
            }
            case "/limit/count" -> reply(c, Integer.toString(topics.getOrDefault(p.get("topic"), List.of()).size()));
            case "/limit/jobs/count" -> {
                int n = 0;
                int count = Integer.parseInt(p.get("count"));
                for (int i = 0; i < count; i++) {
                    n += topics.getOrDefault(p.get("prefix") + "/" + i, List.of()).size();
                }
                reply(c, Integer.toString(n));
            }
            case "/limit/publish" -> {
                double rate = Double.parseDouble(p.get("rate"));
                long total = Math.round(rate * Double.parseDouble(p.get("seconds")));
                publishers.add(new Publisher(p.get("topic"), new String[] {p.get("topic")}, rate, total,
                        Integer.parseInt(p.get("bytes"))));
                published.put(p.get("topic"), 0L);
                reply(c, "ok");
            }
            case "/limit/jobs/publish" -> {
                int count = Integer.parseInt(p.get("count"));
                String[] names = new String[count];
                for (int i = 0; i < count; i++) {
                    names[i] = p.get("prefix") + "/" + i;
                }
                double rate = Double.parseDouble(p.get("rate")) * count;
                long total = Math.round(rate * Double.parseDouble(p.get("seconds")));
                publishers.add(new Publisher(p.get("prefix"), names, rate, total, Integer.parseInt(p.get("bytes"))));
                published.put(p.get("prefix"), 0L);
                reply(c, "ok");
            }
            case "/limit/burst" -> {
                Burst b = new Burst(p.get("topic"), Integer.parseInt(p.get("publishers")),
                        Integer.parseInt(p.get("count")), Integer.parseInt(p.get("bytes")),
                        Integer.parseInt(p.getOrDefault("queue", Integer.toString(QUEUE))));
                bursts.put(b.topic, b);
                published.put(b.topic, 0L);
                reply(c, "ok");
            }
            case "/limit/burst/info" -> {
                Burst b = bursts.get(p.get("topic"));
                boolean done = b != null && b.k >= b.count;
                reply(c, "{\"done\":" + done + ",\"publishMs\":" + (done ? (b.finished - b.released) / 1_000_000 : -1)
                        + ",\"errors\":0,\"firstError\":\"\"}");
            }
            case "/limit/stats" -> reply(c, "{\"delivered\":" + delivered + ",\"dropped\":" + dropped + "}");
            case "/limit/published" -> reply(c, Long.toString(published.getOrDefault(
                    p.containsKey("topic") ? p.get("topic") : p.get("prefix"), 0L)));
            case "/limit/jobs/start", "/limit/jobs/finish", "/limit/close" -> reply(c, "ok");
            case "/limit/ops" -> reply(c, ops(Boolean.parseBoolean(p.get("gc"))));
            case "/limit/ops/cpu" -> reply(c, "{\"process\":" + ((com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() + "}");
            default -> reply(c, "?");
        }
    }

    private void publish() {
        long now = System.nanoTime();
        Iterator<Publisher> it = publishers.iterator();
        while (it.hasNext()) {
            Publisher p = it.next();
            while (p.i < p.total && p.start + p.i * p.period - now <= 0 && now - p.deadline < 0) {
                long t = p.start + p.i * p.period;
                String payload = payload(t, p.i, p.bytes);
                byte[] frame = ("data: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8);
                List<Client> subs = topics.get(p.topics[(int) (p.i % p.topics.length)]);
                if (subs != null) {
                    for (int j = 0; j < subs.size(); j++) {
                        offer(subs.get(j), frame, QUEUE);
                    }
                }
                p.i++;
                published.merge(p.key, 1L, Long::sum);
            }
            if (p.i >= p.total || now - p.deadline >= 0) {
                it.remove();
            }
        }
    }

    /** One round of every unfinished burst: event k of each publisher, to every socket of the topic. */
    private void burst() {
        for (Burst b : bursts.values()) {
            if (b.k >= b.count) {
                continue;
            }
            List<Client> subs = topics.get(b.topic);
            for (int p = 0; p < b.publishers; p++) {
                byte[] frame = ("data: " + payload(System.nanoTime(), (long) p * b.count + b.k, b.bytes) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8);
                if (subs != null) {
                    for (int j = 0; j < subs.size(); j++) {
                        offer(subs.get(j), frame, b.queue);
                    }
                }
                published.merge(b.topic, 1L, Long::sum);
            }
            if (++b.k >= b.count) {
                b.finished = System.nanoTime();
            }
        }
    }

    static String payload(long t, long index, int bytes) {
        StringBuilder b = new StringBuilder(bytes + 32).append("{\"t\":").append(t).append(",\"s\":").append(index)
                .append(",\"p\":\"");
        while (b.length() < bytes - 2) {
            b.append('x');
        }
        return b.append("\"}").toString();
    }

    private void offer(Client c, byte[] frame, int queue) {
        if (!c.ch.isOpen()) {
            return;
        }
        if (c.pending == null) {
            send(c, frame);
            delivered++;
        } else if (c.latestWins) {
            c.queue.clear();
            c.queue.add(frame);
            delivered++;
        } else if (c.queue.size() < queue) {
            c.queue.add(frame);
            delivered++;
        } else {
            dropped++; // like the library's DROP policy, without its signal
        }
    }

    private void send(Client c, byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        try {
            c.ch.write(b);
        } catch (IOException e) {
            drop(c);
            return;
        }
        if (b.hasRemaining()) {
            c.pending = b;
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private void flush(Client c) throws IOException {
        while (c.pending != null) {
            c.ch.write(c.pending);
            if (c.pending.hasRemaining()) {
                return;
            }
            byte[] next = c.queue.poll();
            c.pending = next == null ? null : ByteBuffer.wrap(next);
        }
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void reply(Client c, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + b.length
                + "\r\nConnection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.wrap((head + body).getBytes(StandardCharsets.UTF_8));
        c.ch.configureBlocking(false);
        while (out.hasRemaining()) {
            c.ch.write(out);
        }
        c.key.cancel();
        c.ch.close();
    }

    private void drop(Client c) {
        if (c == null) {
            return;
        }
        c.key.cancel();
        try {
            c.ch.close();
        } catch (IOException e) {
            // ignore
        }
        if (c.topic != null) {
            List<Client> subs = topics.get(c.topic);
            if (subs != null) {
                subs.remove(c);
                if (subs.isEmpty()) {
                    topics.remove(c.topic);
                }
            }
        }
    }

    static String ops(boolean gc) {
        if (gc) {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "{\"heap\":" + heap + ",\"rss\":" + rss + ",\"threads\":"
                + ManagementFactory.getThreadMXBean().getThreadCount() + ",\"pid\":" + ProcessHandle.current().pid() + "}";
    }

    static Map<String, String> query(String q) {
        Map<String, String> m = new HashMap<>();
        for (String kv : q.split("&")) {
            int e = kv.indexOf('=');
            if (e > 0) {
                m.put(URLDecoder.decode(kv.substring(0, e), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(e + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }
}
