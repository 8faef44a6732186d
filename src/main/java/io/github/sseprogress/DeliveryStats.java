package io.github.sseprogress;

/**
 * A point-in-time view of delivery counters, for one topic or the whole library.
 *
 * @param subscribers open subscribers now
 * @param delivered events written to clients (heartbeats not counted)
 * @param dropped events discarded because a subscriber's queue was full
 * @param evicted subscribers closed because a write stayed blocked past the write timeout
 * @param pinned writer threads blocked now in a write to a client that does not read (evicted
 *        subscribers' included, until the server's own write timeout releases them)
 */
public record DeliveryStats(int subscribers, long delivered, long dropped, long evicted, int pinned) {
}
