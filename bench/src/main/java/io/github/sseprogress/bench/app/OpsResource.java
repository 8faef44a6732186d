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
