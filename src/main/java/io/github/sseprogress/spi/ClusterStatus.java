package io.github.sseprogress.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * The state of a cluster engine as its monitoring sees it; see {@link ClusterEngine#status()}.
 *
 * @param connected whether the engine's last probe of the bus (e.g. a Redis {@code PING}) succeeded
 * @param subscribed whether the engine's subscription to the bus is established now
 * @param lastProbe when a probe last succeeded; null when none has yet
 * @param busLag how long the newest delivered bus message took from publish to this node (zero when unknown)
 * @param reconnects how many times the subscription was re-established since start
 * @param droppedMessages bus messages this node could not use (malformed) or could not publish since start
 */
public record ClusterStatus(boolean connected, boolean subscribed, Instant lastProbe, Duration busLag,
        long reconnects, long droppedMessages) {

    /** @throws IllegalArgumentException when {@code busLag} is null or a count is negative */
    public ClusterStatus {
        if (busLag == null || reconnects < 0 || droppedMessages < 0) {
            throw new IllegalArgumentException("busLag must be set and counts must be >= 0");
        }
    }
}
