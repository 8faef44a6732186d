package io.github.sseprogress.bench.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 11, point 13: publish → receive latency and delivered events/s of {@code Manager} topics across
 * nodes clustered on Redis, against the single node, in one run. Three modes, each at every size:
 * <ul>
 *   <li><b>single</b>: node A's plain {@code sse-bench.war} (no Redis): publish and subscribe on A;</li>
 *   <li><b>same</b>: node A's {@code sse-bench-cluster.war} (clustered): publish and subscribe on A, so every
 *       event goes A → Redis → A;</li>
 *   <li><b>cross</b>: publish on node A's clustered WAR, subscribers on node B's: A → Redis → B.</li>
 * </ul>
 * Publishing is the bench's {@code Pacer} on the publishing node (each payload carries its intended
 * {@code System.nanoTime()}; both nodes and this client are on one host, so {@code CLOCK_MONOTONIC} is shared);
 * subscribers are {@link Swarm} connections over real HTTP to the subscribing node. Per scenario it also
 * takes each node's CPU by thread group ({@code /ops/cpu}) and Redis's own CPU ({@code INFO cpu}).
 *
 * <p>Arguments: {@code portA portB redisPort outDir}. Sizes: {@code -Dcluster.sizes=10x100,1000x10}
 * (subscribers x publishes/s), {@code -Dcluster.seconds=6}, {@code -Dcluster.rounds=2}. {@code -Dcluster.server}
 * (set by {@code bench/cluster.sh}: {@code liberty} or {@code payara}) names the nodes' server in the report; for any
 * other value than {@code liberty} the files are {@code cluster-<time>-<server>.*}.
 */
public final class ClusterRunner {

    static final int BYTES = Integer.getInteger("cluster.bytes", 100);
    static final double SECONDS = Double.parseDouble(System.getProperty("cluster.seconds", "6"));
    static final String SIZES = System.getProperty("cluster.sizes", "10x100,10x1000,10x5000,1x20000,100x1000,1000x10,1000x100");
    static final int ROUNDS = Integer.getInteger("cluster.rounds", 2);
    static final String[] MODES = {"single", "same", "cross"};
    static final String SERVER = System.getProperty("cluster.server", "liberty");

    private final Target single;
    private final Target clusterA;
    private final Target clusterB;
    private final int redisPort;
    private final Path out;
    private final List<Map<String, Object>> results = new ArrayList<>();
    private int seq;

    ClusterRunner(Target single, Target clusterA, Target clusterB, int redisPort, Path out) {
        this.single = single;
        this.clusterA = clusterA;
        this.clusterB = clusterB;
        this.redisPort = redisPort;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int portA = Integer.parseInt(args[0]);
        int portB = Integer.parseInt(args[1]);
        int redisPort = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        Files.createDirectories(out);
        Target single = new Target("single", "127.0.0.1", portA, "/sse-bench/bench/ours", "/sse-bench/bench/ops");
        Target a = new Target("A", "127.0.0.1", portA, "/sse-bench-cluster/bench/ours", "/sse-bench-cluster/bench/ops");
        Target b = new Target("B", "127.0.0.1", portB, "/sse-bench-cluster/bench/ours", "/sse-bench-cluster/bench/ops");
        new ClusterRunner(single, a, b, redisPort, out).run();
        System.exit(0);
    }

