package io.github.sseprogress;

import java.util.Objects;

/**
 * What the keys of a multiplexed connection ({@link Streams}, the WebSocket endpoint) mean. Implement
 * it as an {@code @ApplicationScoped} CDI bean; without one, {@code topic:NAME} is the {@link Manager}
 * topic {@code NAME}, {@code job:NAME} the {@link Tracker} topic {@code NAME}, and other keys are unknown.
 *
 * <pre>{@code
 * @ApplicationScoped
 * public class Keys implements StreamKeys {
 *     public Target resolve(String key) {
 *         if (key.startsWith("job:")) return Target.job("scan/" + key.substring(4));
 *         if (key.equals("topic:alarms")) return Target.topic("alarms", SubscribeOptions.builder().replay(256).build());
 *         return null;
 *     }
 * }
 * }</pre>
 *
 * <p>Called on the thread that subscribes (the request, or the WebSocket message), before the
 * {@link SubscriberConnecting} observers, which still decide per topic.
 */
public interface StreamKeys {

    /**
     * The topic or job a key names, or {@code null} when it names nothing (the client gets an
     * {@code end} frame with status 404 for that key).
     */
    Target resolve(String key);

    /** A Manager topic or a Tracker job. Immutable. */
    final class Target {

        private final String topic;
        private final boolean job;
        private final SubscribeOptions settings;

        private Target(String topic, boolean job, SubscribeOptions settings) {
            this.topic = Objects.requireNonNull(topic, "topic");
            this.job = job;
            this.settings = settings;
        }

        /** The {@link Manager} topic, with the configured defaults. */
        public static Target topic(String topic) {
            return new Target(topic, false, SubscribeOptions.defaults());
        }

        /**
         * The {@link Manager} topic with the options' topic settings (replay, polling), used as a
         * single-stream subscribe that creates the topic would; the request parts are ignored.
         */
        public static Target topic(String topic, SubscribeOptions settings) {
            return new Target(topic, false, settings == null ? SubscribeOptions.defaults() : settings);
        }

        /** The {@link Tracker} job of {@code topic}. */
        public static Target job(String topic) {
            return new Target(topic, true, SubscribeOptions.defaults());
        }

        /** The Manager or Tracker topic. */
        public String topicName() {
            return topic;
        }

        /** Whether it is a Tracker job. */
        public boolean isJob() {
            return job;
        }

        /** The topic settings (defaults for a job). */
        public SubscribeOptions settings() {
            return settings;
        }
    }
}
