package io.github.sseprogress.internal;

import java.time.Duration;
import java.util.function.Predicate;

import io.github.sseprogress.Polling;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.SubscriberConnecting;

import jakarta.ws.rs.core.Response;

/**
 * The internal packages' way to the public types' package-private members, so that the public API
 * shows users only what they call and none of the library's plumbing. Not API.
 *
 * <p>The one implementation is a package-private class of {@code io.github.sseprogress} that installs
 * itself when it is initialised; {@link #get()} initialises it on first use. Stateless and
 * thread-safe.
 */
public abstract class ApiAccess {

    private static final String IMPLEMENTATION = "io.github.sseprogress.InternalAccess";

    private static volatile ApiAccess installed;

    /** For the implementation only. */
    protected ApiAccess() {
        if (!getClass().getName().equals(IMPLEMENTATION)) {
            throw new IllegalStateException("not API: " + getClass().getName());
        }
    }

    /** Called once, by the implementation's static initialiser. */
    public static void install(ApiAccess access) {
        if (installed != null) {
            throw new IllegalStateException("already installed");
        }
        installed = access;
    }

    /** The implementation. */
    public static ApiAccess get() {
        ApiAccess a = installed;
        if (a == null) {
            try {
                // Initialising the class runs its static initialiser, which calls install; the JVM runs it once.
                Class.forName(IMPLEMENTATION, true, ApiAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the jar is incomplete: " + IMPLEMENTATION + " is missing", e);
            }
            a = installed;
        }
        return a;
    }

    /**
     * The event fired before a stream is attached to {@code topic} for the request in {@code options};
     * it carries the query parameter {@code queryTokenName} as its token (none when null).
     */
    public abstract SubscriberConnecting connecting(String topic, SubscribeOptions options, String queryTokenName);

    /** The error response an observer asked for with {@code reject}, or {@code null} when none did. */
    public abstract Response rejection(SubscriberConnecting event);

    /** What a {@link Polling} was built with. */
    public abstract PollingParts parts(Polling polling);

    /** {@code options} with another {@code Last-Event-ID}. */
    public abstract SubscribeOptions withLastEventId(SubscribeOptions options, String lastEventId);

    /** Options that carry a request's user, headers and query parameters only (e.g. from a WebSocket handshake). */
    public abstract SubscribeOptions ofRequest(java.security.Principal principal,
            java.util.Map<String, java.util.List<String>> headers,
            java.util.Map<String, java.util.List<String>> query);

    /**
     * What a {@link Polling} was built with.
     *
     * @param source the source
     * @param interval the interval, or {@code null} for the configured default
     * @param stopCondition the stop condition, or {@code null}
     * @param stopCallback the stop callback, or {@code null}
     */
    public record PollingParts(Polling.Source source, Duration interval, Predicate<Object> stopCondition,
            Runnable stopCallback) {
    }
}
