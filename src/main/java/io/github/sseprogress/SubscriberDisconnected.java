package io.github.sseprogress;

/**
 * A CDI event fired once when a stream attached to a topic or job ends, on the thread that noticed
 * (a writer or scheduler thread of the container's managed executor, or the caller of
 * {@code shutdown()}). Observers must not block.
 *
 * @param topic the topic or job topic
 * @param reason why it ended
 */
public record SubscriberDisconnected(String topic, DisconnectReason reason) {
}
