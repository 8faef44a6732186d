package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.internal.config.Scheduling;
import io.github.sseprogress.testing.InProcessServer;

import jakarta.ws.rs.sse.Sse;

/**
 * Issue 10 item 8: while the application stops, the writer pool refuses work; a subscribe then used
 * to close the new subscriber inside the registry's {@code compute}, whose close listener re-entered
 * the same key ("Recursive update", a 500 to the client). Now the subscribe returns, the stream is
 * closed, and the topic is left clean.
 */
class WriterRejectionTest {

    @Test
    void aSubscribeWhileTheWriterPoolRefusesClosesTheStreamWithoutRecursiveUpdate() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "0"), CaptureResource.class)) {
            Manager topics = server.bean(Manager.class);
            Sse sse = CaptureResource.capture(server);
            ((ExecutorService) server.bean(Scheduling.class).writers()).shutdown();
            for (String topic : new String[] {"refused", "refused-replay"}) {
                RecordingSink sink = new RecordingSink();
                assertThatCode(() -> topics.subscribe(topic, sink, sse,
                        io.github.sseprogress.SubscribeOptions.builder().replay(topic.endsWith("replay") ? 4 : 0).build()))
                        .doesNotThrowAnyException();
                await().atMost(Duration.ofSeconds(5)).until(sink::isClosed);
                await().atMost(Duration.ofSeconds(5)).until(() -> topics.subscriberCount(topic) == 0);
                assertThat(topics.stats().subscribers()).isZero();
            }
        }
    }
}
