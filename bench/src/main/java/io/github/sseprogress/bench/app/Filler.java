package io.github.sseprogress.bench.app;

import java.util.concurrent.Executor;

import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** Stalls a sink: one big comment written from another thread blocks once the client's window is full. */
final class Filler {

    private Filler() {
    }

    static void fill(Executor executor, SseEventSink sink, Sse sse, int bytes) {
        if (bytes <= 0) {
            return;
        }
        String big = "x".repeat(bytes);
        executor.execute(() -> {
            try {
                sink.send(sse.newEventBuilder().comment(big).build());
            } catch (RuntimeException e) {
                // the server's write timeout ended it: expected
            }
        });
        try {
            Thread.sleep(200); // let the filler take the sink first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
