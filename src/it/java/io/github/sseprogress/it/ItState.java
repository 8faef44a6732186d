package io.github.sseprogress.it;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;

/** Reads the IT app's view of a topic ({@code api/topics/{topic}/state}) and waits on its fields. */
final class ItState {

    private ItState() {
    }

    static String read(HttpClient http, URL base, String topic) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "api/topics/" + topic + "/state"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the numeric {@code field} of the topic's state satisfies {@code ok}; returns that state. */
    static String await(HttpClient http, URL base, String topic, String field, LongPredicate ok, Duration timeout) {
        AtomicReference<String> last = new AtomicReference<>("");
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                last.set(read(http, base, topic));
                return ok.test(ItJson.longField(last.get(), field));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + field + "; last state: " + last.get(), e);
        }
        return last.get();
    }
}