    void run() throws IOException {
        long t0 = System.nanoTime();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + (SERVER.equals("liberty") ? "" : "-" + SERVER);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("server", SERVER);
        report.put("started", Instant.now().toString());
        report.put("loadavgAtStart", loadavg());
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.put("sizes", SIZES);
        report.put("publishSeconds", SECONDS);
        report.put("rounds", ROUNDS);
        report.put("payloadBytes", BYTES);
        report.put("results", results);
        Runner.log("warm-up (not recorded)");
        for (String mode : MODES) {
            scenario(mode, 10, 1000, 4, false);
            scenario(mode, 500, 20, 3, false);
        }
        for (int round = 1; round <= ROUNDS; round++) {
            for (String size : SIZES.split(",")) {
                String[] nr = size.trim().split("x");
                int n = Integer.parseInt(nr[0]);
                int rate = Integer.parseInt(nr[1]);
                for (String mode : MODES) { // interleaved: the three modes of a size see the same machine
                    Map<String, Object> r = scenario(mode, n, rate, SECONDS, true);
                    r.put("round", round);
                    results.add(r);
                }
            }
        }
        report.put("loadavgAtEnd", loadavg());
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        Files.writeString(out.resolve("cluster-" + stamp + ".json"), Json.write(report));
        Files.writeString(out.resolve("cluster-" + stamp + ".md"), markdown(report));
        Files.writeString(out.resolve("cluster-latest.txt"), "cluster-" + stamp + "\n");
        Runner.log("wrote " + out.resolve("cluster-" + stamp + ".{json,md}") + " in "
                + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        for (Target t : List.of(single, clusterA, clusterB)) {
            t.swarm.shutdown();
        }
    }

    Map<String, Object> scenario(String mode, int n, int rate, double seconds, boolean record) {
        Target pub = mode.equals("single") ? single : clusterA;
        Target sub = switch (mode) {
            case "single" -> single;
            case "same" -> clusterA;
            default -> clusterB;
        };
        String topic = "cl-" + mode + "-" + (++seq);
        Runner.log((record ? "" : "warm-up ") + mode + " n=" + n + " rate=" + rate + "/s");
        Swarm s = sub.swarm;
        s.reset();
        List<Swarm.Conn> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subs.add(new Swarm.Conn(sub.base + "/sse?topic=" + topic, 0, false, 0));
        }
        s.open(subs);
        boolean ready = await(() -> s.connected() + s.failed() >= n, 60)
                && await(() -> count(sub, "/count?topic=" + topic) >= n, 60);
        Runner.sleep(1.0); // a clustered join is answered by the engine's delivery thread: let it settle
        Map<String, Long> stats0 = stats(sub);
        Map<String, Long> cpuA0 = cpu(clusterA);
        Map<String, Long> cpuB0 = cpu(clusterB);
        double redis0 = redisCpu();
        long w0 = System.nanoTime();
        s.call(() -> {
            s.measuring = true;
            return null;
        });
        pub.api("/publish?topic=" + topic + "&rate=" + rate + "&seconds=" + seconds + "&bytes=" + BYTES);
        Runner.sleep(seconds);
        // drain: until every published event arrived, or nothing arrived for 2 s, or 15 s at most
        long drainEnd = System.nanoTime() + 15_000_000_000L;
        long last = -1;
        long lastChange = System.nanoTime();
        long published = 0;
        while (System.nanoTime() < drainEnd) {
            Runner.sleep(0.25);
            published = Long.parseLong(pub.api("/published?topic=" + topic));
            long got = s.call(() -> s.eventsMeasured);
            if (got != last) {
                last = got;
                lastChange = System.nanoTime();
            }
            if (published >= Math.round(rate * seconds) && got >= published * n) {
                break;
            }
            if (System.nanoTime() - lastChange > 2_000_000_000L) {
                break;
            }
        }
        long p = published;
        Map<String, Object> r = s.call(() -> {
            s.measuring = false;
            return latency(s, p, n);
        });
        double wall = (System.nanoTime() - w0) / 1e9;
        Map<String, Long> stats1 = stats(sub);
        Map<String, Long> cpuA1 = cpu(clusterA);
        Map<String, Long> cpuB1 = cpu(clusterB);
        double redis1 = redisCpu();
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("mode", mode);
        res.put("subscribers", n);
        res.put("rate", rate);
        res.put("seconds", seconds);
        res.put("ready", ready);
        res.putAll(r);
        res.put("wallSeconds", wall);
        // the subscribing node's library: events dropped by a full subscriber queue (sse.queue-size) in this scenario
        res.put("droppedBySubscriberQueue", stats1.getOrDefault("dropped", -1L) - stats0.getOrDefault("dropped", 0L));
        res.put("evicted", stats1.getOrDefault("evicted", -1L) - stats0.getOrDefault("evicted", 0L));
        // CPU per second of wall time: 1.0 = one core busy for the whole scenario
        res.put("cpuA", cpuShare(cpuA0, cpuA1, wall));
        res.put("cpuB", cpuShare(cpuB0, cpuB1, wall));
        res.put("cpuRedis", (redis1 - redis0) / wall);
        res.put("connectFailures", s.failed());
        res.put("closedByServer", s.closedByPeer());
        s.reset();
        Runner.sleep(1.5);
        Runner.log("  " + brief(res));
        return res;
    }

