package io.github.sseprogress.bench.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Ratios of one run (ours / limit, ours / stock, stalled / unstalled) and their Markdown tables. */
final class Summary {

    private Summary() {
    }

    static Map<String, Object> find(List<Map<String, Object>> rs, String scenario, String target, Object n, Object rate) {
        for (Map<String, Object> r : rs) {
            if (matches(r, scenario, target, n, rate)) {
                return r;
            }
        }
        return null;
    }

    /** Whether row {@code r} is that scenario and target, at that size and rate (null: any). */
    private static boolean matches(Map<String, Object> r, String scenario, String target, Object n, Object rate) {
        return r.get("scenario").equals(scenario) && r.get("target").equals(target)
                && (n == null || n.equals(r.get("subscribers"))) && (rate == null || rate.equals(r.get("rate")));
    }

    /** The mean of {@code key} over every row of that scenario and target (repeated slots), NaN if none. */
    static double mean(List<Map<String, Object>> rs, String scenario, String target, Object n, Object rate, String key) {
        double sum = 0;
        int count = 0;
        for (Map<String, Object> r : rs) {
            if (matches(r, scenario, target, n, rate) && !Double.isNaN(d(r, key))) {
                sum += d(r, key);
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    static double d(Map<String, Object> r, String key) {
        if (r == null || !(r.get(key) instanceof Number)) {
            return Double.NaN;
        }
        return ((Number) r.get(key)).doubleValue();
    }

    static List<Map<String, Object>> ratios(List<Map<String, Object>> rs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rs) {
            if (!r.get("scenario").equals("fanout") || !r.get("target").equals("ours")) {
                continue;
            }
            Object n = r.get("subscribers");
            Object rate = r.get("rate");
            Map<String, Object> lim = find(rs, "fanout", "limit", n, rate);
            Map<String, Object> st = find(rs, "fanout", "stock", n, rate);
            Map<String, Object> ourStall = find(rs, "stalled", "ours", n, rate);
            Map<String, Object> stStall = find(rs, "stalled", "stock", n, rate);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subscribers", n);
            m.put("rate", rate);
            m.put("throughputOursOverLimit", d(r, "deliveredPerSecond") / d(lim, "deliveredPerSecond"));
            m.put("throughputOursOverStock", d(r, "deliveredPerSecond") / d(st, "deliveredPerSecond"));
            m.put("p99OursOverLimit", d(r, "p99Ms") / d(lim, "p99Ms"));
            m.put("p99OursOverStock", d(r, "p99Ms") / d(st, "p99Ms"));
            m.put("oursP99Ms", d(r, "p99Ms"));
            // the control: the same stalled clients and fills on another topic (what the fills cost the machine);
            // means over the repeated slots (in topic, control, control, in topic)
            m.put("stalledOverElsewhereP99Ours", mean(rs, "stalled", "ours", n, rate, "p99Ms")
                    / mean(rs, "stalledElsewhere", "ours", n, rate, "p99Ms"));
            m.put("manyStalledOverElsewhereP99Ours", mean(rs, "stalledMany", "ours", n, rate, "p99Ms")
                    / mean(rs, "stalledManyElsewhere", "ours", n, rate, "p99Ms"));
            // the container's floor (FloorServlet: no library, no JAX-RS), mean of its slots
            m.put("p99OursOverFloor", d(r, "p99Ms") / mean(rs, "fanout", "floor", n, rate, "p99Ms"));
            m.put("cpuPerEventOursOverFloor", d(r, "serverCpuUsPerEvent")
                    / mean(rs, "fanout", "floor", n, rate, "serverCpuUsPerEvent"));
            m.put("cpuPerEventServletOverFloor", mean(rs, "fanout", "servlet", n, rate, "serverCpuUsPerEvent")
                    / mean(rs, "fanout", "floor", n, rate, "serverCpuUsPerEvent"));
            m.put("p99ServletOverFloor", mean(rs, "fanout", "servlet", n, rate, "p99Ms")
                    / mean(rs, "fanout", "floor", n, rate, "p99Ms"));
            m.put("cpuPerEventOursOverLimit", d(r, "serverCpuUsPerEvent") / d(lim, "serverCpuUsPerEvent"));
            m.put("cpuPerEventOursOverStock", d(r, "serverCpuUsPerEvent") / d(st, "serverCpuUsPerEvent"));
            m.put("stalledOverUnstalledP99Ours", d(ourStall, "p99Ms") / d(r, "p99Ms"));
            m.put("stalledOverUnstalledP99Stock", d(stStall, "p99Ms") / d(st, "p99Ms"));
            m.put("manyStalledOverUnstalledP99Ours", d(find(rs, "stalledMany", "ours", n, rate), "p99Ms") / d(r, "p99Ms"));
            m.put("manyStalledOverUnstalledP99Stock", d(find(rs, "stalledMany", "stock", n, rate), "p99Ms") / d(st, "p99Ms"));
            out.add(m);
        }
        return out;
    }

    /** Per burst size: ours over limit and over stock (delivered fraction, p99, time to settle). */
    static List<Map<String, Object>> burstRatios(List<Map<String, Object>> rs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : rs) {
            if (!r.get("scenario").equals("burst") || !r.get("target").equals("ours")) {
                continue;
            }
            Object count = r.get("eventsPerPublisher");
            Map<String, Object> lim = findBurst(rs, "limit", count);
            Map<String, Object> st = findBurst(rs, "stock", count);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("publishers", r.get("publishers"));
            m.put("eventsPerPublisher", count);
            m.put("deliveredOursOverLimit", d(r, "deliveredFraction") / d(lim, "deliveredFraction"));
            m.put("deliveredOursOverStock", d(r, "deliveredFraction") / d(st, "deliveredFraction"));
            m.put("p99OursOverLimit", d(r, "p99Ms") / d(lim, "p99Ms"));
            m.put("p99OursOverStock", d(r, "p99Ms") / d(st, "p99Ms"));
            m.put("settleOursOverLimit", d(r, "secondsToSettle") / d(lim, "secondsToSettle"));
            m.put("settleOursOverStock", d(r, "secondsToSettle") / d(st, "secondsToSettle"));
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> findBurst(List<Map<String, Object>> rs, String target, Object count) {
        for (Map<String, Object> r : rs) {
            if (r.get("scenario").equals("burst") && r.get("target").equals(target)
                    && count.equals(r.get("eventsPerPublisher"))) {
                return r;
            }
        }
        return null;
    }

    static String f(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report, List<Map<String, Object>> rs) {
        StringBuilder b = new StringBuilder();
        b.append("Server ").append(report.get("server")).append("; run started ").append(report.get("started"))
                .append(", ").append(f(d(report, "seconds"))).append(" s; machine ").append(report.get("machine"))
                .append("; load average at end ").append(report.get("loadavgAtEnd")).append("\n\n");
        b.append("### Fan-out: ratios\n\n| subscribers | publishes/s | ours/limit events/s | ours/stock events/s "
                + "| ours p99 ms | ours/limit p99 | ours/stock p99 | stalled/unstalled p99 ours | stalled/unstalled p99 stock "
                + "| many stalled/unstalled p99 ours | many stalled/unstalled p99 stock "
                + "| stalled in topic/elsewhere p99 ours | many: in topic/elsewhere "
                + "| server CPU per event ours/limit | ours/stock | ours/floor | servlet/floor | p99 ours/floor "
                + "| p99 servlet/floor |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) report.get("summary")) {
            b.append("| ").append(m.get("subscribers")).append(" | ").append(m.get("rate")).append(" | ")
                    .append(f(d(m, "throughputOursOverLimit"))).append(" | ").append(f(d(m, "throughputOursOverStock")))
                    .append(" | ").append(f(d(m, "oursP99Ms"))).append(" | ").append(f(d(m, "p99OursOverLimit")))
                    .append(" | ").append(f(d(m, "p99OursOverStock"))).append(" | ")
                    .append(f(d(m, "stalledOverUnstalledP99Ours"))).append(" | ")
                    .append(f(d(m, "stalledOverUnstalledP99Stock"))).append(" | ")
                    .append(f(d(m, "manyStalledOverUnstalledP99Ours"))).append(" | ")
                    .append(f(d(m, "manyStalledOverUnstalledP99Stock"))).append(" | ")
                    .append(f(d(m, "stalledOverElsewhereP99Ours"))).append(" | ")
                    .append(f(d(m, "manyStalledOverElsewhereP99Ours"))).append(" | ")
                    .append(f(d(m, "cpuPerEventOursOverLimit"))).append(" | ")
                    .append(f(d(m, "cpuPerEventOursOverStock"))).append(" | ")
                    .append(f(d(m, "cpuPerEventOursOverFloor"))).append(" | ")
                    .append(f(d(m, "cpuPerEventServletOverFloor"))).append(" | ")
                    .append(f(d(m, "p99OursOverFloor"))).append(" | ")
                    .append(f(d(m, "p99ServletOverFloor"))).append(" |\n");
        }
        b.append("\n### Fan-out and stalled: raw figures\n\n| scenario | target | subscribers | publishes/s | published "
                + "| delivered events/s | delivered fraction | p50 ms | p90 ms | p99 ms | max ms | server threads "
                + "| server CPU µs/event |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rs) {
            if (r.get("scenario").equals("fanout") || ((String) r.get("scenario")).startsWith("stalled")) {
                b.append("| ").append(r.get("scenario")).append(((String) r.get("scenario")).startsWith("stalledMany")
                        ? " (" + r.get("stalledClients") + ")" : "").append(" | ").append(r.get("target")).append(" | ")
                        .append(r.get("subscribers")).append(" | ").append(r.get("rate")).append(" | ")
                        .append(r.get("published")).append(" | ").append(f(d(r, "deliveredPerSecond"))).append(" | ")
                        .append(f(d(r, "deliveredFraction"))).append(" | ").append(f(d(r, "p50Ms"))).append(" | ")
                        .append(f(d(r, "p90Ms"))).append(" | ").append(f(d(r, "p99Ms"))).append(" | ")
                        .append(f(d(r, "maxMs"))).append(" | ").append(r.get("serverThreads")).append(" | ")
                        .append(f(d(r, "serverCpuUsPerEvent"))).append(" |\n");
            }
        }
        b.append("\n### Progress (latest-wins)\n\n| target | jobs × subs | snapshots/s per job | delivered events/s "
                + "| p50 ms | p99 ms | held-snapshot age p50 ms | p99 ms | late: first event p50 ms | p99 ms "
                + "| late: headers p50 ms | p99 ms | probes (stock SSE at the same moment): headers p50 ms | p99 ms "
                + "| heap/job after 1st snapshot B | heap/job after run B | server threads |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rs) {
            if (r.get("scenario").equals("progress")) {
                b.append("| ").append(r.get("target")).append(" | ").append(r.get("jobs")).append(" × ")
                        .append(r.get("subscribersPerJob")).append(" | ").append(f(d(r, "ratePerJob"))).append(" | ")
                        .append(f(d(r, "deliveredPerSecond"))).append(" | ").append(f(d(r, "p50Ms"))).append(" | ")
                        .append(f(d(r, "p99Ms"))).append(" | ").append(f(d(r, "stalenessP50Ms"))).append(" | ")
                        .append(f(d(r, "stalenessP99Ms"))).append(" | ").append(f(d(r, "lateFirstEventP50Ms")))
                        .append(" | ").append(f(d(r, "lateFirstEventP99Ms"))).append(" | ")
                        .append(f(d(r, "lateHeadersP50Ms"))).append(" | ").append(f(d(r, "lateHeadersP99Ms")))
                        .append(" | ").append(f(d(r, "probeHeadersP50Ms"))).append(" | ")
                        .append(f(d(r, "probeHeadersP99Ms")))
                        .append(" | ").append(r.get("target").equals("limit") ? "–" : f(d(r, "heapPerJobAfterFirstSnapshot")))
                        .append(" | ").append(r.get("target").equals("limit") ? "–" : f(d(r, "heapPerJobAfterRun")))
                        .append(" | ").append(r.get("serverThreads")).append(" |\n");
            }
        }
        b.append("\n### Idle\n\n| target | subscribers | heap B/subscriber | RSS B/subscriber | threads before "
                + "| threads with subscribers | heartbeats/subscriber | open at end |\n|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rs) {
            if (r.get("scenario").equals("idle")) {
                b.append("| ").append(r.get("target")).append(" | ").append(r.get("subscribers")).append(" | ")
                        .append(f(d(r, "heapBytesPerSubscriber"))).append(" | ")
                        .append(f(d(r, "rssBytesPerSubscriber"))).append(" | ").append(r.get("threadsBefore"))
                        .append(" | ").append(r.get("threadsWithSubscribers")).append(" | ")
                        .append(f(d(r, "heartbeatsPerSubscriber"))).append(" | ").append(r.get("openAtEnd")).append(" |\n");
            }
        }
        b.append("\n### Burst: ratios\n\n| publishers × events | ours/limit delivered fraction "
                + "| ours/stock delivered fraction | ours/limit p99 | ours/stock p99 | ours/limit settle time "
                + "| ours/stock settle time |\n|---|---|---|---|---|---|---|\n");
        if (report.get("burstSummary") != null) {
            for (Map<String, Object> m : (List<Map<String, Object>>) report.get("burstSummary")) {
                b.append("| ").append(m.get("publishers")).append(" × ").append(m.get("eventsPerPublisher"))
                        .append(" | ").append(f(d(m, "deliveredOursOverLimit"))).append(" | ")
                        .append(f(d(m, "deliveredOursOverStock"))).append(" | ").append(f(d(m, "p99OursOverLimit")))
                        .append(" | ").append(f(d(m, "p99OursOverStock"))).append(" | ")
                        .append(f(d(m, "settleOursOverLimit"))).append(" | ").append(f(d(m, "settleOursOverStock")))
                        .append(" |\n");
            }
        }
        b.append("\n### Burst (publishers at once, one topic)\n\n| target | subscribers | publishers × events "
                + "| delivered fraction | lowest per subscriber | complete | loss signalled | silent gap | missed signals "
                + "| order errors | p50 ms | p99 ms | settled in s | publishers held ms | publish errors "
                + "| server delivered / dropped | guarantee held |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rs) {
            if (r.get("scenario").equals("burst")) {
                b.append("| ").append(r.get("target")).append(" | ").append(r.get("subscribers")).append(" | ")
                        .append(r.get("publishers")).append(" × ").append(r.get("eventsPerPublisher")).append(" | ")
                        .append(f(d(r, "deliveredFraction"))).append(" | ").append(f(d(r, "minDeliveredFraction")))
                        .append(" | ").append(r.get("subscribersComplete")).append(" | ")
                        .append(r.get("subscribersWithSignalledLoss")).append(" | ")
                        .append(r.get("subscribersWithSilentGap")).append(" | ").append(r.get("missedSignals"))
                        .append(" | ").append(r.get("orderErrors")).append(" | ").append(f(d(r, "p50Ms")))
                        .append(" | ").append(f(d(r, "p99Ms"))).append(" | ").append(f(d(r, "secondsToSettle")))
                        .append(" | ").append(r.get("publishMs")).append(" | ").append(r.get("publishErrors"))
                        .append(" | ").append(r.get("serverDelivered") == null ? "–"
                                : r.get("serverDelivered") + " / " + r.get("serverDropped"))
                        .append(" | ").append(r.get("guaranteeHeld")).append(" |\n");
            }
        }
        return b.toString();
    }
}
