package io.github.sseprogress.bench.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An SVG of fan-out latency percentiles (p50 dashed, p99 solid, log scale) vs subscriber count, one panel per rate. */
final class Plot {

    private static final String[] TARGETS = {"ours", "stock", "limit"};
    private static final String[] COLORS = {"#d62728", "#1f77b4", "#2ca02c"};

    private Plot() {
    }

    static String svg(List<Map<String, Object>> rs, String server) {
        List<Integer> rates = new ArrayList<>();
        List<Integer> ns = new ArrayList<>();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Map<String, Object> r : rs) {
            if (!r.get("scenario").equals("fanout")) {
                continue;
            }
            int rate = ((Number) r.get("rate")).intValue();
            int n = ((Number) r.get("subscribers")).intValue();
            if (!rates.contains(rate)) {
                rates.add(rate);
            }
            if (!ns.contains(n)) {
                ns.add(n);
            }
            for (String k : new String[] {"p50Ms", "p99Ms"}) {
                double v = Summary.d(r, k);
                if (v > 0) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        ns.sort(null);
        if (rates.isEmpty() || hi == 0) {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n";
        }
        double lmin = Math.floor(Math.log10(lo));
        double lmax = Math.ceil(Math.log10(hi));
        if (lmax == lmin) {
            lmax++;
        }
        int pw = 360;
        int ph = 260;
        int ml = 60;
        int mt = 40;
        int gap = 40;
        int width = ml + rates.size() * (pw + gap) + 120;
        int height = mt + ph + 60;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                width, height));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s: fan-out publish→receive latency "
                + "(ms, log) vs subscribers — p99 solid, p50 dashed</text>\n", ml, server.equals("payara")
                        ? "Payara Micro" : server.equals("liberty") ? "Open Liberty" : server));
        for (int pi = 0; pi < rates.size(); pi++) {
            int rate = rates.get(pi);
            int x0 = ml + pi * (pw + gap);
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
                    x0, mt, pw, ph));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d publishes/s</text>\n", x0 + pw / 2 - 40, mt - 6, rate));
            for (double e = lmin; e <= lmax; e++) {
                int y = (int) (mt + ph - (e - lmin) / (lmax - lmin) * ph);
                b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                        + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", x0, y, x0 + pw, y, x0 - 4, y + 4,
                        fmt(Math.pow(10, e))));
            }
            for (int i = 0; i < ns.size(); i++) {
                int x = xOf(i, ns.size(), x0, pw);
                b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x,
                        mt + ph + 16, ns.get(i)));
            }
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">subscribers</text>\n",
                    x0 + pw / 2, mt + ph + 34));
            for (int ti = 0; ti < TARGETS.length; ti++) {
                for (String k : new String[] {"p99Ms", "p50Ms"}) {
                    StringBuilder pts = new StringBuilder();
                    for (int i = 0; i < ns.size(); i++) {
                        double v = Summary.d(Summary.find(rs, "fanout", TARGETS[ti], ns.get(i), rate), k);
                        if (v > 0) {
                            int x = xOf(i, ns.size(), x0, pw);
                            int y = (int) (mt + ph - (Math.log10(v) - lmin) / (lmax - lmin) * ph);
                            pts.append(x).append(',').append(y).append(' ');
                            b.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>\n", x, y,
                                    COLORS[ti]));
                        }
                    }
                    b.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                            pts.toString().trim(), COLORS[ti], k.equals("p50Ms") ? " stroke-dasharray=\"5,4\"" : ""));
                }
            }
        }
        int lx = ml + rates.size() * (pw + gap);
        for (int ti = 0; ti < TARGETS.length; ti++) {
            int y = mt + 20 + ti * 20;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", lx, y, lx + 24, y, COLORS[ti], lx + 30, y + 4, TARGETS[ti]));
        }
        return b.append("</svg>\n").toString();
    }

    private static int xOf(int i, int count, int x0, int pw) {
        return count == 1 ? x0 + pw / 2 : x0 + 40 + i * (pw - 80) / (count - 1);
    }

    private static String fmt(double v) {
        return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
    }
}
