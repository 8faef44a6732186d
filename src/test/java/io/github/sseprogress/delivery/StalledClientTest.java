package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.DeliveryStats;
import io.github.sseprogress.Manager;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;
import io.github.sseprogress.topic.TopicResource;

/**
 * One client that stops reading (tiny receive buffer, never reads) among 100 healthy ones, 10,000
 * events of 1 KB: every healthy subscriber gets every event in order, the stalled one is dropped and
 * then evicted, and heap stays bounded.
 */
class StalledClientTest {

    private static final int HEALTHY = 100;
    private static final int EVENTS = 10_000;
    private static final int WINDOW = 32; // publisher stays this far ahead of the slowest healthy reader

    @Test
    void aStalledClientNeverHoldsBackHealthyOnesAndIsEvictedWithBoundedMemory() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "500ms",
                "sse.write-timeout", "1s", "sse.queue-size", "64"), TopicResource.class)) {
            Manager topics = server.bean(Manager.class);
            long heapBefore = usedHeapAfterGc();

            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.uri("/").getPort()));
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /topics/stall/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = stalled.getInputStream();
            in.read(new byte[256]); // reads the start of the response, then never again

            List<RawSseClient> clients = new ArrayList<>();
            for (int i = 0; i < HEALTHY; i++) {
                clients.add(RawSseClient.open(server.uri("topics/stall/events")).readHead(Duration.ofSeconds(10)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> topics.subscriberCount("stall") == HEALTHY + 1);

            AtomicInteger[] received = new AtomicInteger[HEALTHY];
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            ExecutorService readers = Executors.newFixedThreadPool(HEALTHY);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < HEALTHY; i++) {
                AtomicInteger count = received[i] = new AtomicInteger();
                RawSseClient c = clients.get(i);
                int client = i;
                done.add(readers.submit(() -> {
                    while (count.get() < EVENTS) {
                        List<SseParser.Event> got = c.readEvents(1, Duration.ofSeconds(30));
                        if (got.isEmpty()) {
                            problems.add("client " + client + " starved at " + count.get());
                            return null;
                        }
                        for (SseParser.Event e : got) {
                            int n = Integer.parseInt(e.data().substring(0, e.data().indexOf(':')));
                            if (n != count.get()) {
                                problems.add("client " + client + " expected " + count.get() + " got " + n);
                                return null;
                            }
                            count.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }

            String padding = "x".repeat(1024 - 8);
            long peakHeap = 0;
            for (int n = 0; n < EVENTS; n++) {
                int next = n;
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(() -> slowest(received) >= next - WINDOW);
                topics.publish("stall", n + ":" + padding);
                if (n % 2_000 == 0) {
                    peakHeap = Math.max(peakHeap, usedHeap());
                }
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            readers.shutdownNow();

            assertThat(problems).isEmpty();
            assertThat(slowest(received)).isEqualTo(EVENTS);
            DeliveryStats stats = topics.stats("stall");
            await().atMost(Duration.ofSeconds(10)).until(() -> topics.subscriberCount("stall") == HEALTHY);
            DeliveryStats total = topics.stats();
            System.out.println("STALLED stats: topic=" + stats + " total=" + total);
            // Depending on how much the container buffers before send() blocks, the stalled subscriber
            // first overflows its queue (dropped) and/or has a write blocked past the timeout (evicted);
            // either way it is gone and the healthy ones got everything.
            assertThat(stats.dropped() + total.evicted()).as("dropped or evicted per policy").isPositive();
            assertThat(total.evicted()).as("its blocked write got it evicted").isPositive();
            long heapAfter = usedHeapAfterGc();
            assertThat(heapAfter - heapBefore).as("retained heap (bytes)").isLessThan(64L * 1024 * 1024);
            assertThat(peakHeap - heapBefore).as("heap during the run (bytes)").isLessThan(512L * 1024 * 1024);

            stalled.close();
            for (RawSseClient c : clients) {
                c.close();
            }
        }
    }

    private static int slowest(AtomicInteger[] received) {
        int min = Integer.MAX_VALUE;
        for (AtomicInteger r : received) {
            min = Math.min(min, r.get());
        }
        return min;
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return usedHeap();
    }
}
