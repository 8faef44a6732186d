package io.github.sseprogress.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client over a raw socket: HTTP/1.1 GET, de-chunking, and a parser that
 * follows the WHATWG event-stream algorithm (lines end with CRLF, LF or CR; a blank line
 * dispatches; an event is dispatched only when its data buffer is not empty). Besides the
 * dispatched events it keeps every field block as it came off the wire (the raw field lines of
 * each blank-line-terminated block) and every comment, so a test can assert what a browser sees
 * and what was actually written. One reader thread per client; everything it records is
 * thread-safe to read.
 */
final class SseClient implements AutoCloseable {

    /** A dispatched event, as a browser's {@code EventSource} would see it. */
    record Event(String type, String data, String lastEventId, List<String> fieldLines, long receivedNanos) {
    }

    private final Socket socket;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Every non-empty block of field lines (comments excluded), dispatched or not, in arrival order. */
    final List<List<String>> blocks = new CopyOnWriteArrayList<>();
    /** Every comment line's text (after the colon), in arrival order. */
    final List<String> comments = new CopyOnWriteArrayList<>();
    /**
     * Events a browser would dispatch from the library's {@code retry:} connect frame (empty data).
     * There must be none; they are kept apart so that one known defect (Open Liberty writes a
     * {@code data:} line for it) fails one test, not every test.
     */
    final List<Event> openingEvents = new CopyOnWriteArrayList<>();
    /** Every {@code retry:} value. */
    final List<String> retries = new CopyOnWriteArrayList<>();
    private final StringBuffer body = new StringBuffer();
    private final CountDownLatch headersDone = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile int status = -1;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private volatile Throwable failure;

    private SseClient(Socket socket) {
        this.socket = socket;
    }

    /** Opens a stream and starts reading it. */
    static SseClient open(URL base, String relPath, Map<String, String> extraHeaders) throws IOException {
        Socket s = connect(base, 0);
        SseClient c = new SseClient(s);
        writeGet(s, base, relPath, extraHeaders);
        Thread t = new Thread(c::readLoop, "sse-client " + relPath);
        t.setDaemon(true);
        t.start();
        return c;
    }

    static SseClient open(URL base, String relPath) throws IOException {
        return open(base, relPath, Map.of());
    }

    /**
     * A subscriber that never reads: a socket with a tiny receive buffer that sends the request and
     * then leaves every byte in the kernel. Close it to end the stall.
     */
    static Socket stalled(URL base, String relPath) throws IOException {
        Socket s = connect(base, 4096);
        writeGet(s, base, relPath, Map.of());
        return s;
    }

