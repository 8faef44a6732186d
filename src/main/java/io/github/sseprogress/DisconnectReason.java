package io.github.sseprogress;

/** Why a subscriber's stream ended. */
public enum DisconnectReason {
    /** A write failed: the client went away (closed, reset, killed). */
    CLIENT_GONE,
    /** A write stayed in flight longer than {@code sse.write-timeout}: the client stopped reading. */
    EVICTED,
    /** Its queue overflowed under {@link SlowSubscriberPolicy#REMOVE} or {@link SlowSubscriberPolicy#CLOSE}. */
    SLOW,
    /** The job it followed reached its terminal event. */
    TERMINAL,
    /** The client stopped following the topic or job on a connection that stays open (WebSocket). */
    UNSUBSCRIBED,
    /**
     * The time an observer set with {@link SubscriberConnecting#expiresAt} came (e.g. the caller's token
     * expired): the client got {@code event: expired} and reconnects to be authorised again.
     */
    EXPIRED,
    /** The library is shutting down (application undeploy or {@code shutdown()}). */
    SHUTDOWN
}