    private static Map<String, Object> latency(Swarm s, long published, long subscribers) {
        Map<String, Object> r = new LinkedHashMap<>();
        Histogram h = s.latency[0];
        r.put("published", published);
        r.put("expected", published * subscribers);
        r.put("received", s.eventsMeasured);
        double window = s.maxRecv > s.minT ? (s.maxRecv - s.minT) / 1e9 : Double.NaN;
        r.put("deliveredPerSecond", window > 0 ? s.eventsMeasured / window : 0.0);
        r.put("deliveredFraction", published == 0 ? 0.0 : (double) s.eventsMeasured / (published * subscribers));
        r.put("p50Ms", h.percentile(50) / 1000.0);
        r.put("p90Ms", h.percentile(90) / 1000.0);
        r.put("p99Ms", h.percentile(99) / 1000.0);
        r.put("p999Ms", h.percentile(99.9) / 1000.0);
        r.put("maxMs", h.max() / 1000.0);
        return r;
    }

    /** process CPU and the busiest thread groups, as CPU-seconds per wall second. */
    private static Map<String, Object> cpuShare(Map<String, Long> before, Map<String, Long> after, double wall) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (before.isEmpty() || after.isEmpty()) {
            return m;
        }
        m.put("process", (after.getOrDefault("process", 0L) - before.getOrDefault("process", 0L)) / 1e9 / wall);
        List<Map.Entry<String, Long>> groups = new ArrayList<>();
        after.forEach((k, v) -> {
            if (!k.equals("process")) {
                groups.add(Map.entry(k, v - before.getOrDefault(k, 0L)));
            }
        });
        groups.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        Map<String, Object> top = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : groups) {
            if (top.size() < 6 || e.getKey().startsWith("sse-redis")) {
                top.put(e.getKey(), e.getValue() / 1e9 / wall);
            }
        }
        m.put("threads", top);
        return m;
    }

    private static Map<String, Long> stats(Target t) {
        Map<String, Long> m = new LinkedHashMap<>();
        try {
            Matcher x = Pattern.compile("\"(\\w+)\":(-?\\d+)").matcher(t.api("/stats"));
            while (x.find()) {
                m.put(x.group(1), Long.parseLong(x.group(2)));
            }
        } catch (RuntimeException e) {
            Runner.log("  stats of " + t.name + " unavailable: " + e);
        }
        return m;
    }

    private static Map<String, Long> cpu(Target t) {
        Map<String, Long> m = new LinkedHashMap<>();
        try {
            Matcher x = Pattern.compile("\"([^\"]+)\":(-?\\d+)").matcher(t.get(t.ops + "/cpu"));
            while (x.find()) {
                m.put(x.group(1), Long.parseLong(x.group(2)));
            }
        } catch (RuntimeException e) {
            Runner.log("  cpu of " + t.name + " unavailable: " + e);
        }
        return m;
    }

    /** used_cpu_sys + used_cpu_user of the Redis server, seconds (RESP inline command over a plain socket). */
    private double redisCpu() {
        try (Socket so = new Socket("127.0.0.1", redisPort)) {
            so.setSoTimeout(5000);
            OutputStream o = so.getOutputStream();
            o.write("INFO cpu\r\n".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = so.getInputStream();
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n' && c >= 0) {
                head.append((char) c);
            }
            int len = Integer.parseInt(head.toString().trim().substring(1));
            String body = new String(in.readNBytes(len), StandardCharsets.US_ASCII);
            double sum = 0;
            Matcher x = Pattern.compile("used_cpu_(sys|user):([0-9.]+)").matcher(body);
            while (x.find()) {
                sum += Double.parseDouble(x.group(2));
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long count(Target t, String q) {
        try {
            return Long.parseLong(t.api(q));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static boolean await(java.util.function.BooleanSupplier c, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) {
                return true;
            }
            Runner.sleep(0.2);
        }
        Runner.log("  WARNING: condition not met within " + seconds + " s");
        return false;
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String brief(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : r.entrySet()) {
            Object v = e.getValue();
            b.append(e.getKey()).append('=').append(v instanceof Double d ? String.format("%.2f", d) : v).append(' ');
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- Markdown

    private Map<String, Object> find(String mode, Object n, Object rate, Object round) {
        for (Map<String, Object> r : results) {
            if (r.get("mode").equals(mode) && r.get("subscribers").equals(n) && r.get("rate").equals(rate)
                    && r.get("round").equals(round)) {
                return r;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static double sub(Map<String, Object> r, String node, String key) {
        Object c = r.get(node);
        if (!(c instanceof Map)) {
            return Double.NaN;
        }
        Map<String, Object> m = (Map<String, Object>) c;
        if (key.equals("process")) {
            return Summary.d(m, "process");
        }
        Object t = m.get("threads");
        if (!(t instanceof Map)) {
            return Double.NaN;
        }
        double best = Double.NaN;
        for (Map.Entry<String, Object> e : ((Map<String, Object>) t).entrySet()) {
            if (e.getKey().startsWith(key)) {
                double v = ((Number) e.getValue()).doubleValue();
                best = Double.isNaN(best) ? v : best + v;
            }
        }
        return best;
    }

    String markdown(Map<String, Object> report) {
        StringBuilder b = new StringBuilder();
        b.append("Nodes: ").append(report.get("server")).append(". Run started ").append(report.get("started")).append(", ").append(Summary.f(Summary.d(report, "seconds")))
                .append(" s; load average at start ").append(report.get("loadavgAtStart")).append(", at end ")
                .append(report.get("loadavgAtEnd")).append("; ").append(report.get("cpus")).append(" CPUs; ")
                .append(report.get("java")).append("\n\n");
        b.append("### Ratios to single-node (same run)\n\n| subscribers | publishes/s | mode | events/s ÷ single "
                + "| p50 ÷ single | p99 ÷ single | p50 ms | p99 ms | delivered fraction |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : results) {
            Map<String, Object> s = find("single", r.get("subscribers"), r.get("rate"), r.get("round"));
            b.append("| ").append(r.get("subscribers")).append(" | ").append(r.get("rate")).append(" | ")
                    .append(r.get("mode")).append(" | ")
                    .append(Summary.f(Summary.d(r, "deliveredPerSecond") / Summary.d(s, "deliveredPerSecond")))
                    .append(" | ").append(Summary.f(Summary.d(r, "p50Ms") / Summary.d(s, "p50Ms"))).append(" | ")
                    .append(Summary.f(Summary.d(r, "p99Ms") / Summary.d(s, "p99Ms"))).append(" | ")
                    .append(Summary.f(Summary.d(r, "p50Ms"))).append(" | ").append(Summary.f(Summary.d(r, "p99Ms")))
                    .append(" | ").append(Summary.f(Summary.d(r, "deliveredFraction"))).append(" |\n");
        }
        b.append("\n### Raw figures and CPU (CPU-seconds per wall second; 1.00 = one core)\n\n| subscribers | publishes/s "
                + "| mode | published | received | dropped (queue) | delivered events/s | p50 ms | p90 ms | p99 ms | max ms | CPU node A "
                + "| CPU node B | CPU redis | A: outbox | A: subscription | A: delivery | B: subscription | B: delivery |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : results) {
            b.append("| ").append(r.get("subscribers")).append(" | ").append(r.get("rate")).append(" | ")
                    .append(r.get("mode")).append(" | ").append(r.get("published")).append(" | ")
                    .append(r.get("received")).append(" | ").append(r.get("droppedBySubscriberQueue")).append(" | ")
                    .append(Summary.f(Summary.d(r, "deliveredPerSecond")))
                    .append(" | ").append(Summary.f(Summary.d(r, "p50Ms"))).append(" | ")
                    .append(Summary.f(Summary.d(r, "p90Ms"))).append(" | ").append(Summary.f(Summary.d(r, "p99Ms")))
                    .append(" | ").append(Summary.f(Summary.d(r, "maxMs"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuA", "process"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuB", "process"))).append(" | ")
                    .append(Summary.f(Summary.d(r, "cpuRedis"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuA", "sse-redis-outbox"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuA", "sse-redis-subscription"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuA", "sse-redis-delivery"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuB", "sse-redis-subscription"))).append(" | ")
                    .append(Summary.f(sub(r, "cpuB", "sse-redis-delivery"))).append(" |\n");
        }
        return b.toString();
    }
}
