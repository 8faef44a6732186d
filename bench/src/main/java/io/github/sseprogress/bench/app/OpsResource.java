package io.github.sseprogress.bench.app;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Process figures for the client: heap used after full GCs, RSS, live threads, pid. */
@jakarta.ws.rs.Path("ops")
public class OpsResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String ops(@QueryParam("gc") boolean gc) {
        return measure(gc);
    }

    /**
     * CPU time so far, for the cluster benchmark: {@code process} (the whole JVM) and per thread-name group
     * (digits replaced by {@code #}, e.g. {@code sse-redis-delivery-bench-b}, {@code Default Executor-thread-#}),
     * in nanoseconds. The client takes the difference over a scenario: a group near 1 s of CPU per second of
     * wall time is one saturated thread.
     */
    @GET
    @jakarta.ws.rs.Path("cpu")
    @Produces(MediaType.APPLICATION_JSON)
    public String cpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> groups = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = mx.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                groups.merge(info.getThreadName().replaceAll("[0-9]+", "#").replace('"', '\''), t, Long::sum);
            }
        }
        long process = -1;
        try {
            process = ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new javax.management.ObjectName("java.lang:type=OperatingSystem"), "ProcessCpuTime")).longValue();
        } catch (Exception e) {
            // not HotSpot
        }
        StringBuilder b = new StringBuilder("{\"process\":").append(process);
        groups.forEach((k, v) -> b.append(",\"").append(k).append("\":").append(v));
        return b.append('}').toString();
    }

    /** Shared with the limit server, which copies this logic (JDK only). */
    static String measure(boolean gc) {
        if (gc) {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        return "{\"heap\":" + heap + ",\"rss\":" + rss() + ",\"threads\":" + threads + ",\"pid\":"
                + ProcessHandle.current().pid() + "}";
    }

    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}
