package io.github.sseprogress.bench.tools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One system under test, reached through the same control API: ours, stock or limit. */
final class Target {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final String name;
    final String host;
    final int port;
    /** Path prefix of the SSE/control API, e.g. /sse-bench/bench/ours. */
    final String base;
    /** Path of the process figures endpoint. */
    final String ops;
    final Swarm swarm;
    /** The subscribe endpoint under {@link #base}: {@code sse} (JAX-RS sink) or {@code servlet} (the servlet transport). */
    String subscribe = "sse";

    Target(String name, String host, int port, String base, String ops) throws IOException {
        this.name = name;
        this.host = host;
        this.port = port;
        this.base = base;
        this.ops = ops;
        this.swarm = new Swarm(host, port);
    }

    String get(String pathAndQuery) {
        Exception last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + pathAndQuery))
                        .timeout(Duration.ofSeconds(120)).build();
                HttpResponse<String> res = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() != 200) {
                    throw new IOException(res.statusCode() + " from " + pathAndQuery + ": " + res.body());
                }
                return res.body().trim();
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(last);
    }

    String api(String pathAndQuery) {
        return get(base + pathAndQuery);
    }

    /**
     * The server process's CPU time so far in nanoseconds ({@code <ops>/cpu}: the bench WAR's and the limit
     * server's), or -1 where the JVM does not tell it. The swarm runs in another process, so it is not counted.
     */
    long cpuNanos() {
        Matcher x = Pattern.compile("\"process\":(-?\\d+)").matcher(get(ops + "/cpu"));
        return x.find() ? Long.parseLong(x.group(1)) : -1;
    }

    /** heap, rss, threads, pid of the server process. */
    Map<String, Long> ops(boolean gc) {
        String s = get(ops + "?gc=" + gc);
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        Matcher x = Pattern.compile("\"(\\w+)\":(-?\\d+)").matcher(s);
        while (x.find()) {
            m.put(x.group(1), Long.parseLong(x.group(2)));
        }
        return m;
    }
}
