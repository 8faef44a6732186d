package io.github.sseprogress.bench.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lean SSE reader: ONE selector thread holds every connection (JDK NIO only), de-chunks HTTP/1.1
 * bodies, splits SSE lines, and for each {@code data:} line takes the publisher's intended
 * {@code System.nanoTime()} from the payload ({@code {"t":...}}; same clock, same host) and records
 * receive time − publish time. All state below is owned by the selector thread; other threads reach
 * it only through {@link #call}.
 */
final class Swarm implements Runnable {

    static final int GROUPS = 2; // 0: regular subscribers, 1: late subscribers
    /** Progress probes: only their time to the response headers is recorded (no latency group). */
    static final int PROBE = GROUPS;

    static final class Conn {
        final String path;
        final int group;
        final boolean stalled;
        final int rcvbuf;
        SocketChannel ch;
        int crlfMatch;
        boolean headersDone;
        boolean chunked;
        StringBuilder headers = new StringBuilder();
        int chunkState; // 0 size, 1 size-extension/CR, 2 data, 3 CRLF after data
        long chunkLeft;
        final byte[] line = new byte[64];
        int lineLen;
        long events;
        long heartbeats;
        long heldT;
        long openNanos;
        long firstEventNanos;
        boolean closed;
        // the loss signal (event: missed) and, in the burst scenario, each publisher's order
        boolean missedNext;
        long missedSignals;
        long droppedReported;
        long[] lastByPublisher;
        long orderErrors;
        long burstEvents;

        Conn(String path, int group, boolean stalled, int rcvbuf) {
            this.path = path;
            this.group = group;
            this.stalled = stalled;
            this.rcvbuf = rcvbuf;
        }
    }

    private final InetSocketAddress address;
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    private final ArrayDeque<Conn> toConnect = new ArrayDeque<>();
    private final List<Conn> conns = new ArrayList<>();
    private int connecting;
    private volatile int connected;
    private volatile int failed;
    private volatile int closedByPeer;
    private volatile boolean running = true;

    // measurement (selector thread)
    boolean measuring;
    final Histogram[] latency = {new Histogram(), new Histogram()};
    final Histogram staleness = new Histogram();
    final Histogram firstEvent = new Histogram();
    /** Late subscribers (group 1): open → end of the response headers, the part of the first event before any frame. */
    final Histogram firstHeaders = new Histogram();
    /** Probes (group {@link #PROBE}): open → end of the response headers. */
    final Histogram probeHeaders = new Histogram();
    long eventsMeasured;
    long minT = Long.MAX_VALUE;
    long maxRecv;
    long sampleEveryNanos;
    /**
     * Progress: when sampling began. A held snapshot's age counts from here at the earliest: before the run's
     * first publish every subscriber holds the job's start snapshot, which is the latest there is, however long
     * the connects took (counted from its publish time, one sample per subscriber was that wait, and with fewer
     * samples in the run that 1 % became the p99).
     */
    long heldFloorNanos;
    private long nextSample;
    /** Burst scenario: events per publisher (event s is publisher s / burstCount's number s % burstCount); 0 = off. */
    long burstCount;
    int burstPublishers;

    Swarm(String host, int port) throws IOException {
        this.address = new InetSocketAddress(host, port);
        this.selector = Selector.open();
        this.thread = new Thread(this, "swarm-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code c} on the selector thread and waits for it. */
    <T> T call(Callable<T> c) {
        CompletableFuture<T> f = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void open(List<Conn> list) {
        call(() -> {
            toConnect.addAll(list);
            pump();
            return null;
        });
    }

    int connected() {
        return connected;
    }

    int failed() {
        return failed;
    }

    int closedByPeer() {
        return closedByPeer;
    }

    /** Closes every connection and resets all counters and histograms. */
    void reset() {
        call(() -> {
            for (Conn c : conns) {
                closeQuietly(c);
            }
            conns.clear();
            toConnect.clear();
            connecting = 0;
            connected = 0;
            failed = 0;
            closedByPeer = 0;
            measuring = false;
            latency[0] = new Histogram();
            latency[1] = new Histogram();
            staleness.reset();
            firstEvent.reset();
            firstHeaders.reset();
            probeHeaders.reset();
            eventsMeasured = 0;
            minT = Long.MAX_VALUE;
            maxRecv = 0;
            sampleEveryNanos = 0;
            heldFloorNanos = 0;
            burstCount = 0;
            burstPublishers = 0;
            return null;
        });
    }

    void close(Conn c) {
        call(() -> {
            closeQuietly(c);
            conns.remove(c);
            return null;
        });
    }

    void shutdown() {
        reset();
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        while (running) {
            try {
                long timeoutMs = 50;
                selector.select(timeoutMs);
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    Conn c = (Conn) k.attachment();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isConnectable()) {
                        finishConnect(k, c);
                    } else if (k.isReadable()) {
                        read(k, c);
                    }
                }
                selector.selectedKeys().clear();
                pump();
                if (sampleEveryNanos > 0) {
                    long now = System.nanoTime();
                    if (now - nextSample >= 0) {
                        nextSample = now + sampleEveryNanos;
                        for (Conn c : conns) {
                            if (!c.closed && !c.stalled && c.heldT != 0) {
                                staleness.record((now - Math.max(c.heldT, heldFloorNanos)) / 1000);
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
            }
        }
    }

    private void pump() {
        while (connecting < 256 && !toConnect.isEmpty()) {
            Conn c = toConnect.poll();
            try {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                if (c.rcvbuf > 0) {
                    ch.setOption(StandardSocketOptions.SO_RCVBUF, c.rcvbuf);
                }
                c.ch = ch;
                c.openNanos = System.nanoTime();
                conns.add(c);
                if (ch.connect(address)) {
                    connecting++;
                    finishConnect(ch.register(selector, 0, c), c);
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                    connecting++;
                }
            } catch (IOException e) {
                failed++;
            }
        }
    }

    private void finishConnect(SelectionKey k, Conn c) {
        connecting--;
        try {
            c.ch.finishConnect();
            String req = "GET " + c.path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                    + "\r\nAccept: text/event-stream\r\n\r\n";
            ByteBuffer b = ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                c.ch.write(b);
            }
            k.interestOps(c.stalled ? 0 : SelectionKey.OP_READ);
            connected++;
        } catch (IOException e) {
            failed++;
            closeQuietly(c);
        }
    }

    private void read(SelectionKey k, Conn c) {
        buffer.clear();
        int n;
        try {
            n = c.ch.read(buffer);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            closedByPeer++;
            closeQuietly(c);
            return;
        }
        long now = System.nanoTime();
        byte[] a = buffer.array();
        for (int i = 0; i < n; i++) {
            byte b = a[i];
            if (!c.headersDone) {
                header(c, b);
                if (c.headersDone && measuring && c.group == 1) {
                    firstHeaders.record((now - c.openNanos) / 1000);
                } else if (c.headersDone && measuring && c.group == PROBE) {
                    probeHeaders.record((now - c.openNanos) / 1000);
                }
            } else if (c.chunked) {
                i = chunk(c, a, i, n, now) - 1;
            } else {
                sse(c, b, now);
            }
        }
    }

    private static void header(Conn c, byte b) {
        if (c.headers.length() < 2048) {
            c.headers.append((char) b);
        }
        if (b == (c.crlfMatch % 2 == 0 ? '\r' : '\n')) {
            c.crlfMatch++;
        } else {
            c.crlfMatch = b == '\r' ? 1 : 0;
        }
        if (c.crlfMatch == 4) {
            c.headersDone = true;
            String h = c.headers.toString().toLowerCase(java.util.Locale.ROOT);
            c.chunked = h.contains("transfer-encoding: chunked");
            c.headers = null;
        }
    }

    /** Consumes chunked framing from {@code a[i..n)}; returns the index after what it consumed. */
    private int chunk(Conn c, byte[] a, int i, int n, long now) {
        byte b = a[i];
        switch (c.chunkState) {
            case 0 -> {
                int d = Character.digit(b, 16);
                if (d >= 0) {
                    c.chunkLeft = c.chunkLeft * 16 + d;
                } else if (b == '\n') {
                    c.chunkState = c.chunkLeft == 0 ? 3 : 2;
                } else {
                    c.chunkState = 1;
                }
                return i + 1;
            }
            case 1 -> {
                if (b == '\n') {
                    c.chunkState = c.chunkLeft == 0 ? 3 : 2;
                }
                return i + 1;
            }
            case 2 -> {
                int end = (int) Math.min(n, i + c.chunkLeft);
                for (int j = i; j < end; j++) {
                    sse(c, a[j], now);
                }
                c.chunkLeft -= end - i;
                if (c.chunkLeft == 0) {
                    c.chunkState = 3;
                }
                return end;
            }
            default -> {
                if (b == '\n') {
                    c.chunkState = 0;
                    c.chunkLeft = 0;
                }
                return i + 1;
            }
        }
    }

    private void sse(Conn c, byte b, long now) {
        if (b == '\n') {
            line(c, now);
            c.lineLen = 0;
        } else if (b != '\r' && c.lineLen < c.line.length) {
            c.line[c.lineLen++] = b;
        }
    }

    private void line(Conn c, long now) {
        byte[] l = c.line;
        int len = c.lineLen;
        if (len == 0) {
            c.missedNext = false; // end of an event
            return;
        }
        if (len >= 13 && startsWith(l, "event: missed")) {
            c.missedNext = true;
            return;
        }
        if (c.missedNext && len > 5 && l[0] == 'd') {
            c.missedSignals++;
            c.droppedReported += number(l, len, "\"dropped\":");
            return;
        }
        if (l[0] == ':') {
            c.heartbeats++;
            return;
        }
        if (len < 5 || l[0] != 'd' || l[1] != 'a' || l[2] != 't' || l[3] != 'a' || l[4] != ':') {
            return;
        }
        c.events++;
        long t = 0;
        for (int i = 5; i + 4 < len; i++) {
            if (l[i] == '"' && l[i + 1] == 't' && l[i + 2] == '"' && l[i + 3] == ':') {
                for (int j = i + 4; j < len && l[j] >= '0' && l[j] <= '9'; j++) {
                    t = t * 10 + (l[j] - '0');
                }
                break;
            }
        }
        if (burstCount > 0) {
            long seq = number(l, len, "\"s\":");
            int p = (int) (seq / burstCount);
            if (p >= 0 && p < burstPublishers) {
                if (c.lastByPublisher == null) {
                    c.lastByPublisher = new long[burstPublishers];
                    java.util.Arrays.fill(c.lastByPublisher, -1);
                }
                long k = seq % burstCount;
                if (k <= c.lastByPublisher[p]) {
                    c.orderErrors++; // a repeat or an event older than one already received
                }
                c.lastByPublisher[p] = Math.max(c.lastByPublisher[p], k);
                c.burstEvents++;
            }
        }
        if (c.firstEventNanos == 0) {
            c.firstEventNanos = now;
            if (measuring && c.group == 1) {
                firstEvent.record((now - c.openNanos) / 1000);
            }
        }
        if (t == 0) {
            return;
        }
        c.heldT = t;
        if (measuring && c.group < GROUPS) {
            latency[c.group].record((now - t) / 1000);
            eventsMeasured++;
            if (t < minT) {
                minT = t;
            }
            if (now > maxRecv) {
                maxRecv = now;
            }
        }
    }

    private static boolean startsWith(byte[] l, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (l[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The non-negative integer after {@code key} in the line, or 0 when absent. */
    private static long number(byte[] l, int len, String key) {
        outer:
        for (int i = 0; i + key.length() <= len; i++) {
            for (int j = 0; j < key.length(); j++) {
                if (l[i + j] != key.charAt(j)) {
                    continue outer;
                }
            }
            long v = 0;
            for (int j = i + key.length(); j < len && l[j] >= '0' && l[j] <= '9'; j++) {
                v = v * 10 + (l[j] - '0');
            }
            return v;
        }
        return 0;
    }

    /** Runs on the selector thread: per connection {events of the burst, missed signals, dropped reported, order errors, closed}. */
    List<long[]> burstTotals() {
        List<long[]> r = new ArrayList<>();
        for (Conn c : conns) {
            if (!c.stalled) {
                r.add(new long[] {c.burstEvents, c.missedSignals, c.droppedReported, c.orderErrors, c.closed ? 1 : 0});
            }
        }
        return r;
    }

    /** Runs on the selector thread: the sum of client-side counters over open connections. */
    long[] totals() {
        long events = 0;
        long beats = 0;
        int open = 0;
        for (Conn c : conns) {
            events += c.events;
            beats += c.heartbeats;
            if (!c.closed) {
                open++;
            }
        }
        return new long[] {events, beats, open};
    }

    private void closeQuietly(Conn c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        try {
            if (c.ch != null) {
                c.ch.close();
            }
        } catch (IOException e) {
            // ignore
        }
    }
}
