package io.github.sseprogress;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

/**
 * Per-subscription settings for {@link Manager#subscribe(String, jakarta.ws.rs.sse.SseEventSink,
 * jakarta.ws.rs.sse.Sse, SubscribeOptions)}. A setting that is not set is empty here and falls back to
 * the configuration; a value that was set, {@code 0} included, is used as it is. Immutable.
 *
 * <p>{@link Tracker#subscribe(String, jakarta.ws.rs.sse.SseEventSink, jakarta.ws.rs.sse.Sse,
 * SubscribeOptions) Tracker.subscribe} takes only the request ({@link Builder#request},
 * {@link Builder#lastEventId}); the topic settings (replay, polling, queue size, slow-subscriber
 * policy) are refused there with {@code IllegalArgumentException}.
 *
 * <pre>{@code
 * @GET @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void feed(@Context SseEventSink sink, @Context Sse sse, @Context HttpHeaders headers,
 *                  @Context UriInfo uri, @Context SecurityContext security) {
 *     topics.subscribe("feed", sink, sse,
 *         SubscribeOptions.builder().request(headers, uri, security).replay(256).build());
 * }
 * }</pre>
 */
public final class SubscribeOptions {

    private static final SubscribeOptions DEFAULTS = builder().build();

    private final Polling polling;
    private final OptionalInt queueSize;
    private final SlowSubscriberPolicy slowSubscriberPolicy;
    private final OptionalInt replay;
    private final String lastEventId;
    private final Principal principal;
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> query;
    private final String clientAddress;

    private SubscribeOptions(Builder b) {
        this.polling = b.polling;
        this.queueSize = b.queueSize;
        this.slowSubscriberPolicy = b.slowSubscriberPolicy;
        this.replay = b.replay;
        this.lastEventId = b.headerLastEventId != null ? b.headerLastEventId : b.lastEventId;
        this.principal = b.principal;
        this.headers = b.headers == null ? Map.of() : b.headers;
        this.query = b.query == null ? Map.of() : b.query;
        this.clientAddress = b.clientAddress;
    }

    /** A copy with another {@code Last-Event-ID} (one key of a multiplexed stream); not API. */
    SubscribeOptions withLastEventId(String id) {
        Builder b = toBuilder();
        b.headerLastEventId = null;
        b.lastEventId = id;
        return new SubscribeOptions(b);
    }

    /** Options carrying a request's user, headers and query parameters (a WebSocket handshake); not API. */
    static SubscribeOptions ofRequest(Principal principal, Map<String, List<String>> headers,
            Map<String, List<String>> query) {
        Builder b = builder();
        b.principal = principal;
        b.headers = headers == null ? null : Map.copyOf(headers);
        b.query = query == null ? null : Map.copyOf(query);
        return b.build();
    }

