package io.github.sseprogress.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.PreparedEvent;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.LogCapture;
import io.github.sseprogress.topic.CaptureResource;

/**
 * A defect while preparing a frame (the mailbox's poll throws) ends the stream and says so at WARNING:
 * the writer never dies with the stream left open and silent (a multiplexed connection's framing runs
 * inside poll; a null subscriber there once left streams hanging).
 */
class WriterFailureTest {

    @Test
    void aFrameThatCannotBePreparedEndsTheStreamInsteadOfKillingTheWriter() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0"), CaptureResource.class);
                LogCapture logs = LogCapture.warningsAndErrors()) {
            Delivery delivery = server.bean(Delivery.class);
            OverflowSignalTest.GatedSink sink = new OverflowSignalTest.GatedSink();
            sink.release.countDown();
            AtomicInteger polls = new AtomicInteger();
            Mailbox broken = new Mailbox() {
                private final Mailbox inner = Mailbox.bounded(8);

                @Override
                public boolean offer(PreparedEvent event) {
                    return inner.offer(event);
                }

                @Override
                public PreparedEvent poll() {
                    if (polls.incrementAndGet() == 2) {
                        throw new IllegalStateException("a defect");
                    }
                    return inner.poll();
                }

                @Override
                public boolean isEmpty() {
                    return inner.isEmpty();
                }

                @Override
                public int clear() {
                    return inner.clear();
                }
            };
            DisconnectReason[] told = {null};
            Subscriber s = delivery.open(sink, CaptureResource.capture(server), broken, SlowSubscriberPolicy.DROP,
                    new Counters(null), (closed, why) -> told[0] = why);
            s.arm();
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.closed);
            assertThat(s.reason()).isEqualTo(DisconnectReason.SHUTDOWN);
            await().atMost(Duration.ofSeconds(5)).until(() -> told[0] == DisconnectReason.SHUTDOWN);
            assertThat(logs.lines()).anyMatch(l -> l.contains("WARNING") && l.contains("could not be prepared"));
        }
    }
}