    private static Socket connect(URL base, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connect: it sets the advertised window
        }
        s.connect(new InetSocketAddress(base.getHost(), port(base)), 10_000);
        return s;
    }

    private static int port(URL base) {
        return base.getPort() == -1 ? 80 : base.getPort();
    }

    private static void writeGet(Socket s, URL base, String relPath, Map<String, String> extraHeaders) throws IOException {
        StringBuilder req = new StringBuilder("GET ").append(base.getPath()).append(relPath).append(" HTTP/1.1\r\n")
                .append("Host: ").append(base.getHost()).append(':').append(port(base)).append("\r\n")
                .append("Accept: text/event-stream\r\n")
                .append("Cache-Control: no-cache\r\n");
        extraHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // ---- what the test reads ----

    /** The next dispatched event, or {@code null} after the timeout. */
    Event next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next dispatched event; fails the test when none arrives in time. */
    Event expect(Duration timeout) throws InterruptedException {
        Event e = next(timeout);
        if (e == null) {
            throw new AssertionError("no event within " + timeout + "; status=" + status + " eof=" + isEnded()
                    + " wire=" + escape(body()));
        }
        return e;
    }

    /** Waits for the response head; returns the status code (-1 when none came). */
    int status(Duration timeout) throws InterruptedException {
        headersDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return status;
    }

    synchronized String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** Waits until the server ended the stream (EOF); {@code true} when it did in time. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isEnded() {
        return ended.getCount() == 0;
    }

    /** Events dispatched but not yet taken. */
    int pending() {
        return events.size();
    }

    /** The de-chunked body received so far. */
    String body() {
        return body.toString();
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Ends the connection with a RST instead of a FIN, as a killed browser tab would. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // best effort
        }
        close();
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
    }

    // ---- the reader ----

    private void readLoop() {
        try {
            InputStream raw = new BufferedInputStream(socket.getInputStream(), 65536);
            readHead(raw);
            if (status != 200) {
                drainTo(raw);
                return;
            }
            String te = header("transfer-encoding");
            InputStream in = te != null && te.toLowerCase(Locale.ROOT).contains("chunked") ? new Dechunk(raw) : raw;
            parse(new BufferedInputStream(in, 65536));
        } catch (IOException e) {
            if (!socket.isClosed()) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            headersDone.countDown();
            ended.countDown();
        }
    }

    private void drainTo(InputStream in) throws IOException {
        byte[] b = new byte[8192];
        int n;
        while ((n = in.read(b)) > 0) {
            body.append(new String(b, 0, n, StandardCharsets.UTF_8));
        }
    }

    private void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
                    : c == '\r' ? 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        synchronized (this) {
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim(), (a, b) -> a + "," + b);
                }
            }
        }
        status = Integer.parseInt(lines[0].split(" ")[1]);
        headersDone.countDown();
    }

    /** The WHATWG event-stream interpretation, recording raw blocks on the side. */
    private void parse(BufferedInputStream in) throws IOException {
        StringBuilder data = new StringBuilder();
        boolean hasData = false;
        String type = "";
        String lastEventId = "";
        List<String> block = new ArrayList<>();
        String line;
        while ((line = readLine(in)) != null) {
            if (body.length() < 1_000_000) {
                body.append(line.length() > 200 ? line.substring(0, 200) + "...(" + line.length() + " chars)" : line).append('\n');
            }
            if (line.isEmpty()) {
                if (!block.isEmpty()) {
                    blocks.add(List.copyOf(block));
                }
                if (hasData) {
                    String d = data.toString();
                    Event e = new Event(type.isEmpty() ? "message" : type, d.endsWith("\n") ? d.substring(0, d.length() - 1) : d,
                            lastEventId, List.copyOf(block), System.nanoTime());
                    if (e.data().isEmpty() && block.stream().anyMatch(l -> l.startsWith("retry:"))) {
                        openingEvents.add(e); // see openingEvents
                    } else {
                        events.add(e);
                    }
                }
                data.setLength(0);
                hasData = false;
                type = "";
                block.clear();
                continue;
            }
            if (line.startsWith(":")) {
                comments.add(line.substring(1));
                continue;
            }
            block.add(line);
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data":
                    data.append(value).append('\n');
                    hasData = true;
                    break;
                case "event":
                    type = value;
                    break;
                case "id":
                    if (value.indexOf('\0') < 0) {
                        lastEventId = value;
                    }
                    break;
                case "retry":
                    retries.add(value);
                    break;
                default:
                    break;
            }
        }
    }

    /** One line ending in CRLF, LF or CR (not included); {@code null} at EOF. */
    private static String readLine(BufferedInputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
            }
            if (c == '\n') {
                return b.toString(StandardCharsets.UTF_8);
            }
            if (c == '\r') {
                in.mark(1);
                if (in.read() != '\n') {
                    in.reset();
                }
                return b.toString(StandardCharsets.UTF_8);
            }
            b.write(c);
        }
    }

    /** HTTP/1.1 chunked transfer decoding, as a stream. */
    private static final class Dechunk extends InputStream {
        private final InputStream in;
        private int left;
        private boolean done;

        Dechunk(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = sizeLine();
                if (size == null) {
                    done = true;
                    return -1;
                }
                int semi = size.indexOf(';');
                left = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, Math.min(len, left));
            if (n < 0) {
                done = true;
                return -1;
            }
            left -= n;
            if (left == 0) {
                in.read(); // CR
                in.read(); // LF
            }
            return n;
        }

        private String sizeLine() throws IOException {
            StringBuilder s = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                if (c == '\n') {
                    String line = s.toString().trim();
                    if (line.isEmpty()) {
                        continue;
                    }
                    return line;
                }
                if (c != '\r') {
                    s.append((char) c);
                }
            }
        }
    }
}
