package io.github.sseprogress.redis;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import io.github.sseprogress.internal.config.SseConfig;

/**
 * The Redis engine's settings, from MicroProfile Config, validated once. Keys and defaults are in the
 * README's table.
 */
record RedisSettings(URI uri, String prefix, String node, int historySize, Duration historyAge, Duration lease,
        Duration timeout, Duration checkInterval, int outboxSize, int maxMessageSize) {

    static final String URI_KEY = "sse.cluster.redis.uri";
    static final String PREFIX = "sse.cluster.redis.key-prefix";
    static final String NODE = "sse.cluster.node-name";
    static final String HISTORY_SIZE = "sse.cluster.redis.history-size";
    static final String HISTORY_AGE = "sse.cluster.redis.history-age";
    static final String LEASE = "sse.cluster.redis.lease";
    static final String TIMEOUT = "sse.cluster.redis.timeout";
    static final String CHECK_INTERVAL = "sse.cluster.redis.check-interval";
    static final String OUTBOX_SIZE = "sse.cluster.redis.outbox-size";
    static final String MAX_MESSAGE_SIZE = "sse.cluster.redis.max-message-size";

    /** Reads every key through {@code lookup}; empty when {@value #URI_KEY} is not set (no cluster). */
    static Optional<RedisSettings> read(Function<String, Optional<String>> lookup) {
        Optional<String> raw = lookup.apply(URI_KEY).map(String::trim).filter(s -> !s.isEmpty());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(raw.get());
        } catch (IllegalArgumentException e) {
            throw invalid(URI_KEY, "<hidden>", "is not a URI");
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
            throw invalid(URI_KEY, "<hidden>", "must be redis://[user:password@]host[:port][/db] or rediss://...");
        }
        String prefix = lookup.apply(PREFIX).orElse("sse-progress:");
        String node = lookup.apply(NODE).map(String::trim).filter(s -> !s.isEmpty()).orElseGet(RedisSettings::defaultNode);
        if (!node.matches("[A-Za-z0-9._:-]{1,64}")) {
            throw invalid(NODE, node, "must be 1-64 of A-Z a-z 0-9 . _ : -");
        }
        return Optional.of(new RedisSettings(uri, prefix, node,
                positiveInt(lookup, HISTORY_SIZE, 1000),
                positive(lookup, HISTORY_AGE, Duration.ofMinutes(10)),
                positive(lookup, LEASE, Duration.ofSeconds(10)),
                positive(lookup, TIMEOUT, Duration.ofSeconds(2)),
                positive(lookup, CHECK_INTERVAL, Duration.ofSeconds(5)),
                positiveInt(lookup, OUTBOX_SIZE, 10_000),
                positiveInt(lookup, MAX_MESSAGE_SIZE, 1 << 20)));
    }

    private static String defaultNode() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | RuntimeException e) {
            host = "node";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "");
        if (host.length() > 40) {
            host = host.substring(0, 40);
        }
        return (host.isEmpty() ? "node" : host) + "-"
                + Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL, 36);
    }

    private static Duration positive(Function<String, Optional<String>> lookup, String key, Duration def) {
        Optional<String> raw = lookup.apply(key);
        if (raw.isEmpty()) {
            return def;
        }
        Duration d;
        try {
            d = SseConfig.parseDuration(raw.get());
        } catch (RuntimeException e) {
            throw invalid(key, raw.get(), "is not a duration (e.g. 500ms, 10s, PT10S)");
        }
        if (d.isNegative() || d.isZero()) {
            throw invalid(key, raw.get(), "must be positive");
        }
        return d;
    }

    private static int positiveInt(Function<String, Optional<String>> lookup, String key, int def) {
        Optional<String> raw = lookup.apply(key);
        if (raw.isEmpty()) {
            return def;
        }
        try {
            int v = Integer.parseInt(raw.get().trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw invalid(key, raw.get(), "must be a positive integer");
    }

    private static IllegalArgumentException invalid(String key, String value, String why) {
        return new IllegalArgumentException("Invalid configuration " + key + "=" + value + ": " + why);
    }

    /** The key of a topic's id counter and epoch. */
    String meta(String topic) {
        return prefix + "t:" + topic + ":m";
    }

    /** The key of a topic's history stream. */
    String history(String topic) {
        return prefix + "t:" + topic + ":h";
    }

    /** The key prefix of jobs (a job's hash is this + topic). */
    String jobs() {
        return prefix + "j:";
    }

    String job(String topic) {
        return jobs() + topic;
    }

    /** The sorted set of running jobs' leases (member {@code <run> <topic>}, score the expiry in ms). */
    String leases() {
        return prefix + "leases";
    }

    /** The one channel every node subscribes to. */
    String channel() {
        return prefix + "events";
    }

    @Override
    public String toString() {
        return "RedisSettings[host=" + uri.getHost() + ", port=" + uri.getPort() + ", prefix=" + prefix + ", node=" + node
                + "]"; // never the password
    }
}
