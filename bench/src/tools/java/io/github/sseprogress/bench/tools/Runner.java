package io.github.sseprogress.bench.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs every scenario against the three systems in one run and writes
 * {@code <out>/run-<timestamp>.json}, {@code .md} (tables of ratios) and {@code .svg} (latency
 * percentiles vs subscriber count). Sizes come from system properties (defaults = the documented run).
 *
 * <p>Arguments: {@code serverPort limitPort outDir [server]}; {@code server} ({@code liberty} by default, or
 * {@code payara}) only labels the report and, when not {@code liberty}, suffixes the file names.
 */
public final class Runner {

    static final int BYTES = Integer.getInteger("bench.bytes", 100);
    static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "10"));
    static final int[] FANOUT_N = ints(System.getProperty("bench.fanout.n", "1000,5000"));
    static final int[] FANOUT_RATE = ints(System.getProperty("bench.fanout.rate", "10,100"));
    static final int STALL_FILL = Integer.getInteger("bench.stall.fill", 8 << 20);
    /** The "many stalled" variant (issue 15: "and 32 stalled"): this many stalled clients at once, 0 = off. */
    static final int STALL_MANY = Integer.getInteger("bench.stall.many", 32);
    /** Its sizes, {@code subscribersxrate}; its fill is smaller (4 MiB is above what the kernel takes, ~2.8 MB). */
    static final String STALL_MANY_SIZES = System.getProperty("bench.stall.many.sizes", "5000x10");
    static final int STALL_MANY_FILL = Integer.getInteger("bench.stall.many.fill", 4 << 20);
    static final int JOBS = Integer.getInteger("bench.jobs", 1000);
    static final int JOB_SUBS = Integer.getInteger("bench.jobs.subs", 2);
    static final double JOB_RATE = Double.parseDouble(System.getProperty("bench.jobs.rate", "20"));
    static final int JOB_LATE = Integer.getInteger("bench.jobs.late", 200);
    static final int IDLE_N = Integer.getInteger("bench.idle.n", 10000);
    static final double IDLE_SECONDS = Double.parseDouble(System.getProperty("bench.idle.seconds", "20"));
    static final int BURST_PUBLISHERS = Integer.getInteger("bench.burst.publishers", 64);
    /** Events per publisher, one burst per value: 3 × 64 = 192 fits a default queue (256), 100 × 64 does not. */
    static final int[] BURST_COUNTS = ints(System.getProperty("bench.burst.count", "3,100"));
    static final int BURST_SUBS = Integer.getInteger("bench.burst.n", 100);
    /** The limit server's per-socket queue in the burst: the library's default {@code sse.queue-size}. */
    static final int BURST_LIMIT_QUEUE = Integer.getInteger("bench.burst.limit.queue", 256);
    /**
     * Ours' per-subscriber queue in the burst ({@code SubscribeOptions.queueSize}), 0 = the library's default
     * ({@code sse.queue-size}, 256): e.g. 6400 shows whether a burst the queue can hold arrives whole.
     */
    static final int BURST_QUEUE = Integer.getInteger("bench.burst.queue", 0);
    /** Base path of a second build of the bench WAR (another library version) in the same server, or empty. */
    static final String COMPARE = System.getProperty("bench.compare", "");
    /**
     * How ours subscribes: {@code sink} (the JAX-RS SseEventSink, default), {@code servlet} (the servlet
     * transport, SseServletSink), or {@code both}: ours by sink, and the same WAR by servlet as a second
     * target named "servlet" measured where a compared WAR would be (same run, interleaved; fan-out, progress
     * and burst).
     */
    static final String OURS_TRANSPORT = System.getProperty("bench.ours.transport", "sink");
    static final String ONLY = System.getProperty("bench.only", "fanout,stall,progress,idle,burst");
    /**
     * The stalled scenarios' control: the same stalled clients and fills, but subscribed to ANOTHER topic, so
     * the measured topic has no stalled subscriber. What the fills themselves cost the machine (a 4–8 MiB
     * event serialised and written every 4 s) then shows apart from what a stalled subscriber costs its topic.
     */
    /**
     * The idle scenario's control: stock whose response is committed at once (one empty comment, as ours does
     * with its opening frame), so "ours − stock" can be told apart from what a committed response costs.
     */
    static final boolean IDLE_COMMITTED = Boolean.parseBoolean(System.getProperty("bench.idle.committed", "true"));
    static final boolean STALL_CONTROL = Boolean.parseBoolean(System.getProperty("bench.stall.control", "true"));
    /**
     * The stalled scenarios run ours twice and the control twice (in topic, control, control, in topic: A B B A),
     * so the run shows how far two slots of the same thing differ, next to the ratio the goal reads.
     */
    static final boolean STALL_REPEAT = Boolean.parseBoolean(System.getProperty("bench.stall.repeat", "true"));
    /**
     * The container's floor in the fan-out ({@code /sse-bench/floor}, FloorServlet): a minimal servlet broadcaster
     * without the library or JAX-RS, on the same server, twice (after stock, and before the last limit slot).
     */
    static final boolean FLOOR = Boolean.parseBoolean(System.getProperty("bench.floor", "true"));
    /**
     * Progress: beside the late subscribers, as many probes to stock's {@code sse-committed} (a JAX-RS SSE method
     * that commits its response at once) open at the same moment, interleaved: their time to the response headers
     * is what the server's request path costs any SSE request then, without the library.
     */
    static final boolean PROBES = Boolean.parseBoolean(System.getProperty("bench.progress.probes", "true"));

    private final Target ours;
    private final Target stock;
    private final Target limit;
    /** Stock with its response committed at once: the idle scenario's control ({@code stock/sse-committed}). */
    private Target stockCommitted;
    private Target before;
    /** The container's floor (FloorServlet), or null. */
    private Target floor;
    private final Path out;
    private String server = "liberty";
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<Map<String, Object>> results = new ArrayList<>();
    private int seq;

    Runner(Target ours, Target stock, Target limit, Path out) {
        this.ours = ours;
        this.stock = stock;
        this.limit = limit;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int serverPort = Integer.parseInt(args[0]);
        int limitPort = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        Files.createDirectories(out);
        Target ours = new Target("ours", "127.0.0.1", serverPort, "/sse-bench/bench/ours", "/sse-bench/bench/ops");
        Target stock = new Target("stock", "127.0.0.1", serverPort, "/sse-bench/bench/stock", "/sse-bench/bench/ops");
        Target limit = new Target("limit", "127.0.0.1", limitPort, "/limit", "/limit/ops");
        Runner r = new Runner(ours, stock, limit, out);
        if (IDLE_COMMITTED && ONLY.contains("idle")) {
            r.stockCommitted = new Target("stock-committed", "127.0.0.1", serverPort, "/sse-bench/bench/stock",
                    "/sse-bench/bench/ops");
            r.stockCommitted.subscribe = "sse-committed";
        }
        if (args.length > 3) {
            r.server = args[3];
        }
        if (FLOOR && ONLY.contains("fanout")) {
            r.floor = new Target("floor", "127.0.0.1", serverPort, "/sse-bench/floor", "/sse-bench/bench/ops");
        }
        if (!COMPARE.isEmpty()) {
            r.before = new Target("before", "127.0.0.1", serverPort, COMPARE, "/sse-bench/bench/ops");
        }
        if (OURS_TRANSPORT.equals("servlet")) {
            ours.subscribe = "servlet";
            if (r.before != null) {
                r.before.subscribe = "servlet"; // a compared WAR by the same transport
            }
        } else if (OURS_TRANSPORT.equals("both")) {
            r.before = new Target("servlet", "127.0.0.1", serverPort, "/sse-bench/bench/ours", "/sse-bench/bench/ops");
            r.before.subscribe = "servlet";
        }
        r.run();
        System.exit(0);
    }

    void run() throws IOException {
        long t0 = System.nanoTime();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + (server.equals("liberty") ? "" : "-" + server);
        report.put("started", Instant.now().toString());
        report.put("server", server);
        report.put("machine", machine());
        report.put("sizes", sizes());
        report.put("results", results);
        // warm-up: JIT both servers and the client on a small fan-out, not recorded
        log("warm-up");
        for (Target t : List.of(limit, stock, ours)) {
            fanout(t, 500, 100, 4, false, false);
        }
        if (before != null) {
            fanout(before, 500, 100, 4, false, false);
        }
        if (floor != null) {
            fanout(floor, 500, 100, 4, false, false);
        }
        if (ONLY.contains("fanout")) {
            for (int n : FANOUT_N) {
                for (int rate : FANOUT_RATE) {
                    for (Target t : List.of(limit, stock, ours)) {
                        results.add(fanout(t, n, rate, SECONDS, false, true));
                        if (t == stock && floor != null) {
                            results.add(fanout(floor, n, rate, SECONDS, false, true));
                        }
                    }
                    if (before != null) {
                        // ours (above), before, before, ours, limit: A B B A, so a drift during the run (load,
                        // heap, JIT) or a penalty for going first weighs on both versions alike
                        results.add(fanout(before, n, rate, SECONDS, false, true));
                        results.add(fanout(before, n, rate, SECONDS, false, true));
                        results.add(fanout(ours, n, rate, SECONDS, false, true));
                        if (floor != null) {
                            results.add(fanout(floor, n, rate, SECONDS, false, true));
                        }
                        results.add(fanout(limit, n, rate, SECONDS, false, true));
                    }
                }
            }
        }
        if (ONLY.contains("stall")) {
            for (int n : FANOUT_N) {
                for (int rate : FANOUT_RATE) {
                    stalledSlots(n, rate, 1, STALL_FILL);
                }
            }
        }
        if (ONLY.contains("progress")) {
            for (Target t : List.of(limit, ours)) {
                results.add(progress(t));
            }
            if (before != null) {
                // as in the fan-out: ours (above), before, before, ours, limit (A B B A)
                results.add(progress(before));
                results.add(progress(before));
                results.add(progress(ours));
                results.add(progress(limit));
            }
        }
        if (ONLY.contains("idle")) {
            for (Target t : List.of(limit, stock, ours)) {
                results.add(idle(t));
                if (t == stock && IDLE_COMMITTED) {
                    results.add(idle(stockCommitted));
                }
            }
        }
        if (ONLY.contains("burst")) {
            for (int count : BURST_COUNTS) {
                for (Target t : List.of(limit, stock, ours)) {
                    results.add(burst(t, count));
                }
                if (before != null && OURS_TRANSPORT.equals("both")) {
                    results.add(burst(before, count));
                }
            }
        }
        if (ONLY.contains("stall") && STALL_MANY > 0) {
            // last: 32 fills of 4 MiB at once are the heaviest thing the bench asks of a 1 GB server heap
            for (String size : STALL_MANY_SIZES.split(",")) {
                int n = Integer.parseInt(size.split("x")[0].trim());
                int rate = Integer.parseInt(size.split("x")[1].trim());
                stalledSlots(n, rate, STALL_MANY, STALL_MANY_FILL);
            }
        }
        report.put("seconds", (System.nanoTime() - t0) / 1e9);
        report.put("loadavgAtEnd", loadavg());
        report.put("summary", Summary.ratios(results));
        report.put("burstSummary", Summary.burstRatios(results));
        Files.writeString(out.resolve("run-" + stamp + ".json"), Json.write(report));
        Files.writeString(out.resolve("run-" + stamp + ".md"), Summary.markdown(report, results));
        Files.writeString(out.resolve("run-" + stamp + ".svg"), Plot.svg(results, server));
        Files.writeString(out.resolve("latest.txt"), "run-" + stamp + "\n");
        log("wrote " + out.resolve("run-" + stamp + ".json") + " in " + (System.nanoTime() - t0) / 1_000_000_000 + " s");
        for (Target t : List.of(ours, stock, limit)) {
            t.swarm.shutdown();
        }
        if (stockCommitted != null) {
            stockCommitted.swarm.shutdown();
        }
        if (before != null) {
            before.swarm.shutdown();
        }
        if (floor != null) {
            floor.swarm.shutdown();
        }
    }

    // ---------------------------------------------------------------- fan-out (and stalled)

    /**
     * One stalled scenario: stock, then ours with the stalled clients in the topic, then (with the control) the
     * control and, repeated, control and in topic again (A B B A).
     */
    private void stalledSlots(int n, int rate, int clients, int fill) {
        for (Target t : List.of(stock, ours)) {
            results.add(fanout(t, n, rate, SECONDS, clients, fill));
        }
        if (STALL_CONTROL) {
            results.add(fanout(ours, n, rate, SECONDS, clients, fill, true));
            if (STALL_REPEAT) {
                results.add(fanout(ours, n, rate, SECONDS, clients, fill, true));
                results.add(fanout(ours, n, rate, SECONDS, clients, fill));
            }
        }
    }

    Map<String, Object> fanout(Target t, int n, int rate, double seconds, boolean stalled, boolean record) {
        return fanout(t, n, rate, seconds, stalled ? 1 : 0, STALL_FILL);
    }

    Map<String, Object> fanout(Target t, int n, int rate, double seconds, int stalledClients, int fill) {
        return fanout(t, n, rate, seconds, stalledClients, fill, false);
    }

    /**
     * Fan-out to {@code n} readers with {@code stalledClients} stalled ones first ("stalled", or "stalledMany" if
     * > 1), or, {@code elsewhere}, with the stalled clients on another topic (the control, "…Elsewhere").
     */
    Map<String, Object> fanout(Target t, int n, int rate, double seconds, int stalledClients, int fill, boolean elsewhere) {
        boolean stalled = stalledClients > 0;
        String topic = (stalled ? "stall-" : "fan-") + (++seq);
        String stallTopic = elsewhere ? topic + "-elsewhere" : topic;
        String scenario = (!stalled ? "fanout" : stalledClients == 1 ? "stalled" : "stalledMany")
                + (elsewhere ? "Elsewhere" : "");
        log(scenario + " " + t.name + " n=" + n + " rate=" + rate + "/s" + (stalled ? " stalled=" + stalledClients : ""));
        Swarm s = t.swarm;
        s.reset();
        List<Swarm.Conn> stall = new ArrayList<>();
        int extra = 0;
        if (stalled) {
            // first in the broadcaster's list: what a stalled client costs its successors is the point
            stall = stalledConns(t, stallTopic, stalledClients, fill);
            extra = elsewhere ? 0 : stalledClients;
            await(() -> count(t, "/count?topic=" + stallTopic) >= stalledClients, 30);
        }
        List<Swarm.Conn> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subs.add(new Swarm.Conn(t.base + "/" + t.subscribe + "?topic=" + topic, 0, false, 0));
        }
        s.open(subs);
        int all = n + extra;
        // the server's write timeout may already have ended a stalled client (Payara's 2.5 s, while 5,000 others
        // connect): the topic's count then stays below n + extra, so readiness asks for the n readers only
        boolean ready = await(() -> s.connected() + s.failed() >= all, 120)
                && await(() -> count(t, "/count?topic=" + topic) >= n, 120);
        sleep(1.0);
        Map<String, Long> during = t.ops(false);
        s.call(() -> {
            s.measuring = true;
            return null;
        });
        long cpu0 = t.cpuNanos();
        t.api("/publish?topic=" + topic + "&rate=" + rate + "&seconds=" + seconds + "&bytes=" + BYTES);
        long end = System.nanoTime() + (long) ((seconds + 3) * 1e9);
        while (System.nanoTime() < end) {
            sleep(stalled ? 4.0 : 0.5);
            if (stalled && System.nanoTime() < end - 2_000_000_000L) {
                // the server's writeTimeout (5 s) closes a stalled connection: keep them stalled at all times
                for (Swarm.Conn c : stall) {
                    s.close(c);
                }
                stall = stalledConns(t, stallTopic, stalledClients, fill);
            }
        }
        long cpu1 = t.cpuNanos();
        long published = Long.parseLong(t.api("/published?topic=" + topic));
        Map<String, Object> r = s.call(() -> {
            s.measuring = false;
            return latencyResult(s, s.latency[0], published, n);
        });
        // The server's CPU over the publishing window (+3 s to drain), per event received: the cost of one
        // delivery, which the load of the machine changes far less than it changes a latency percentile.
        long received = ((Number) r.get("received")).longValue();
        double cpuUs = cpu0 < 0 || cpu1 < 0 || received == 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / received;
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("scenario", scenario);
        res.put("target", t.name);
        res.put("subscribers", n);
        res.put("rate", rate);
        res.put("seconds", seconds);
        res.put("stalledClients", stalledClients);
        res.put("ready", ready);
        res.putAll(r);
        res.put("serverThreads", during.get("threads"));
        res.put("serverRss", during.get("rss"));
        res.put("serverCpuUsPerEvent", cpuUs);
        res.put("connectFailures", s.failed());
        res.put("closedByServer", s.closedByPeer());
        s.reset();
        t.api("/close?topic=" + topic);
        if (elsewhere) {
            t.api("/close?topic=" + stallTopic);
        }
        sleep(1.5);
        log("  " + brief(res));
        return res;
    }

    private List<Swarm.Conn> stalledConns(Target t, String topic, int count, int fill) {
        List<Swarm.Conn> cs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            cs.add(new Swarm.Conn(t.base + "/stalled?topic=" + topic + "&fill=" + fill, 0, true, 4096));
        }
        t.swarm.open(cs);
        return cs;
    }

    private static Map<String, Object> latencyResult(Swarm s, Histogram h, long published, long subscribers) {
        Map<String, Object> r = new LinkedHashMap<>();
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

    // ---------------------------------------------------------------- burst (64 publishers at once)

    /**
     * {@code bench.burst.publishers} threads publish {@code burstCount} events each to one topic,
     * released together, to {@code bench.burst.n} subscribers that read as fast as they can. Per
     * subscriber: the events received, the loss signals ({@code event: missed}) and the drops they
     * report, each publisher's order. The guarantee: received + reported drops = published, for every
     * subscriber (everything, or the signal; never a silent gap), and no publisher's events out of order.
     */
    Map<String, Object> burst(Target t, int burstCount) {
        String topic = "burst-" + (++seq);
        log("burst " + t.name + " n=" + BURST_SUBS + " publishers=" + BURST_PUBLISHERS + " x " + burstCount);
        Swarm s = t.swarm;
        s.reset();
        List<Swarm.Conn> subs = new ArrayList<>();
        for (int i = 0; i < BURST_SUBS; i++) {
            subs.add(new Swarm.Conn(t.base + "/" + t.subscribe + "?topic=" + topic
                    + (BURST_QUEUE > 0 && t != limit && t != stock ? "&queue=" + BURST_QUEUE : ""), 0, false, 0));
        }
        s.open(subs);
        boolean ready = await(() -> s.connected() + s.failed() >= BURST_SUBS, 120)
                && await(() -> count(t, "/count?topic=" + topic) >= BURST_SUBS, 120);
        sleep(1.0);
        Map<String, Long> stats0 = stats(t);
        s.call(() -> {
            s.burstCount = burstCount;
            s.burstPublishers = BURST_PUBLISHERS;
            s.measuring = true;
            return null;
        });
        long expected = (long) BURST_PUBLISHERS * burstCount;
        long t0 = System.nanoTime();
        String answer = t.api("/burst?topic=" + topic + "&publishers=" + BURST_PUBLISHERS + "&count=" + burstCount
                + "&bytes=" + BYTES + (t == limit ? "&queue=" + BURST_LIMIT_QUEUE : ""));
        // done when every subscriber has every event or a signal for the rest, or nothing moved for 3 s
        long[] last = {-1, System.nanoTime()};
        await(() -> {
            long[] sum = s.call(() -> {
                long got = 0;
                long accounted = 0;
                for (long[] c : s.burstTotals()) {
                    got += c[0];
                    accounted += Math.min(expected, c[0] + c[2]);
                }
                return new long[] {got, accounted};
            });
            if (sum[1] >= expected * BURST_SUBS) {
                return true;
            }
            if (sum[0] != last[0]) {
                last[0] = sum[0];
                last[1] = System.nanoTime();
            }
            return System.nanoTime() - last[1] > 3_000_000_000L;
        }, 60);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // the publishers' side: how long they were held (a broadcast that blocks its caller) and what threw
        await(() -> t.api("/burst/info?topic=" + topic).contains("\"done\":true"), 60);
        String info = t.api("/burst/info?topic=" + topic);
        long published = Long.parseLong(t.api("/published?topic=" + topic));
        Map<String, Long> stats1 = stats(t);
        List<long[]> per = s.call(s::burstTotals);
        Histogram h = s.call(() -> s.latency[0]);
        long complete = 0;
        long signalled = 0;
        long silentGaps = 0;
        long missedSignals = 0;
        long orderErrors = 0;
        long received = 0;
        long closed = 0;
        double minFraction = 1.0;
        for (long[] c : per) {
            received += c[0];
            missedSignals += c[1];
            orderErrors += c[3];
            closed += c[4];
            minFraction = Math.min(minFraction, published == 0 ? 0 : c[0] / (double) published);
            if (c[0] == published) {
                complete++;
            } else if (c[0] + c[2] == published) {
                signalled++;
            } else {
                silentGaps++;
            }
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("scenario", "burst");
        res.put("target", t.name);
        res.put("subscribers", BURST_SUBS);
        res.put("publishers", BURST_PUBLISHERS);
        res.put("eventsPerPublisher", burstCount);
        res.put("queue", t == limit ? BURST_LIMIT_QUEUE : t == stock ? 0 : BURST_QUEUE);
        res.put("ready", ready);
        res.put("answer", answer);
        res.put("published", published);
        res.put("expected", published * BURST_SUBS);
        res.put("received", received);
        res.put("deliveredFraction", published == 0 ? 0.0 : received / (double) (published * BURST_SUBS));
        res.put("minDeliveredFraction", minFraction);
        res.put("subscribersComplete", complete);
        res.put("subscribersWithSignalledLoss", signalled);
        res.put("subscribersWithSilentGap", silentGaps);
        res.put("missedSignals", missedSignals);
        res.put("orderErrors", orderErrors);
        res.put("closedByServer", closed);
        res.put("publishMs", longField(info, "publishMs"));
        res.put("publishErrors", longField(info, "errors"));
        java.util.regex.Matcher fe = java.util.regex.Pattern.compile("\"firstError\":\"([^\"]*)\"").matcher(info);
        res.put("firstPublishError", fe.find() ? fe.group(1) : "");
        // ours: Manager.stats(); limit: frames written or queued / dropped at its queue; stock: no such counters
        res.put("serverDelivered", stats1.containsKey("delivered") ? stats1.get("delivered") - stats0.get("delivered") : null);
        res.put("serverDropped", stats1.containsKey("dropped") ? stats1.get("dropped") - stats0.get("dropped") : null);
        res.put("p50Ms", h.percentile(50) / 1000.0);
        res.put("p99Ms", h.percentile(99) / 1000.0);
        res.put("maxMs", h.max() / 1000.0);
        res.put("secondsToSettle", seconds);
        res.put("guaranteeHeld", silentGaps == 0 && orderErrors == 0 && published == expected);
        s.reset();
        t.api("/close?topic=" + topic);
        sleep(1.5);
        log("  " + brief(res));
        if (silentGaps > 0 || orderErrors > 0) {
            log("  BURST GUARANTEE BROKEN: " + silentGaps + " subscribers with a silent gap, " + orderErrors
                    + " events out of their publisher's order");
        }
        return res;
    }

    private static long longField(String json, String key) {
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(json);
        return x.find() ? Long.parseLong(x.group(1)) : -1;
    }

    /** The server's delivery counters where it has them (ours, limit); empty for stock. */
    private static Map<String, Long> stats(Target t) {
        if (t.name.equals("stock")) {
            return new LinkedHashMap<>();
        }
        String js = t.api("/stats");
        Map<String, Long> m = new LinkedHashMap<>();
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("\"(\\w+)\":(-?\\d+)").matcher(js);
        while (x.find()) {
            m.put(x.group(1), Long.parseLong(x.group(2)));
        }
        return m;
    }

    // ---------------------------------------------------------------- progress (Tracker jobs)

    Map<String, Object> progress(Target t) {
        String prefix = "job" + (++seq);
        log("progress " + t.name + " jobs=" + JOBS + " x " + JOB_SUBS + " subs, " + JOB_RATE + " snapshots/s each");
        Swarm s = t.swarm;
        s.reset();
        Map<String, Long> heap0 = t.ops(true);
        t.api("/jobs/start?prefix=" + prefix + "&count=" + JOBS + "&bytes=" + BYTES);
        Map<String, Long> heap1 = t.ops(true);
        // a job subscription by the target's transport: jobs/sse (JAX-RS sink; the limit server) or jobs/servlet
        String jobsPath = t.subscribe.equals("servlet") ? "/jobs/servlet" : "/jobs/sse";
        List<Swarm.Conn> subs = new ArrayList<>();
        for (int i = 0; i < JOBS * JOB_SUBS; i++) {
            subs.add(new Swarm.Conn(t.base + jobsPath + "?topic=" + prefix + "/" + (i % JOBS), 0, false, 0));
        }
        s.open(subs);
        int n = JOBS * JOB_SUBS;
        boolean ready = await(() -> s.connected() + s.failed() >= n, 120)
                && await(() -> count(t, "/jobs/count?prefix=" + prefix + "&count=" + JOBS) >= n, 120);
        sleep(1.0);
        Map<String, Long> during = t.ops(false);
        s.call(() -> {
            s.measuring = true;
            s.sampleEveryNanos = 100_000_000L;
            s.heldFloorNanos = System.nanoTime();
            return null;
        });
        t.api("/jobs/publish?prefix=" + prefix + "&count=" + JOBS + "&rate=" + JOB_RATE + "&seconds=" + SECONDS
                + "&bytes=" + BYTES);
        sleep(SECONDS / 2);
        List<Swarm.Conn> late = new ArrayList<>();
        boolean probes = PROBES && !t.name.equals("limit");
        for (int i = 0; i < JOB_LATE; i++) {
            late.add(new Swarm.Conn(t.base + jobsPath + "?topic=" + prefix + "/" + (i % JOBS), 1, false, 0));
            if (probes) {
                late.add(new Swarm.Conn(stock.base + "/sse-committed?topic=probe-" + prefix, Swarm.PROBE, false, 0));
            }
        }
        s.open(late);
        sleep(SECONDS / 2);
        s.call(() -> {
            s.sampleEveryNanos = 0; // publishing is over: a held snapshot only ages from here on
            return null;
        });
        sleep(3);
        long published = Long.parseLong(t.api("/published?prefix=" + prefix));
        Map<String, Object> r = s.call(() -> {
            s.measuring = false;
            s.sampleEveryNanos = 0;
            Map<String, Object> m = latencyResult(s, s.latency[0], published, JOB_SUBS);
            // latest-wins: fewer deliveries than publishes is by design; staleness is the figure
            m.put("deliveredFraction", published == 0 ? 0.0 : (double) s.eventsMeasured / (published * JOB_SUBS));
            m.put("stalenessP50Ms", s.staleness.percentile(50) / 1000.0);
            m.put("stalenessP99Ms", s.staleness.percentile(99) / 1000.0);
            m.put("stalenessMaxMs", s.staleness.max() / 1000.0);
            m.put("stalenessSamples", s.staleness.count());
            m.put("lateSubscribers", JOB_LATE);
            m.put("lateFirstEventP50Ms", s.firstEvent.percentile(50) / 1000.0);
            m.put("lateFirstEventP99Ms", s.firstEvent.percentile(99) / 1000.0);
            m.put("lateFirstEventCount", s.firstEvent.count());
            // the response headers: how much of the first event's wait came before the stream had started
            m.put("lateHeadersP50Ms", s.firstHeaders.percentile(50) / 1000.0);
            m.put("lateHeadersP99Ms", s.firstHeaders.percentile(99) / 1000.0);
            m.put("lateLatencyP99Ms", s.latency[1].percentile(99) / 1000.0);
            if (probes) {
                // the same moment's plain JAX-RS SSE request (stock, committed at once): the server's request path
                m.put("probeHeadersP50Ms", s.probeHeaders.percentile(50) / 1000.0);
                m.put("probeHeadersP99Ms", s.probeHeaders.percentile(99) / 1000.0);
                m.put("probeCount", s.probeHeaders.count());
            }
            return m;
        });
        s.reset();
        // a closed client is found by the next write, at the latest the next heartbeat (5 s): wait for two
        sleep(t.name.equals("limit") ? 1.0 : 11.0);
        Map<String, Long> heap2 = t.ops(true);
        t.api("/jobs/finish?prefix=" + prefix + "&count=" + JOBS);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("scenario", "progress");
        res.put("target", t.name);
        res.put("jobs", JOBS);
        res.put("subscribersPerJob", JOB_SUBS);
        res.put("subscribers", n);
        res.put("ratePerJob", JOB_RATE);
        res.put("seconds", SECONDS);
        res.put("ready", ready);
        res.putAll(r);
        res.put("heapPerJobAfterFirstSnapshot", (heap1.get("heap") - heap0.get("heap")) / (double) JOBS);
        res.put("heapPerJobAfterRun", (heap2.get("heap") - heap0.get("heap")) / (double) JOBS);
        res.put("snapshotsPerJob", published / (double) JOBS);
        res.put("serverThreads", during.get("threads"));
        sleep(1.0);
        log("  " + brief(res));
        return res;
    }

    // ---------------------------------------------------------------- idle

    Map<String, Object> idle(Target t) {
        String topic = "idle-" + (++seq);
        log("idle " + t.name + " n=" + IDLE_N + " for " + IDLE_SECONDS + " s");
        Swarm s = t.swarm;
        s.reset();
        sleep(1.0);
        Map<String, Long> base = t.ops(true);
        List<Swarm.Conn> subs = new ArrayList<>();
        for (int i = 0; i < IDLE_N; i++) {
            subs.add(new Swarm.Conn(t.base + "/" + t.subscribe + "?topic=" + topic, 0, false, 0));
        }
        long open0 = System.nanoTime();
        s.open(subs);
        boolean ready = await(() -> s.connected() + s.failed() >= IDLE_N, 180)
                && await(() -> count(t, "/count?topic=" + topic) >= IDLE_N, 180);
        double connectSeconds = (System.nanoTime() - open0) / 1e9;
        sleep(IDLE_SECONDS);
        Map<String, Long> loaded = t.ops(true);
        long[] totals = s.call(s::totals);
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("scenario", "idle");
        res.put("target", t.name);
        res.put("subscribers", IDLE_N);
        res.put("seconds", IDLE_SECONDS);
        res.put("ready", ready);
        res.put("connectSeconds", connectSeconds);
        res.put("openAtEnd", totals[2]);
        res.put("heartbeatsPerSubscriber", totals[1] / (double) IDLE_N);
        res.put("heapBytesPerSubscriber", (loaded.get("heap") - base.get("heap")) / (double) IDLE_N);
        res.put("rssBytesPerSubscriber", (loaded.get("rss") - base.get("rss")) / (double) IDLE_N);
        res.put("threadsBefore", base.get("threads"));
        res.put("threadsWithSubscribers", loaded.get("threads"));
        res.put("connectFailures", s.failed());
        res.put("closedByServer", s.closedByPeer());
        s.reset();
        t.api("/close?topic=" + topic);
        sleep(3.0);
        log("  " + brief(res));
        return res;
    }

    // ---------------------------------------------------------------- helpers

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
            sleep(0.2);
        }
        log("  WARNING: condition not met within " + seconds + " s");
        return false;
    }

    static void sleep(double seconds) {
        LockSupport.parkNanos((long) (seconds * 1e9));
    }

    static void log(String s) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + s);
    }

    private static String brief(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : r.entrySet()) {
            if (e.getKey().equals("scenario") || e.getKey().equals("target")) {
                continue;
            }
            Object v = e.getValue();
            b.append(e.getKey()).append('=').append(v instanceof Double d ? String.format("%.2f", d) : v).append(' ');
        }
        return b.toString();
    }

    private static int[] ints(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static Map<String, Object> sizes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("payloadBytes", BYTES);
        m.put("publishSeconds", SECONDS);
        m.put("fanoutSubscribers", java.util.Arrays.toString(FANOUT_N));
        m.put("fanoutRates", java.util.Arrays.toString(FANOUT_RATE));
        m.put("stallFillBytes", STALL_FILL);
        m.put("stallMany", STALL_MANY);
        m.put("stallManySizes", STALL_MANY_SIZES);
        m.put("stallManyFillBytes", STALL_MANY_FILL);
        m.put("jobs", JOBS);
        m.put("subscribersPerJob", JOB_SUBS);
        m.put("snapshotsPerSecondPerJob", JOB_RATE);
        m.put("lateSubscribers", JOB_LATE);
        m.put("idleSubscribers", IDLE_N);
        m.put("idleSeconds", IDLE_SECONDS);
        m.put("burstPublishers", BURST_PUBLISHERS);
        m.put("burstEventsPerPublisher", java.util.Arrays.toString(BURST_COUNTS));
        m.put("burstSubscribers", BURST_SUBS);
        m.put("burstLimitQueue", BURST_LIMIT_QUEUE);
        return m;
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        try {
            String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).findFirst().orElse("?");
            m.put("cpu", model.substring(model.indexOf(':') + 1).trim());
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
            m.put("memory", mem.replaceAll("\\s+", " "));
            m.put("loadavgAtStart", loadavg());
        } catch (IOException e) {
            // not Linux
        }
        return m;
    }
}
