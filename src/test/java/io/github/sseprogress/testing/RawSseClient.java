package io.github.sseprogress.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw-socket SSE client: sends a GET, parses the status line and headers itself, de-chunks the
 * body and feeds an {@link SseParser}. Lets tests see exact bytes, heartbeats and closes.
 */
public final class RawSseClient implements Closeable {

    /** Body bytes kept for {@link #bodyBytes()}; long streams are parsed but not kept. */
    private static final int MAX_RECORDED_BODY = 256 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final SseParser parser = new SseParser();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private boolean chunked;
    private long chunkLeft;
    private boolean eof;

    private RawSseClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Connects and sends {@code GET uri} with optional extra headers; does not read yet. */
    public static RawSseClient open(URI uri, String... extraHeaders) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        s.setSoTimeout(10_000);
        RawSseClient c = new RawSseClient(s);
        StringBuilder req = new StringBuilder();
        String path = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        req.append("GET ").append(path).append(" HTTP/1.1\r\n");
        req.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
        req.append("Accept: text/event-stream\r\n");
        for (String h : extraHeaders) {
            req.append(h).append("\r\n");
        }
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return c;
    }

    /**
     * A subscriber that never reads: a 4 KiB receive buffer (set before connecting, so it is the
     * advertised window), the request, the start of the response, then nothing. Close it to end the stall.
     */
    public static Socket stalled(URI uri) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        OutputStream out = s.getOutputStream();
        out.write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (s.getInputStream().read(new byte[256]) <= 0) {
            s.close();
            throw new IOException("the stream did not open: " + uri);
        }
        return s;
    }

    /** Reads the status line and headers (blocks up to {@code timeout}). */
    public RawSseClient readHead(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        String statusLine = readLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        String l;
        while (!(l = readLine()).isEmpty()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
        return this;
    }

    public int status() {
        return status;
    }

    /** A response header by lower-case name, or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Reads until {@code n} events have been dispatched (or EOF / timeout) and returns them.
     */
    public List<SseParser.Event> readEvents(int n, Duration timeout) throws IOException {
        List<SseParser.Event> out = new ArrayList<>(parser.takeEvents());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n && !eof) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            if (!readSome(left)) {
                break;
            }
            out.addAll(parser.takeEvents());
        }
        return out;
    }

    /** Reads until at least one comment line is seen, or the timeout; returns the comments. */
    public List<String> readComments(Duration timeout) throws IOException {
        List<String> out = new ArrayList<>(parser.takeComments());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.isEmpty() && !eof) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !readSome(left)) {
                break;
            }
            out.addAll(parser.takeComments());
        }
        return out;
    }

    /** Reads until the server ends the stream or the timeout; true when it ended. */
    public boolean awaitEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !readSome(left)) {
                break;
            }
        }
        return eof;
    }

    /**
     * Reads a response body that is not a stream (an error's JSON): up to its {@code Content-Length},
     * or the end of a chunked body, or the timeout; returns it as UTF-8.
     */
    public String readBody(Duration timeout) throws IOException {
        String length = header("Content-Length");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof && (length == null || body.size() < Long.parseLong(length))) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !readSome(left)) {
                break;
            }
        }
        return body.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    public SseParser parser() {
        return parser;
    }

    /** The first 256 KiB of body bytes read so far (de-chunked). */
    public byte[] bodyBytes() {
        return body.toByteArray();
    }

    public boolean ended() {
        return eof;
    }

    /** Resets the connection (RST) instead of a clean close. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private boolean readSome(long timeoutNanos) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeoutNanos / 1_000_000));
        try {
            if (chunked) {
                if (chunkLeft == 0) {
                    String size = readLine();
                    if (size.isEmpty()) {
                        size = readLine();
                    }
                    int semi = size.indexOf(';');
                    long len = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                    if (len == 0) {
                        eof = true;
                        return false;
                    }
                    chunkLeft = len;
                }
                byte[] buf = new byte[(int) Math.min(8192, chunkLeft)];
                int r = in.read(buf);
                if (r < 0) {
                    eof = true;
                    return false;
                }
                chunkLeft -= r;
                if (chunkLeft == 0) {
                    // consume the CRLF after the chunk lazily on next size read
                }
                take(buf, r);
            } else {
                byte[] buf = new byte[8192];
                int r = in.read(buf);
                if (r < 0) {
                    eof = true;
                    return false;
                }
                take(buf, r);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            eof = true;
            return false;
        }
    }

    private void take(byte[] buf, int r) {
        if (body.size() < MAX_RECORDED_BODY) {
            body.write(buf, 0, Math.min(r, MAX_RECORDED_BODY - body.size()));
        }
        parser.feed(buf, 0, r);
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c < 0 && sb.length() == 0) {
            eof = true;
            throw new IOException("connection closed");
        }
        return sb.toString();
    }
}
