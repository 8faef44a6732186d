package io.github.sseprogress.internal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.sseprogress.SlowSubscriberPolicy;

/**
 * Every setting of the library, read once from MicroProfile Config under the {@code sse.} prefix,
 * validated, and handed to the rest as plain values. Nothing else in the library touches Config.
 *
 * <p>Durations are ISO-8601 ({@code PT15S}) or a number with a unit: {@code 500ms}, {@code 15s},
 * {@code 2m}, {@code 1h}, {@code 1d}; a bare {@code 0} (or a negative number) means zero (or negative),
 * which disables heartbeats. An invalid value throws {@link IllegalArgumentException} naming
 * the key, which fails the deployment at start-up (see {@code ConfigValidation}).
 *
 * <p>Defaults live here and in the README's table, never in a {@code microprofile-config.properties}
 * inside the jar (it would fight the application's own).
 */
public final class SseConfig {

    public static final String PREFIX = "sse.";
    public static final String HEARTBEAT_INTERVAL = "sse.heartbeat-interval";
    public static final String WRITE_TIMEOUT = "sse.write-timeout";
    public static final String QUEUE_SIZE = "sse.queue-size";
    public static final String STREAMS_MAX_KEYS = "sse.streams.max-keys";
    public static final String SLOW_SUBSCRIBER_POLICY = "sse.slow-subscriber-policy";
    public static final String POLLING_INTERVAL = "sse.polling.interval";
    public static final String RETRY = "sse.retry";
    public static final String REPLAY_SIZE = "sse.replay.size";
    public static final String REPLAY_IDLE_RETENTION = "sse.replay.idle-retention";
    public static final String TRACKER_RETENTION = "sse.tracker.retention";
    public static final String WRITER_THREADS = "sse.writer-threads";
    public static final String WRITER_THREADS_MAX = "sse.writer-threads.max";
    public static final String TRACKER_MAX_RUN_TIME = "sse.tracker.max-run-time";
    public static final String STREAMS_WEBSOCKET_PATH = "sse.streams.websocket.path";
    public static final String LIMITS_MAX_STREAMS = "sse.limits.max-streams";
    public static final String LIMITS_MAX_STREAMS_PER_TOPIC = "sse.limits.max-streams-per-topic";
    public static final String LIMITS_MAX_STREAMS_PER_PRINCIPAL = "sse.limits.max-streams-per-principal";
    public static final String LIMITS_MAX_STREAMS_PER_ADDRESS = "sse.limits.max-streams-per-address";
    public static final String LIMITS_MAX_TOPICS = "sse.limits.max-topics";
    public static final String LIMITS_RETRY_AFTER = "sse.limits.retry-after";
    public static final String LIMITS_CLIENT_ADDRESS_HEADER = "sse.limits.client-address-header";
    public static final String CORS_ALLOWED_ORIGINS = "sse.cors.allowed-origins";
    public static final String CORS_ALLOW_CREDENTIALS = "sse.cors.allow-credentials";
    public static final String AUTH_QUERY_TOKEN = "sse.auth.query-token";
    /**
     * The query parameter of {@code sse.auth.query-token}: RFC 6750's name for a bearer token in a URI.
     * Fixed, so that {@code Manager.topicOf} and {@code Streams.keysOf} always leave it out of topic
     * names and keys (they cannot see the configuration).
     */
    public static final String QUERY_TOKEN_PARAMETER = "access_token";

    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    static final int DEFAULT_QUEUE_SIZE = 256;
    static final int DEFAULT_WRITER_THREADS = 16;
    static final int DEFAULT_WRITER_THREADS_MAX = 128;
    static final Duration DEFAULT_POLLING_INTERVAL = Duration.ofSeconds(5);
    static final Duration DEFAULT_REPLAY_IDLE_RETENTION = Duration.ofMinutes(5);
    static final Duration DEFAULT_TRACKER_RETENTION = Duration.ofSeconds(30);
    /**
     * A job streamed to a browser is watched by a person: an hour is far beyond what anyone waits
     * for, yet bounds what a job whose code forgot {@code finish} can hold.
     */
    static final Duration DEFAULT_TRACKER_MAX_RUN_TIME = Duration.ofHours(1);
    /**
     * 10,000 idle streams is what one node was measured to hold (docs/BENCHMARKS.md: ~25 KB of
     * process heap each on Open Liberty, almost all the server's own); beyond it is unmeasured.
     */
    static final int DEFAULT_MAX_STREAMS = 10_000;
    /** A person has tens of tabs at most; a script with one stolen token should not take the node. */
    static final int DEFAULT_MAX_STREAMS_PER_PRINCIPAL = 100;
    /** A tenth of the node: generous, because a NAT or a corporate proxy puts many users behind one address. */
    static final int DEFAULT_MAX_STREAMS_PER_ADDRESS = 1_000;
    /**
     * Without replay a topic lives only while it has a stream, so the stream limit bounds the topics;
     * this bounds idle replay topics too (each keeps up to {@code sse.replay.size} events).
     */
    static final int DEFAULT_MAX_TOPICS = 10_000;
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(10);
    /** An origin: scheme, host, optional port; nothing else (no path, no trailing slash, no wildcard). */
    private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.\\-\\[\\]:]+");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");
    /** Write timeout used when heartbeats are disabled and none is configured. */
    static final Duration FALLBACK_WRITE_TIMEOUT = Duration.ofSeconds(30);

    /** A path in the web application: {@code /} then segments of URI path characters, no template, query or fragment. */
    private static final Pattern WEBSOCKET_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,199}");

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final Duration heartbeatInterval;
    private final Duration writeTimeout;
    private final int queueSize;
    private final int streamsMaxKeys;
    private final SlowSubscriberPolicy slowSubscriberPolicy;
    private final Duration pollingInterval;
    private final Duration retry;
    private final int replaySize;
    private final Duration replayIdleRetention;
    private final Duration trackerRetention;
    private final Duration trackerMaxRunTime;
    private final int writerThreads;
    private final int writerThreadsMax;
    private final String websocketPath;
    private final int maxStreams;
    private final int maxStreamsPerTopic;
    private final int maxStreamsPerPrincipal;
    private final int maxStreamsPerAddress;
    private final int maxTopics;
    private final Duration retryAfter;
    private final String clientAddressHeader;
    private final List<String> corsAllowedOrigins;
    private final boolean corsAllowCredentials;
    private final boolean queryToken;

    /** Reads and validates every key through {@code lookup} (key → raw value, empty when unset). */
    public SseConfig(Function<String, Optional<String>> lookup) {
        this.heartbeatInterval = duration(lookup, HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT, true);
        Duration wt = duration(lookup, WRITE_TIMEOUT, null, false);
        if (wt == null) {
            wt = heartbeatEnabled() ? heartbeatInterval : FALLBACK_WRITE_TIMEOUT;
        } else if (wt.isZero()) {
            throw invalid(WRITE_TIMEOUT, lookup.apply(WRITE_TIMEOUT).orElse(""), "must be positive");
        }
        this.writeTimeout = wt;
        this.queueSize = integer(lookup, QUEUE_SIZE, DEFAULT_QUEUE_SIZE, 1, 1_000_000);
        this.streamsMaxKeys = integer(lookup, STREAMS_MAX_KEYS, 32, 1, 10_000);
        this.slowSubscriberPolicy = policy(lookup);
        this.pollingInterval = positive(lookup, POLLING_INTERVAL, DEFAULT_POLLING_INTERVAL);
        this.retry = duration(lookup, RETRY, null, false);
        this.replaySize = integer(lookup, REPLAY_SIZE, 0, 0, 10_000_000);
        this.replayIdleRetention = positive(lookup, REPLAY_IDLE_RETENTION, DEFAULT_REPLAY_IDLE_RETENTION);
        this.trackerRetention = duration(lookup, TRACKER_RETENTION, DEFAULT_TRACKER_RETENTION, false);
        this.trackerMaxRunTime = duration(lookup, TRACKER_MAX_RUN_TIME, DEFAULT_TRACKER_MAX_RUN_TIME, false);
        this.writerThreads = integer(lookup, WRITER_THREADS, DEFAULT_WRITER_THREADS, 1, 10_000);
        this.writerThreadsMax = Math.max(writerThreads,
                integer(lookup, WRITER_THREADS_MAX, Math.max(DEFAULT_WRITER_THREADS_MAX, writerThreads), 1, 10_000));
        this.websocketPath = websocketPath(lookup);
        this.maxStreams = integer(lookup, LIMITS_MAX_STREAMS, DEFAULT_MAX_STREAMS, 0, Integer.MAX_VALUE);
        this.maxStreamsPerTopic = integer(lookup, LIMITS_MAX_STREAMS_PER_TOPIC, 0, 0, Integer.MAX_VALUE);
        this.maxStreamsPerPrincipal = integer(lookup, LIMITS_MAX_STREAMS_PER_PRINCIPAL,
                DEFAULT_MAX_STREAMS_PER_PRINCIPAL, 0, Integer.MAX_VALUE);
        this.maxStreamsPerAddress = integer(lookup, LIMITS_MAX_STREAMS_PER_ADDRESS, DEFAULT_MAX_STREAMS_PER_ADDRESS,
                0, Integer.MAX_VALUE);
        this.maxTopics = integer(lookup, LIMITS_MAX_TOPICS, DEFAULT_MAX_TOPICS, 0, Integer.MAX_VALUE);
        Duration ra = duration(lookup, LIMITS_RETRY_AFTER, DEFAULT_RETRY_AFTER, false);
        if (ra.isNegative() || ra.toSeconds() > 86_400) {
            throw invalid(LIMITS_RETRY_AFTER, lookup.apply(LIMITS_RETRY_AFTER).orElse(""), "must be between 0s and 1d");
        }
        this.retryAfter = ra;
        this.clientAddressHeader = name(lookup, LIMITS_CLIENT_ADDRESS_HEADER, null, HEADER_NAME, "a header name");
        this.corsAllowedOrigins = origins(lookup);
        this.corsAllowCredentials = bool(lookup, CORS_ALLOW_CREDENTIALS, false);
        this.queryToken = bool(lookup, AUTH_QUERY_TOKEN, false);
    }

    /** All defaults (no configuration source). */
    public static SseConfig defaults() {
        return new SseConfig(k -> Optional.empty());
    }

    /** Interval between heartbeat comments; zero or negative means disabled. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public boolean heartbeatEnabled() {
        return !heartbeatInterval.isZero() && !heartbeatInterval.isNegative();
    }

    /** How long one write may stay in flight before the subscriber is evicted. */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** Keys one multiplexed connection may follow at once. */
    public int streamsMaxKeys() {
        return streamsMaxKeys;
    }

    public int queueSize() {
        return queueSize;
    }

    public SlowSubscriberPolicy slowSubscriberPolicy() {
        return slowSubscriberPolicy;
    }

    public Duration pollingInterval() {
        return pollingInterval;
    }

    /** The {@code retry:} sent at connect, or {@code null} for none. */
    public Duration retry() {
        return retry;
    }

    /** Events kept per topic for Last-Event-ID replay; 0 disables replay. */
    public int replaySize() {
        return replaySize;
    }

    public Duration replayIdleRetention() {
        return replayIdleRetention;
    }

    public Duration trackerRetention() {
        return trackerRetention;
    }

    /** How long a job may run before it is finished {@code failed}; zero means no limit. */
    public Duration trackerMaxRunTime() {
        return trackerMaxRunTime;
    }

    /** Writer threads for healthy clients (each stalled client pins one more, up to the maximum). */
    public int writerThreads() {
        return writerThreads;
    }

    /** The most writer threads, pinned ones included; never below {@link #writerThreads()}. */
    public int writerThreadsMax() {
        return writerThreadsMax;
    }

    /**
     * Where the WebSocket endpoint of multiplexed streams is registered in the web application
     * ({@code /api/ws}), or {@code null} when it is off (the default).
     */
    public String websocketPath() {
        return websocketPath;
    }

    /** Most streams open at once on this node (SSE, multiplexed, WebSocket: one each); 0 is no limit. */
    public int maxStreams() {
        return maxStreams;
    }

    /** Most streams following one topic or job (a multiplexed key counts for its topic); 0 is no limit. */
    public int maxStreamsPerTopic() {
        return maxStreamsPerTopic;
    }

    /** Most streams of one principal (by name); 0 is no limit. */
    public int maxStreamsPerPrincipal() {
        return maxStreamsPerPrincipal;
    }

    /** Most streams of one client address; 0 is no limit. */
    public int maxStreamsPerAddress() {
        return maxStreamsPerAddress;
    }

    /** Most Manager topics held at once (idle replay topics included); 0 is no limit. */
    public int maxTopics() {
        return maxTopics;
    }

    /** What a refusal by a limit tells the client to wait ({@code Retry-After}, whole seconds). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The request header a trusted proxy puts the client's address in, or {@code null}. */
    public String clientAddressHeader() {
        return clientAddressHeader;
    }

    /** Origins allowed to read event streams cross-origin (exact, as browsers send them); empty is off. */
    public List<String> corsAllowedOrigins() {
        return corsAllowedOrigins;
    }

    /** Whether cross-origin streams may carry cookies ({@code Access-Control-Allow-Credentials: true}). */
    public boolean corsAllowCredentials() {
        return corsAllowCredentials;
    }

    /** Whether a token in the query string is handed to {@code SubscriberConnecting#queryToken()}. */
    public boolean queryToken() {
        return queryToken;
    }

    /** The query parameter holding the token ({@value #QUERY_TOKEN_PARAMETER}). */
    public String queryTokenName() {
        return QUERY_TOKEN_PARAMETER;
    }

    /** Parses a duration in ISO-8601 or {@code <number><ms|s|m|h|d>} form. */
    public static Duration parseDuration(String raw) {
        String s = raw.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (s.matches("-?\\d+") && (s.startsWith("-") || Long.parseLong(s) == 0)) {
            // a bare 0 or negative number: the conventional "disabled"
            return s.startsWith("-") ? Duration.ofSeconds(Long.parseLong(s)) : Duration.ZERO;
        }
        boolean negative = s.startsWith("-");
        String body = negative ? s.substring(1) : s;
        if (body.startsWith("P") || body.startsWith("p")) {
            try {
                Duration d = Duration.parse(body.toUpperCase(Locale.ROOT));
                return negative ? d.negated() : d;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration");
            }
        }
        Matcher m = SIMPLE_DURATION.matcher(body.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected ISO-8601 (PT15S) or a number with a unit (500ms, 15s, 2m, 1h, 1d)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d;
        switch (m.group(2)) {
            case "ms":
                d = Duration.ofMillis(n);
                break;
            case "s":
                d = Duration.ofSeconds(n);
                break;
            case "m":
                d = Duration.ofMinutes(n);
                break;
            case "h":
                d = Duration.ofHours(n);
                break;
            default:
                d = Duration.ofDays(n);
                break;
        }
        return negative ? d.negated() : d;
    }

    private static Duration duration(Function<String, Optional<String>> lookup, String key, Duration def,
            boolean negativeAllowed) {
        Optional<String> raw = lookup.apply(key).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return def;
        }
        Duration d;
        try {
            d = parseDuration(raw.get());
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(key, raw.get(), e.getMessage());
        }
        if (!negativeAllowed && d.isNegative()) {
            throw invalid(key, raw.get(), "must not be negative");
        }
        return d;
    }

    private static Duration positive(Function<String, Optional<String>> lookup, String key, Duration def) {
        Duration d = duration(lookup, key, def, false);
        if (d.isZero()) {
            throw invalid(key, lookup.apply(key).orElse(""), "must be positive");
        }
        return d;
    }

    private static int integer(Function<String, Optional<String>> lookup, String key, int def, int min, int max) {
        Optional<String> raw = lookup.apply(key).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return def;
        }
        int n;
        try {
            n = Integer.parseInt(raw.get().trim());
        } catch (NumberFormatException e) {
            throw invalid(key, raw.get(), "not an integer");
        }
        if (n < min || n > max) {
            throw invalid(key, raw.get(), "must be between " + min + " and " + max);
        }
        return n;
    }

    private static String websocketPath(Function<String, Optional<String>> lookup) {
        Optional<String> raw = lookup.apply(STREAMS_WEBSOCKET_PATH).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return null;
        }
        String path = raw.get().trim();
        if (!WEBSOCKET_PATH.matcher(path).matches() || path.contains("//") || path.equals("/")) {
            throw invalid(STREAMS_WEBSOCKET_PATH, raw.get(),
                    "expected a path in the web application such as /api/ws: a leading /, at most 200 characters, no"
                            + " empty segment, no {template}, query or fragment");
        }
        return path;
    }

    private static boolean bool(Function<String, Optional<String>> lookup, String key, boolean def) {
        Optional<String> raw = lookup.apply(key).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return def;
        }
        String v = raw.get().trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw invalid(key, raw.get(), "expected true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static String name(Function<String, Optional<String>> lookup, String key, String def, Pattern form,
            String expected) {
        Optional<String> raw = lookup.apply(key).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return def;
        }
        String v = raw.get().trim();
        if (!form.matcher(v).matches()) {
            throw invalid(key, raw.get(), "expected " + expected);
        }
        return v;
    }

    private static List<String> origins(Function<String, Optional<String>> lookup) {
        Optional<String> raw = lookup.apply(CORS_ALLOWED_ORIGINS).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : raw.get().split(",")) {
            String o = part.trim();
            if (o.isEmpty()) {
                continue;
            }
            if (!ORIGIN.matcher(o).matches()) {
                throw invalid(CORS_ALLOWED_ORIGINS, raw.get(), "expected origins such as https://app.example.com:8443,"
                        + " comma-separated: scheme and host (and port) only, no path, no trailing /, no *: " + o);
            }
            out.add(o);
        }
        return List.copyOf(out);
    }

    private static SlowSubscriberPolicy policy(Function<String, Optional<String>> lookup) {
        Optional<String> raw = lookup.apply(SLOW_SUBSCRIBER_POLICY).filter(v -> !v.isBlank());
        if (raw.isEmpty()) {
            return SlowSubscriberPolicy.DROP;
        }
        try {
            return SlowSubscriberPolicy.valueOf(raw.get().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(SLOW_SUBSCRIBER_POLICY, raw.get(), "expected drop, remove or close");
        }
    }

    private static IllegalArgumentException invalid(String key, String value, String why) {
        return new IllegalArgumentException("Invalid value for configuration key '" + key + "': '" + value + "' (" + why + ")");
    }
}
