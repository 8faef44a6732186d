package io.github.sseprogress.internal.delivery;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.internal.config.Scheduling;
import io.github.sseprogress.internal.config.SseConfig;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The {@code sse.limits.*} stream limits: how many streams are open in total, per topic (or job), per
 * principal and per client address. A stream is admitted (its counts taken) on the request thread
 * before anything is attached; an {@link Admission} gives them back exactly once, when the stream ends
 * (the subscriber's lock-free end bookkeeping) or when attaching fails. A refusal is a
 * {@link LimitExceeded} (429); the existing streams are untouched.
 *
 * <p>What counts as one stream: an SSE stream of a topic or job; a multiplexed connection (SSE or
 * WebSocket) for the total, principal and address limits; each key of a multiplexed connection for
 * the per-topic limit of its topic (a key refused by it ends with an {@code end} frame,
 * {@code "reason":"limited"}, the others go on).
 *
 * <p>Counting: the total is one atomic counter; the others are maps whose entries exist only while
 * their count is above zero (a map entry per live principal, address, topic: memory follows what is
 * live), changed inside the map's per-key atomic {@code compute}, so a limit is never exceeded under
 * concurrent admissions. A limit set to 0 is not counted at all. Lock-free for the caller: no lock of
 * the library is held while it runs, and it runs no application code.
 */
@ApplicationScoped
public class Limits {

    private static final Logger LOG = Logger.getLogger(Limits.class.getName());

    @Inject
    SseConfig config;

    @Inject
    Scheduling scheduling;

    private final AtomicInteger streams = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perTopic = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perPrincipal = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
    /** Refusals since start by limit name ({@link LimitExceeded#limit()}): the five names only, so bounded. */
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> refusals = new ConcurrentHashMap<>();

    /** The per-topic count key of a Manager topic. */
    public static String topicKey(String topic) {
        return "topic:" + topic;
    }

    /** The per-topic count key of a Tracker job. */
    public static String jobKey(String topic) {
        return "job:" + topic;
    }

    /**
     * Admits one stream of this request, following {@code topicKey} (null for a multiplexed
     * connection, whose keys are admitted one by one with {@link #admitKey}).
     *
     * @throws LimitExceeded when a limit is reached; nothing is counted then
     */
    public Admission admitStream(String topicKey, SubscribeOptions request) {
        String principal = principalOf(request);
        String address = clientAddress(request);
        boolean total = false;
        String p = null;
        String a = null;
        try {
            total = take();
            p = take(perPrincipal, principal, config.maxStreamsPerPrincipal(), "per-principal",
                    "too many streams for this user");
            a = take(perAddress, address, config.maxStreamsPerAddress(), "per-address",
                    "too many streams from this address");
            String t = take(perTopic, topicKey, config.maxStreamsPerTopic(), "per-topic",
                    "too many streams on this topic");
            return new Admission(this, total, p, a, t);
        } catch (LimitExceeded e) {
            give(total, p, a, null);
            refused(e.limit());
            LOG.log(Level.FINE, "stream refused: {0}", e.getMessage());
            throw e;
        }
    }

    /**
     * Admits one key of a multiplexed connection to its topic's per-topic limit.
     *
     * @throws LimitExceeded when the topic's limit is reached
     */
    public Admission admitKey(String topicKey) {
        try {
            return new Admission(this, false, null, null,
                    take(perTopic, topicKey, config.maxStreamsPerTopic(), "per-topic", "too many streams on this topic"));
        } catch (LimitExceeded e) {
            refused(e.limit());
            LOG.log(Level.FINE, "key refused: {0}", e.getMessage());
            throw e;
        }
    }

    /** Called once per admission by {@link Admission#release()}. */
    void give(boolean total, String principal, String address, String topicKey) {
        if (total) {
            streams.decrementAndGet();
        }
        give(perPrincipal, principal);
        give(perAddress, address);
        give(perTopic, topicKey);
    }

    /**
     * The address a stream is counted under: the rightmost entry of the trusted proxy's header
     * ({@code sse.limits.client-address-header}: the address that proxy saw) when configured and
     * present, else {@link SubscribeOptions#clientAddress()}; {@code null} when neither is known.
     */
    public String clientAddress(SubscribeOptions request) {
        String header = config.clientAddressHeader();
        if (header != null) {
            String value = headerValue(request.headers(), header);
            if (value != null) {
                String[] hops = value.split(",");
                String last = hops[hops.length - 1].trim();
                if (!last.isEmpty()) {
                    return last;
                }
            }
        }
        String given = request.clientAddress();
        return given == null || given.isBlank() ? null : given.trim();
    }

    /** Counts one refusal by {@code limit} (normal client behaviour: counted, logged at FINE only). */
    public void refused(String limit) {
        refusals.computeIfAbsent(limit, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    /** Refusals since start by limit name ({@code streams}, {@code per-topic}, …); limits never hit are absent. */
    public java.util.Map<String, Long> refusals() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        refusals.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Streams counted now, all of them (0 when {@code sse.limits.max-streams=0}: not counted). */
    public int streams() {
        return streams.get();
    }

    /** Streams counted now under a per-topic key ({@link #topicKey}, {@link #jobKey}). */
    public int topicStreams(String key) {
        return perTopic.getOrDefault(key, 0);
    }

    /** Streams counted now for a principal's name. */
    public int principalStreams(String name) {
        return perPrincipal.getOrDefault(name, 0);
    }

    /** Streams counted now for an address. */
    public int addressStreams(String address) {
        return perAddress.getOrDefault(address, 0);
    }

    /** Principals, addresses and topics with a count now (each an entry in memory). */
    public int countedEntries() {
        return perPrincipal.size() + perAddress.size() + perTopic.size();
    }

    /** The scheduler that ends expired streams (it only enqueues: see {@link Admission#expireAt}). */
    Scheduling scheduling() {
        return scheduling;
    }

    private boolean take() {
        int limit = config.maxStreams();
        if (limit <= 0) {
            return false;
        }
        while (true) {
            int n = streams.get();
            if (n >= limit) {
                throw new LimitExceeded("streams", "too many streams on this server (sse.limits.max-streams=" + limit + ")");
            }
            if (streams.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private static String take(ConcurrentHashMap<String, Integer> counts, String key, int limit, String name,
            String message) {
        if (key == null || limit <= 0) {
            return null;
        }
        counts.compute(key, (k, n) -> {
            int c = n == null ? 0 : n;
            if (c >= limit) {
                throw new LimitExceeded(name, message + " (limit " + limit + ")");
            }
            return c + 1;
        });
        return key;
    }

    private static void give(ConcurrentHashMap<String, Integer> counts, String key) {
        if (key != null) {
            counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    private static String principalOf(SubscribeOptions request) {
        Principal p = request.principal();
        return p == null || p.getName() == null ? null : p.getName();
    }

    private static String headerValue(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && e.getValue() != null
                    && !e.getValue().isEmpty()) {
                return String.join(",", e.getValue());
            }
        }
        return null;
    }
}
