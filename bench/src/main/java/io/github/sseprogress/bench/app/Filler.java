package io.github.sseprogress.bench.app;

import java.util.concurrent.ThreadFactory;

import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** Stalls a sink: one big comment written from another thread blocks once the client's window is full. */
final class Filler {

    private Filler() {
    }

    static void fill(ThreadFactory threads, SseEventSink sink, Sse sse, int bytes) {
        if (bytes <= 0) {
            return;
        }
        String big = "x".repeat(bytes);
        threads.newThread(() -> {
            try {
                sink.send(sse.newEventBuilder().comment(big).build());
            } catch (RuntimeException e) {
                // the server's write timeout ended it: expected
            }
        }).start(); // its own thread: it blocks up to the server's write timeout
        try {
            Thread.sleep(200); // let the filler take the sink first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
