package io.github.sseprogress.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Polling;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;

class ManagerShutdownTest {

    @Test
    void shutdownEndsEveryStreamStopsPollersAndRejectsLaterSubscribers() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of("sse.heartbeat-interval", "1s"), TopicResource.class)) {
            Manager topics = server.bean(Manager.class);
            List<RawSseClient> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                clients.add(RawSseClient.open(server.uri("topics/t" + (i % 3) + "/events")).readHead(Duration.ofSeconds(10)));
            }
            TopicResource.STOPS.set(0);
            clients.add(RawSseClient.open(server.uri("polled/events")).readHead(Duration.ofSeconds(10)));
            await().atMost(Duration.ofSeconds(10)).until(() -> topics.topics().size() == 4);

            topics.shutdown();

            for (RawSseClient c : clients) {
                assertThat(c.awaitEnd(Duration.ofSeconds(5))).as("stream ended by the server").isTrue();
                c.close();
            }
            assertThat(topics.topics()).isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> TopicResource.STOPS.get() == 1);

            topics.publish("t0", "ignored after shutdown"); // a no-op, no exception
            HttpResponse<String> late = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.uri("topics/t0/events")).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(late.statusCode()).isEqualTo(503);
            assertThat(topics.topics()).isEmpty();
        }
    }

    @Test
    void containerShutdownClosesStreamsThroughPreDestroy() throws Exception {
        try (InProcessServer server = InProcessServer.start(Map.of(), TopicResource.class)) {
            AtomicInteger ignored = new AtomicInteger();
            RawSseClient c = RawSseClient.open(server.uri("topics/pd/events")).readHead(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.bean(Manager.class).subscriberCount("pd") == 1);
            server.stopApplication();
            assertThat(c.awaitEnd(Duration.ofSeconds(5))).isTrue();
            c.close();
            assertThat(ignored.get()).isZero();
        }
    }

    static SubscribeOptions polling() {
        return SubscribeOptions.builder().polling(Polling.of(c -> "x")).build();
    }
}