    /** The first value of a query parameter of the request, or null; not API (never logged). */
    String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.polling = polling;
        b.queueSize = queueSize;
        b.slowSubscriberPolicy = slowSubscriberPolicy;
        b.replay = replay;
        b.lastEventId = lastEventId;
        b.principal = principal;
        b.headers = headers;
        b.query = query;
        b.clientAddress = clientAddress;
        return b;
    }

    /** Options that take everything from the configuration. */
    public static SubscribeOptions defaults() {
        return DEFAULTS;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The polling publisher bound to the topic's first and last subscriber, or {@code null}. */
    public Polling polling() {
        return polling;
    }

    /** The subscriber's queue capacity; empty when not set ({@code sse.queue-size} applies). */
    public OptionalInt queueSize() {
        return queueSize;
    }

    /** The slow-subscriber policy; empty when not set ({@code sse.slow-subscriber-policy} applies). */
    public Optional<SlowSubscriberPolicy> slowSubscriberPolicy() {
        return Optional.ofNullable(slowSubscriberPolicy);
    }

    /**
     * Events kept for {@code Last-Event-ID} replay on this topic, as {@link Builder#replay} set it:
     * {@code 0} is off, a positive value that many; empty when not set ({@code sse.replay.size}
     * applies).
     */
    public OptionalInt replay() {
        return replay;
    }

    /** The {@code Last-Event-ID} to resume from (the header wins over the query parameter), or null. */
    public String lastEventId() {
        return lastEventId;
    }

    /** The request's user, or null. */
    public Principal principal() {
        return principal;
    }

    /** The request's headers (read-only), empty when not given. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * The client's network address as the resource saw it ({@link Builder#clientAddress}), or null;
     * {@code sse.limits.max-streams-per-address} counts by it (or by the trusted proxy's header,
     * {@code sse.limits.client-address-header}).
     */
    public String clientAddress() {
        return clientAddress;
    }

    /** Builds {@link SubscribeOptions}. Not thread-safe. */
    public static final class Builder {
        private Polling polling;
        private OptionalInt queueSize = OptionalInt.empty();
        private SlowSubscriberPolicy slowSubscriberPolicy;
        private OptionalInt replay = OptionalInt.empty();
        private String lastEventId;
        private String headerLastEventId;
        private Principal principal;
        private Map<String, List<String>> headers;
        private Map<String, List<String>> query;
        private String clientAddress;

        private Builder() {
        }

        /**
         * Hands over the request: its {@code Last-Event-ID} header (or, when absent, the
         * {@code lastEventId} query parameter, for clients that cannot set headers), its principal and
         * headers for {@link SubscriberConnecting} observers. Any argument may be null.
         */
        public Builder request(HttpHeaders headers, UriInfo uriInfo, SecurityContext security) {
            if (headers != null) {
                this.headerLastEventId = headers.getHeaderString("Last-Event-ID");
                this.headers = Map.copyOf(headers.getRequestHeaders());
            }
            if (uriInfo != null) {
                this.query = Map.copyOf(uriInfo.getQueryParameters());
                if (lastEventId == null) {
                    this.lastEventId = uriInfo.getQueryParameters().getFirst("lastEventId");
                }
            }
            if (security != null) {
                this.principal = security.getUserPrincipal();
            }
            return this;
        }

        /**
         * The client's address, e.g. {@code HttpServletRequest#getRemoteAddr()}; behind a proxy that
         * is the proxy's unless {@code sse.limits.client-address-header} names a header it sets.
         * Without it the per-address limit does not apply to this stream.
         */
        public Builder clientAddress(String address) {
            this.clientAddress = address;
            return this;
        }

        /** The id to resume from when the request did not carry a {@code Last-Event-ID} header. */
        public Builder lastEventId(String lastEventId) {
            this.lastEventId = lastEventId;
            return this;
        }

        /**
         * Keeps the newest {@code size} events of the topic for {@code Last-Event-ID} replay (taken
         * from the subscriber that creates the topic). {@code 0} turns replay off for the topic even
         * when {@code sse.replay.size} is set, as {@code sse.replay.size=0} does for all topics; without
         * this call {@code sse.replay.size} applies.
         *
         * @throws IllegalArgumentException when negative
         */
        public Builder replay(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("replay size must not be negative (0 is off): " + size);
            }
            this.replay = OptionalInt.of(size);
            return this;
        }

        /**
         * Attaches a polling publisher. Only the polling of the subscriber that creates the topic is
         * used; later subscribers share it.
         */
        public Builder polling(Polling polling) {
            this.polling = polling;
            return this;
        }

        /**
         * The subscriber's bounded queue capacity.
         *
         * @throws IllegalArgumentException when below 1
         */
        public Builder queueSize(int queueSize) {
            if (queueSize < 1) {
                throw new IllegalArgumentException("queueSize must be at least 1: " + queueSize);
            }
            this.queueSize = OptionalInt.of(queueSize);
            return this;
        }

        /** What to do when this subscriber's queue is full. */
        public Builder slowSubscriberPolicy(SlowSubscriberPolicy policy) {
            this.slowSubscriberPolicy = policy;
            return this;
        }

        /** The options. */
        public SubscribeOptions build() {
            return new SubscribeOptions(this);
        }
    }
}
