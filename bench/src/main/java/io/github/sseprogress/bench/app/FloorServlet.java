package io.github.sseprogress.bench.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The container's floor (issue 15): the least a broadcaster on this server can do per event, without the
 * library and without JAX-RS. A plain servlet holds each stream's {@code AsyncContext}; a publish hands the
 * event's bytes (built once) to one fan-out thread per core, each owning a share of the streams, which writes
 * and flushes them with Servlet non-blocking I/O (what {@code isReady()} refuses waits in the stream's queue
 * for {@code onWritePossible}; beyond 256 queued events a stream drops, which a client that reads never sees).
 * No ids, no heartbeats, no replay, no loss signal, no eviction: what remains of the cost per event and of the
 * tail is the container's write and the machine. Same control API as the other targets under
 * {@code /floor}: {@code sse}, {@code count}, {@code publish}, {@code published}, {@code close}.
 */
@WebServlet(urlPatterns = "/floor/*", asyncSupported = true)
public class FloorServlet extends HttpServlet {

    private static final int QUEUE = 256;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private volatile ExecutorService[] shards;

    /** One topic's streams, split among the fan-out threads. */
    private final class Topic {
        final Set<Stream>[] parts;
        final AtomicInteger next = new AtomicInteger();

        @SuppressWarnings("unchecked")
        Topic() {
            parts = new Set[shards().length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = ConcurrentHashMap.newKeySet();
            }
        }

        int size() {
            int n = 0;
            for (Set<Stream> p : parts) {
                n += p.size();
            }
            return n;
        }
    }

    /** One client: its queue and writes are guarded by the stream itself (fan-out thread vs container callback). */
    private static final class Stream implements WriteListener, AsyncListener {
        final AsyncContext async;
        final ServletOutputStream out;
        final Set<Stream> home;
        final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        boolean unflushed;
        boolean gone;

        Stream(AsyncContext async, ServletOutputStream out, Set<Stream> home) {
            this.async = async;
            this.out = out;
            this.home = home;
        }

        synchronized void offer(byte[] bytes) {
            if (gone || queue.size() >= QUEUE) {
                return;
            }
            queue.add(bytes);
            drain();
        }

        /** Writes what is queued while the container takes it, then flushes once. */
        synchronized void drain() {
            try {
                while (!gone && out.isReady()) {
                    byte[] b = queue.poll();
                    if (b == null) {
                        if (!unflushed) {
                            return;
                        }
                        unflushed = false;
                        out.flush();
                    } else {
                        out.write(b);
                        unflushed = true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                end();
            }
        }

        synchronized void end() {
            if (gone) {
                return;
            }
            gone = true;
            queue.clear();
            home.remove(this);
            try {
                async.complete();
            } catch (RuntimeException e) {
                // completed by the container already
            }
        }

        @Override
        public void onWritePossible() {
            drain();
        }

        @Override
        public void onError(Throwable t) {
            end();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            end();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            end();
        }

        @Override
        public void onError(AsyncEvent event) {
            end();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }
    }

    private ExecutorService[] shards() {
        ExecutorService[] s = shards;
        if (s == null) {
            synchronized (this) {
                s = shards;
                if (s == null) {
                    s = new ExecutorService[Math.max(1, Runtime.getRuntime().availableProcessors())];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = Executors.newSingleThreadExecutor(threads);
                    }
                    shards = s;
                }
            }
        }
        return s;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String op = req.getPathInfo() == null ? "" : req.getPathInfo();
        String topic = req.getParameter("topic");
        switch (op) {
            case "/sse":
                subscribe(req, res, topic);
                return;
            case "/count":
                Topic t = topic == null ? null : topics.get(topic);
                text(res, Integer.toString(t == null ? 0 : t.size()));
                return;
            case "/publish":
                publish(topic, Double.parseDouble(req.getParameter("rate")),
                        Double.parseDouble(req.getParameter("seconds")), Integer.parseInt(req.getParameter("bytes")));
                text(res, "ok");
                return;
            case "/published":
                text(res, Long.toString(Pacer.published(topic)));
                return;
            case "/close":
                Topic gone = topics.remove(topic);
                if (gone != null) {
                    for (Set<Stream> p : gone.parts) {
                        for (Stream s : p) {
                            s.end();
                        }
                    }
                }
                text(res, "ok");
                return;
            default:
                res.sendError(HttpServletResponse.SC_NOT_FOUND, "unknown: " + op);
        }
    }

    private void subscribe(HttpServletRequest req, HttpServletResponse res, String topic) throws IOException {
        if (topic == null) {
            res.sendError(HttpServletResponse.SC_BAD_REQUEST, "topic is required");
            return;
        }
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        res.setStatus(HttpServletResponse.SC_OK);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-cache");
        ServletOutputStream out = res.getOutputStream();
        res.flushBuffer(); // the headers now, as the library and the limit server send them at once
        Topic t = topics.computeIfAbsent(topic, k -> new Topic());
        Set<Stream> home = t.parts[Math.floorMod(t.next.getAndIncrement(), t.parts.length)];
        Stream s = new Stream(async, out, home);
        async.addListener(s);
        out.setWriteListener(s); // before any publish reaches it: isReady() needs the listener
        home.add(s);
    }

    private void publish(String topic, double rate, double seconds, int bytes) {
        long total = Math.round(rate * seconds);
        ExecutorService[] s = shards();
        Pacer.start(threads, () -> Pacer.run(topic, total, rate, bytes, 5_000_000_000L, (i, payload) -> {
            Topic t = topics.get(topic);
            if (t == null) {
                return;
            }
            byte[] frame = ("data: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8);
            for (int p = 0; p < t.parts.length; p++) {
                Set<Stream> part = t.parts[p];
                s[p].execute(() -> {
                    for (Stream st : part) {
                        st.offer(frame);
                    }
                });
            }
        }));
    }

    private static void text(HttpServletResponse res, String body) throws IOException {
        res.setContentType("text/plain");
        res.getWriter().write(body);
    }

    @PreDestroy
    void stop() {
        ExecutorService[] s = shards;
        if (s != null) {
            for (ExecutorService e : s) {
                e.shutdownNow();
            }
        }
    }
}
